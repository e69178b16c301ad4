import BlobStore

/// Reference counts of blobs, kept in the same transaction as the versions that refer to them.
///
/// `blobs`: digest → `refCount | byteCount | zeroSince | md5 | location`, the location being set
/// for a blob packed into a segment (the store's `BlobLocator` reads it). When a count reaches zero the blob gets an
/// entry in `garbage` (`zeroSince | digest`), which the collector reads oldest first and acts on only
/// after a grace period; a new reference before then removes the entry again.
struct BlobReferences {
    let blobs: LMDBDatabase
    let garbage: LMDBDatabase
    /// Holds the running total of blob bytes (`blob-bytes`).
    let meta: LMDBDatabase
    /// The store's record of blobs placed by requests not yet committed: a new reference to a
    /// packed blob takes its location from there.
    let placements: (any BlobPlacements)?

    struct Record: Equatable {
        var referenceCount: UInt64
        var byteCount: Int64
        /// When the count last reached zero (milliseconds), or nil while referenced.
        var zeroSinceMilliseconds: Int64?
        /// MD5 of the blob's bytes, when known: a copied part that is exactly this blob has it as ETag.
        var md5: [UInt8]? = nil
        /// Where a packed blob's bytes are; nil for a blob file.
        var location: BlobLocation? = nil
    }

    func record(_ transaction: borrowing LMDBTransaction, _ digest: BlobDigest) throws -> Record? {
        guard let bytes = try transaction.get(blobs, digest.bytes) else { return nil }
        return try Self.decode(bytes)
    }

    static func decode(_ bytes: some Collection<UInt8>) throws -> Record {
        var reader = try RecordReader(Array(bytes))
        var record = Record(referenceCount: 0, byteCount: 0, zeroSinceMilliseconds: nil)
        while let (tag, value) = try reader.next() {
            switch tag {
            case 1: record.referenceCount = try RecordReader.uint64(value)
            case 2: record.byteCount = try RecordReader.int64(value)
            case 3: record.zeroSinceMilliseconds = try RecordReader.int64(value)
            case 4: record.md5 = Array(value)
            case 5:
                guard let location = BlobLocation(bytes: value) else { throw IndexError.corrupt("a blob location of \(value.count) bytes") }
                record.location = location
            default: continue
            }
        }
        return record
    }

    func store(_ transaction: borrowing LMDBTransaction, _ digest: BlobDigest, _ record: Record) throws {
        var writer = RecordWriter(format: 1, capacity: 24)
        writer.field(1, record.referenceCount)
        writer.field(2, record.byteCount)
        if let zeroSince = record.zeroSinceMilliseconds { writer.field(3, zeroSince) }
        if let md5 = record.md5 { writer.field(4, bytes: md5) }
        if let location = record.location { writer.field(5, bytes: location.bytes) }
        try transaction.put(blobs, digest.bytes, writer.bytes)
    }

    /// Adds one reference per chunk. `md5` gives the MD5 of a freshly ingested blob, kept with it.
    func retain(_ transaction: borrowing LMDBTransaction, _ chunks: [Chunk], md5: [UInt8]? = nil) throws {
        for chunk in chunks {
            var existing = try record(transaction, chunk.digest)
            if existing == nil {
                try addBlobBytes(transaction, chunk.byteCount)
                existing = Record(referenceCount: 0, byteCount: chunk.byteCount, zeroSinceMilliseconds: nil)
            } else if existing?.byteCount == 0, chunk.byteCount > 0 {
                // An adopted orphan's size becomes known when something refers to it.
                try addBlobBytes(transaction, chunk.byteCount)
                existing?.byteCount = chunk.byteCount
            }
            guard var record = existing else { preconditionFailure("a record exists or was made") }
            if record.md5 == nil, let md5, chunks.count == 1 { record.md5 = md5 }
            if record.location == nil, let placed = placements?.placedLocation(of: chunk.digest) { record.location = placed }
            if let zeroSince = record.zeroSinceMilliseconds {
                try transaction.delete(garbage, Self.garbageKey(zeroSince, chunk.digest))
                record.zeroSinceMilliseconds = nil
            }
            record.referenceCount += 1
            try store(transaction, chunk.digest, record)
        }
    }

    /// Adds references to blobs that other versions already hold (copies). Fails if a blob has been
    /// collected in the meantime, so that no entry ever points at a missing blob.
    func retainExisting(_ transaction: borrowing LMDBTransaction, _ chunks: [Chunk]) throws {
        for chunk in chunks where try record(transaction, chunk.digest) == nil {
            throw IndexError.noSuchKey(bucket: "", key: "source blob \(chunk.digest) is gone")
        }
        try retain(transaction, chunks)
    }

    func release(_ transaction: borrowing LMDBTransaction, _ chunks: [Chunk], nowMilliseconds: Int64) throws {
        for chunk in chunks {
            guard var record = try record(transaction, chunk.digest) else {
                throw IndexError.corrupt("released blob \(chunk.digest) has no reference record")
            }
            guard record.referenceCount > 0 else {
                throw IndexError.corrupt("blob \(chunk.digest) released more often than retained")
            }
            record.referenceCount -= 1
            if record.referenceCount == 0 {
                record.zeroSinceMilliseconds = nowMilliseconds
                try transaction.put(garbage, Self.garbageKey(nowMilliseconds, chunk.digest), [])
            }
            try store(transaction, chunk.digest, record)
        }
    }

    /// Records a blob that is on disk but referenced by nothing (an upload that never committed,
    /// an orphan after a crash), so the collector removes it after the grace period.
    func adoptOrphan(_ transaction: borrowing LMDBTransaction, _ digest: BlobDigest, byteCount: Int64, nowMilliseconds: Int64) throws {
        guard try record(transaction, digest) == nil else { return }
        try store(transaction, digest, Record(referenceCount: 0, byteCount: byteCount, zeroSinceMilliseconds: nowMilliseconds))
        try transaction.put(garbage, Self.garbageKey(nowMilliseconds, digest), [])
    }

    /// Adds (or with a negative count removes) bytes to the total the blob directory holds.
    func addBlobBytes(_ transaction: borrowing LMDBTransaction, _ byteCount: Int64) throws {
        let key = Catalog.MetaKey.blobBytes
        let current = try transaction.get(meta, key).map { Int64(bitPattern: KeyBytes.readUInt64($0)) } ?? 0
        try transaction.put(meta, key, KeyBytes.uint64(UInt64(bitPattern: max(0, current + byteCount))))
    }

    static func garbageKey(_ milliseconds: Int64, _ digest: BlobDigest) -> [UInt8] {
        KeyBytes.uint64(UInt64(bitPattern: milliseconds)) + digest.bytes
    }
}
