import BlobStore

/// The id of a multipart upload: the allocation sequence (so ids sort by creation) and 8 random
/// bytes (so ids cannot be guessed), shown as 32 hexadecimal characters.
public struct UploadID: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 16
    public let bytes: [UInt8]

    init(sequence: UInt64) {
        var generator = SystemRandomNumberGenerator()
        bytes = KeyBytes.uint64(sequence) + KeyBytes.uint64(generator.next())
    }

    init(bytes: [UInt8]) {
        precondition(bytes.count == Self.byteCount, "upload ids are 16 bytes")
        self.bytes = bytes
    }

    /// Parses an id from a request; nil for anything spore could not have issued.
    public init?(parsing text: String) {
        // spore writes lowercase, so an uppercase digit marks an id it never issued.
        let isUppercaseDigit = { (byte: UInt8) in (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte) }
        guard text.utf8.count == Self.byteCount * 2, !text.utf8.contains(where: isUppercaseDigit), let parsed = Hex.decode(text) else {
            return nil
        }
        bytes = parsed
    }

    public var description: String { Hex.encode(bytes) }

}

/// An upload in progress: what CreateMultipartUpload said about the object to be.
public struct MultipartUpload: Sendable {
    public var uploadID: UploadID
    public var key: String
    public var initiatedMilliseconds: Int64
    public var owner: String
    public var headers: ContentHeaders
    public var userMetadata: [(name: String, value: String)]
    public var checksumAlgorithm: ChecksumAlgorithm?
    public var checksumType: ChecksumType
    public var storageClass: String?
    public var tags: [(name: String, value: String)]
    /// A TTL that starts when the upload completes (Hypha's `ttl`), in seconds.
    public var ttlSeconds: Int64?
    /// The ACL the object gets when the upload completes.
    public var acl: AccessControlList?
    /// Object Lock retention and legal hold the object gets when the upload completes.
    public var retention: Retention?
    public var legalHold = false
    /// How the parts are encrypted (each part's blob is sealed with the key this record opens);
    /// the object keeps it.
    public var encryption: ObjectEncryption?

    public init(
        key: String, owner: String, headers: ContentHeaders = ContentHeaders(), userMetadata: [(name: String, value: String)] = [],
        checksumAlgorithm: ChecksumAlgorithm? = nil, checksumType: ChecksumType = .composite, storageClass: String? = nil,
        tags: [(name: String, value: String)] = [], ttlSeconds: Int64? = nil
    ) {
        self.uploadID = UploadID(bytes: [UInt8](repeating: 0, count: UploadID.byteCount))
        self.key = key
        self.initiatedMilliseconds = 0
        self.owner = owner
        self.headers = headers
        self.userMetadata = userMetadata
        self.checksumAlgorithm = checksumAlgorithm
        self.checksumType = checksumType
        self.storageClass = storageClass
        self.tags = tags
        self.ttlSeconds = ttlSeconds
    }

    private enum Tag {
        static let uploadID: UInt8 = 1
        static let key: UInt8 = 2
        static let initiated: UInt8 = 3
        static let owner: UInt8 = 4
        static let contentType: UInt8 = 5
        static let contentEncoding: UInt8 = 6
        static let contentDisposition: UInt8 = 7
        static let contentLanguage: UInt8 = 8
        static let cacheControl: UInt8 = 9
        static let expires: UInt8 = 10
        static let userMetadata: UInt8 = 11
        static let checksumAlgorithm: UInt8 = 12
        static let checksumType: UInt8 = 13
        static let storageClass: UInt8 = 14
        static let tag: UInt8 = 15
        static let ttl: UInt8 = 16
        static let acl: UInt8 = 17
        static let retention: UInt8 = 18
        static let legalHold: UInt8 = 19
        static let encryption: UInt8 = 20
    }

    func encoded() -> [UInt8] {
        var writer = RecordWriter(format: 1)
        writer.field(Tag.uploadID, bytes: uploadID.bytes)
        writer.field(Tag.key, key)
        writer.field(Tag.initiated, initiatedMilliseconds)
        writer.field(Tag.owner, owner)
        headers.encode(into: &writer, firstTag: Tag.contentType)
        for (name, value) in userMetadata { writer.field(Tag.userMetadata, parts: [Array(name.utf8), Array(value.utf8)]) }
        if let algorithm = checksumAlgorithm { writer.field(Tag.checksumAlgorithm, UInt64(algorithm.rawValue)) }
        writer.field(Tag.checksumType, UInt64(checksumType.rawValue))
        if let value = storageClass { writer.field(Tag.storageClass, value) }
        for (name, value) in tags { writer.field(Tag.tag, parts: [Array(name.utf8), Array(value.utf8)]) }
        if let ttl = ttlSeconds { writer.field(Tag.ttl, ttl) }
        if let acl { writer.field(Tag.acl, bytes: acl.encoded()) }
        if let retention { writer.field(Tag.retention, parts: retention.recordParts) }
        if legalHold { writer.field(Tag.legalHold, true) }
        if let encryption { writer.field(Tag.encryption, bytes: encryption.encoded()) }
        return writer.bytes
    }

    init(decoding bytes: [UInt8]) throws(IndexError) {
        var reader = try RecordReader(bytes)
        var upload = MultipartUpload(key: "", owner: "")
        while let (tag, value) = try reader.next() {
            switch tag {
            case Tag.uploadID:
                guard value.count == UploadID.byteCount else { throw IndexError.corrupt("upload id") }
                upload.uploadID = UploadID(bytes: Array(value))
            case Tag.key: upload.key = RecordReader.string(value)
            case Tag.initiated: upload.initiatedMilliseconds = try RecordReader.int64(value)
            case Tag.owner: upload.owner = RecordReader.string(value)
            case Tag.contentType...Tag.expires:
                upload.headers.decode(tag: tag, value: value, firstTag: Tag.contentType)
            case Tag.userMetadata: upload.userMetadata.append(try ObjectVersion.pair(value))
            case Tag.checksumAlgorithm:
                upload.checksumAlgorithm = ChecksumAlgorithm(rawValue: UInt8(truncatingIfNeeded: try RecordReader.uint64(value)))
            case Tag.checksumType:
                upload.checksumType = ChecksumType(rawValue: UInt8(truncatingIfNeeded: try RecordReader.uint64(value))) ?? .composite
            case Tag.storageClass: upload.storageClass = RecordReader.string(value)
            case Tag.tag: upload.tags.append(try ObjectVersion.pair(value))
            case Tag.ttl: upload.ttlSeconds = try RecordReader.int64(value)
            case Tag.acl: upload.acl = try AccessControlList(decoding: value)
            case Tag.retention: upload.retention = try Retention(recordField: value)
            case Tag.legalHold: upload.legalHold = RecordReader.bool(value)
            case Tag.encryption: upload.encryption = try ObjectEncryption(decoding: value)
            default: continue
            }
        }
        self = upload
    }
}

/// One uploaded part.
public struct UploadPart: Sendable, Equatable {
    public var partNumber: Int
    /// Hex MD5 of the part's bytes.
    public var etag: String
    public var byteCount: Int64
    /// The part's blobs (one for UploadPart, the source's chunk for a whole-chunk UploadPartCopy).
    public var chunks: [Chunk]
    public var checksum: ChecksumValue?
    public var lastModifiedMilliseconds: Int64
    /// CRC-32 of the part's bytes (the object's is combined from them at completion).
    public var crc32: UInt32? = nil

    public init(partNumber: Int, etag: String, byteCount: Int64, chunks: [Chunk], checksum: ChecksumValue?, lastModifiedMilliseconds: Int64) {
        precondition(partNumber >= 1, "part numbers start at 1")
        self.partNumber = partNumber
        self.etag = etag
        self.byteCount = byteCount
        self.chunks = chunks
        self.checksum = checksum
        self.lastModifiedMilliseconds = lastModifiedMilliseconds
    }

    func encoded() -> [UInt8] {
        var writer = RecordWriter(format: 1)
        writer.field(1, UInt64(partNumber))
        writer.field(2, etag)
        writer.field(3, byteCount)
        for chunk in chunks {
            var length = [UInt8]()
            RecordWriter.appendVarint(UInt64(chunk.byteCount), to: &length)
            writer.field(4, parts: [chunk.digest.bytes, length])
        }
        if let checksum { writer.field(5, parts: [[checksum.algorithm.rawValue], checksum.bytes]) }
        writer.field(6, lastModifiedMilliseconds)
        if let crc32 { writer.field(7, UInt64(crc32)) }
        return writer.bytes
    }

    init(decoding bytes: [UInt8]) throws(IndexError) {
        var reader = try RecordReader(bytes)
        var part = UploadPart(partNumber: 1, etag: "", byteCount: 0, chunks: [], checksum: nil, lastModifiedMilliseconds: 0)
        while let (tag, value) = try reader.next() {
            switch tag {
            case 1: part.partNumber = Int(try RecordReader.uint64(value))
            case 2: part.etag = RecordReader.string(value)
            case 3: part.byteCount = try RecordReader.int64(value)
            case 4:
                let fields = try RecordReader.parts(value)
                guard fields.count == 2, fields[0].count == BlobDigest.byteCount else { throw IndexError.corrupt("part chunk") }
                part.chunks.append(Chunk(digest: BlobDigest(bytes: fields[0]), byteCount: Int64(try RecordReader.uint64(fields[1]))))
            case 5: part.checksum = try ObjectVersion.checksum(value)
            case 6: part.lastModifiedMilliseconds = try RecordReader.int64(value)
            case 7: part.crc32 = UInt32(truncatingIfNeeded: try RecordReader.uint64(value))
            default: continue
            }
        }
        self = part
    }
}

/// The outcome of a completed upload, kept for a while so that completing again answers the same.
public struct CompletedUpload: Sendable, Equatable {
    public let bucketID: UInt64
    public let key: String
    public let etag: String
    public let checksum: ChecksumValue?
    public let checksumType: ChecksumType
    public let partCount: Int
    public let versionSequence: UInt64
    public let versionIsNull: Bool
    public let completedMilliseconds: Int64

    public var versionID: VersionID { versionIsNull ? .null : VersionID(sequence: versionSequence) }

    func encoded() -> [UInt8] {
        var writer = RecordWriter(format: 1)
        writer.field(1, bucketID)
        writer.field(2, key)
        writer.field(3, etag)
        if let checksum { writer.field(4, parts: [[checksum.algorithm.rawValue], checksum.bytes]) }
        writer.field(5, UInt64(checksumType.rawValue))
        writer.field(6, UInt64(partCount))
        writer.field(7, versionSequence)
        writer.field(8, versionIsNull)
        writer.field(9, completedMilliseconds)
        return writer.bytes
    }

    init(
        bucketID: UInt64, key: String, etag: String, checksum: ChecksumValue?, checksumType: ChecksumType, partCount: Int,
        versionSequence: UInt64, versionIsNull: Bool, completedMilliseconds: Int64
    ) {
        self.bucketID = bucketID
        self.key = key
        self.etag = etag
        self.checksum = checksum
        self.checksumType = checksumType
        self.partCount = partCount
        self.versionSequence = versionSequence
        self.versionIsNull = versionIsNull
        self.completedMilliseconds = completedMilliseconds
    }

    init(decoding bytes: [UInt8]) throws(IndexError) {
        var reader = try RecordReader(bytes)
        var fields: [UInt8: ArraySlice<UInt8>] = [:]
        while let (tag, value) = try reader.next() { fields[tag] = value }
        guard let bucket = fields[1], let key = fields[2], let etag = fields[3], let count = fields[6], let sequence = fields[7],
            let completed = fields[9]
        else { throw IndexError.corrupt("completed upload") }
        var checksum: ChecksumValue?
        if let value = fields[4] { checksum = try ObjectVersion.checksum(value) }
        var checksumTypeRaw: UInt64 = 0
        if let value = fields[5] { checksumTypeRaw = try RecordReader.uint64(value) }
        self.init(
            bucketID: try RecordReader.uint64(bucket), key: RecordReader.string(key), etag: RecordReader.string(etag),
            checksum: checksum, checksumType: ChecksumType(rawValue: UInt8(truncatingIfNeeded: checksumTypeRaw)) ?? .fullObject,
            partCount: Int(try RecordReader.uint64(count)), versionSequence: try RecordReader.uint64(sequence),
            versionIsNull: fields[8].map(RecordReader.bool) ?? false, completedMilliseconds: try RecordReader.int64(completed)
        )
    }
}
