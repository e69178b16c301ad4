import BlobStore

extension ObjectVersion {
    static let recordFormat: UInt8 = 1

    private enum Tag {
        static let sequence: UInt8 = 1
        static let isNullVersion: UInt8 = 2
        static let isDeleteMarker: UInt8 = 3
        static let byteCount: UInt8 = 4
        static let etag: UInt8 = 5
        static let lastModified: UInt8 = 6
        static let contentType: UInt8 = 7
        static let contentEncoding: UInt8 = 8
        static let contentDisposition: UInt8 = 9
        static let contentLanguage: UInt8 = 10
        static let cacheControl: UInt8 = 11
        static let expires: UInt8 = 12
        static let userMetadata: UInt8 = 13
        static let checksum: UInt8 = 14
        static let chunk: UInt8 = 15
        static let inlineBody: UInt8 = 16
        static let expiresAt: UInt8 = 17
        static let partByteCount: UInt8 = 18
        static let tag: UInt8 = 19
        static let owner: UInt8 = 20
        static let storageClass: UInt8 = 21
        static let checksumType: UInt8 = 22
        static let partChecksum: UInt8 = 23
        static let acl: UInt8 = 24
        static let crc32: UInt8 = 25
        static let retention: UInt8 = 26
        static let legalHold: UInt8 = 27
        static let encryption: UInt8 = 28
    }

    /// The record's bytes.
    public func encoded() -> [UInt8] {
        var writer = RecordWriter(format: Self.recordFormat, capacity: 96 + (inlineByteCount ?? 0))
        writer.field(Tag.sequence, sequence)
        if isNullVersion { writer.field(Tag.isNullVersion, true) }
        if isDeleteMarker { writer.field(Tag.isDeleteMarker, true) }
        writer.field(Tag.byteCount, byteCount)
        writer.field(Tag.etag, etag)
        writer.field(Tag.lastModified, lastModifiedMilliseconds)
        headers.encode(into: &writer, firstTag: Tag.contentType)
        for (name, value) in userMetadata { writer.field(Tag.userMetadata, parts: [Array(name.utf8), Array(value.utf8)]) }
        for checksum in checksums { writer.field(Tag.checksum, parts: [[checksum.algorithm.rawValue], checksum.bytes]) }
        if checksumType != .fullObject { writer.field(Tag.checksumType, UInt64(checksumType.rawValue)) }
        switch body {
        case .inline(let bytes):
            writer.field(Tag.inlineBody, bytes: bytes)
        case .chunks(let chunks):
            for chunk in chunks {
                var length = [UInt8]()
                RecordWriter.appendVarint(UInt64(chunk.byteCount), to: &length)
                writer.field(Tag.chunk, parts: [chunk.digest.bytes, length])
            }
        }
        for count in partByteCounts { writer.field(Tag.partByteCount, count) }
        for checksum in partChecksums { writer.field(Tag.partChecksum, parts: [[checksum.algorithm.rawValue], checksum.bytes]) }
        if let expiry = expiresAtMilliseconds { writer.field(Tag.expiresAt, expiry) }
        for (name, value) in tags { writer.field(Tag.tag, parts: [Array(name.utf8), Array(value.utf8)]) }
        writer.field(Tag.owner, owner)
        if let value = storageClass { writer.field(Tag.storageClass, value) }
        if let acl { writer.field(Tag.acl, bytes: acl.encoded()) }
        if let crc32 { writer.field(Tag.crc32, UInt64(crc32)) }
        if let retention { writer.field(Tag.retention, parts: retention.recordParts) }
        if legalHold { writer.field(Tag.legalHold, true) }
        if let encryption { writer.field(Tag.encryption, bytes: encryption.encoded()) }
        return writer.bytes
    }

    private var inlineByteCount: Int? {
        if case .inline(let bytes) = body { return bytes.count }
        return nil
    }

    /// Decodes a record written by `encoded()` (or by a newer spore: unknown fields are skipped).
    public init(decoding bytes: [UInt8]) throws(IndexError) {
        var reader = try RecordReader(bytes)
        guard reader.format == Self.recordFormat else { throw IndexError.corrupt("object record format \(reader.format)") }
        var version = ObjectVersion(byteCount: 0, etag: "", lastModifiedMilliseconds: 0, body: .chunks([]), owner: "")
        version.isNullVersion = false
        var chunks = [Chunk]()
        var inline: [UInt8]?
        while let (tag, value) = try reader.next() {
            switch tag {
            case Tag.sequence: version.sequence = try RecordReader.uint64(value)
            case Tag.isNullVersion: version.isNullVersion = RecordReader.bool(value)
            case Tag.isDeleteMarker: version.isDeleteMarker = RecordReader.bool(value)
            case Tag.byteCount: version.byteCount = try RecordReader.int64(value)
            case Tag.etag: version.etag = RecordReader.string(value)
            case Tag.lastModified: version.lastModifiedMilliseconds = try RecordReader.int64(value)
            case Tag.contentType...Tag.expires:
                version.headers.decode(tag: tag, value: value, firstTag: Tag.contentType)
            case Tag.userMetadata: version.userMetadata.append(try Self.pair(value))
            case Tag.tag: version.tags.append(try Self.pair(value))
            case Tag.checksum: version.checksums.append(try Self.checksum(value))
            case Tag.partChecksum: version.partChecksums.append(try Self.checksum(value))
            case Tag.checksumType:
                version.checksumType = ChecksumType(rawValue: UInt8(truncatingIfNeeded: try RecordReader.uint64(value))) ?? .fullObject
            case Tag.chunk:
                let parts = try RecordReader.parts(value)
                guard parts.count == 2, parts[0].count == BlobDigest.byteCount else { throw IndexError.corrupt("chunk field") }
                let length = try RecordReader.uint64(parts[1])
                chunks.append(Chunk(digest: BlobDigest(bytes: parts[0]), byteCount: Int64(length)))
            case Tag.inlineBody: inline = Array(value)
            case Tag.partByteCount: version.partByteCounts.append(try RecordReader.int64(value))
            case Tag.expiresAt: version.expiresAtMilliseconds = try RecordReader.int64(value)
            case Tag.owner: version.owner = RecordReader.string(value)
            case Tag.storageClass: version.storageClass = RecordReader.string(value)
            case Tag.acl: version.acl = try AccessControlList(decoding: value)
            case Tag.crc32: version.crc32 = UInt32(truncatingIfNeeded: try RecordReader.uint64(value))
            case Tag.retention: version.retention = try Retention(recordField: value)
            case Tag.legalHold: version.legalHold = RecordReader.bool(value)
            case Tag.encryption: version.encryption = try ObjectEncryption(decoding: value)
            default: continue
            }
        }
        version.body = inline.map { .inline($0) } ?? .chunks(chunks)
        self = version
    }

    static func checksum(_ value: ArraySlice<UInt8>) throws(IndexError) -> ChecksumValue {
        let parts = try RecordReader.parts(value)
        guard parts.count == 2, let raw = parts[0].first, let algorithm = ChecksumAlgorithm(rawValue: raw),
            parts[1].count == algorithm.digestByteCount
        else { throw IndexError.corrupt("checksum field") }
        return ChecksumValue(algorithm: algorithm, bytes: Array(parts[1]))
    }

    static func pair(_ value: ArraySlice<UInt8>) throws(IndexError) -> (name: String, value: String) {
        let parts = try RecordReader.parts(value)
        guard parts.count == 2 else { throw IndexError.corrupt("name/value field") }
        return (RecordReader.string(parts[0]), RecordReader.string(parts[1]))
    }
}
