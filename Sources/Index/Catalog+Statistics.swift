/// Counts a bucket keeps as it changes, so that stats and metrics never scan.
public struct BucketStatistics: Sendable, Equatable {
    /// Versions that hold data (not delete markers), current and noncurrent.
    public var versionCount: Int64 = 0
    /// Sum of their sizes.
    public var byteCount: Int64 = 0
    /// Bytes of those versions kept inside the index.
    public var inlineByteCount: Int64 = 0

    public init() {}

    func encoded() -> [UInt8] {
        var writer = RecordWriter(format: 1, capacity: 16)
        writer.field(1, versionCount)
        writer.field(2, byteCount)
        writer.field(3, inlineByteCount)
        return writer.bytes
    }

    init(decoding bytes: [UInt8]) throws(IndexError) {
        var reader = try RecordReader(bytes)
        while let (tag, value) = try reader.next() {
            switch tag {
            case 1: versionCount = try RecordReader.int64(value)
            case 2: byteCount = try RecordReader.int64(value)
            case 3: inlineByteCount = try RecordReader.int64(value)
            default: continue
            }
        }
    }
}

/// What the store holds, for `spore stats` and the metrics.
public struct StoreStatistics: Sendable {
    public var buckets: [(name: String, statistics: BucketStatistics)] = []
    /// Blobs the index knows (referenced, or waiting for collection).
    public var blobCount: Int = 0
    /// Their bytes: what the blob directory holds.
    public var blobByteCount: Int64 = 0
    /// Blobs waiting for the collector.
    public var garbageCount: Int = 0
    public var uploadCount: Int = 0

    public var versionCount: Int64 { buckets.reduce(0) { $0 + $1.statistics.versionCount } }
    public var logicalByteCount: Int64 { buckets.reduce(0) { $0 + $1.statistics.byteCount } }
    public var inlineByteCount: Int64 { buckets.reduce(0) { $0 + $1.statistics.inlineByteCount } }
    /// Bytes stored on disk: blobs plus inline bodies.
    public var physicalByteCount: Int64 { blobByteCount + inlineByteCount }
    /// Bytes that identical content did not cost a second time.
    public var deduplicatedByteCount: Int64 { max(0, logicalByteCount - physicalByteCount) }
}

extension Catalog {
    static let statisticsSetting = "stats"

    func adjustStatistics(_ transaction: borrowing LMDBTransaction, bucketID: UInt64, _ version: ObjectVersion, sign: Int64) throws {
        guard !version.isDeleteMarker else { return }
        let key = Self.settingKey(bucketID, Self.statisticsSetting)
        var statistics = try transaction.get(databases.settings, key).map { try BucketStatistics(decoding: $0) } ?? BucketStatistics()
        statistics.versionCount += sign
        statistics.byteCount += sign * version.byteCount
        if case .inline(let bytes) = version.body { statistics.inlineByteCount += sign * Int64(bytes.count) }
        try transaction.put(databases.settings, key, statistics.encoded())
    }

    /// Counts of the whole store, read in one transaction.
    public func statistics() throws -> StoreStatistics {
        try read { transaction in
            var result = StoreStatistics()
            try transaction.withCursor(databases.buckets) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    let name = String(decoding: current.key, as: UTF8.self)
                    let record = try BucketRecord(name: name, decoding: current.value)
                    let statistics =
                        try transaction.get(databases.settings, Self.settingKey(record.id, Self.statisticsSetting))
                        .map { try BucketStatistics(decoding: $0) } ?? BucketStatistics()
                    result.buckets.append((name, statistics))
                    entry = try cursor.next()
                }
            }
            result.blobCount = try transaction.count(databases.blobs)
            result.blobByteCount = try transaction.get(databases.meta, MetaKey.blobBytes).map { Int64(bitPattern: KeyBytes.readUInt64($0)) } ?? 0
            result.garbageCount = try transaction.count(databases.garbage)
            result.uploadCount = try transaction.count(databases.uploadIDs)
            return result
        }
    }

    /// Writer statistics and LMDB usage, for metrics.
    public var writerStatistics: IndexWriter.Statistics { writer.currentStatistics }
}
