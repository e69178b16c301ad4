/// The versioning state of a bucket.
public enum VersioningState: UInt8, Sendable {
    case unversioned = 0
    case enabled = 1
    case suspended = 2
}

/// A bucket, as the index keeps it.
public struct BucketRecord: Hashable, Sendable {
    /// Internal id: the root of the bucket's keys in the key tree.
    public let id: UInt64
    public let name: String
    /// The user who created it.
    public var owner: String
    public var createdAtMilliseconds: Int64
    public var versioning: VersioningState
    /// The LocationConstraint it was created with, if any.
    public var location: String?
    public var objectLockEnabled: Bool
    /// The bucket's ACL; nil means private to the owner.
    public var acl: AccessControlList?
    /// The bucket policy document (JSON) as the owner gave it.
    public var policy: [UInt8]?
    /// PublicAccessBlock: bit 0 BlockPublicAcls, 1 IgnorePublicAcls, 2 BlockPublicPolicy, 3 RestrictPublicBuckets.
    public var publicAccessBlock: UInt8?
    /// ObjectOwnership: BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter.
    public var ownership: String?
    /// The CORS configuration document (XML) as the owner gave it.
    public var cors: [UInt8]?
    /// Object Lock's default retention for new versions (only with `objectLockEnabled`).
    public var defaultRetention: DefaultRetention?
    /// Default encryption (PutBucketEncryption) for writes that name none.
    public var encryption: BucketEncryption?

    public init(
        id: UInt64, name: String, owner: String, createdAtMilliseconds: Int64,
        versioning: VersioningState = .unversioned, location: String? = nil, objectLockEnabled: Bool = false
    ) {
        self.id = id
        self.name = name
        self.owner = owner
        self.createdAtMilliseconds = createdAtMilliseconds
        self.versioning = versioning
        self.location = location
        self.objectLockEnabled = objectLockEnabled
    }

    private enum Tag {
        static let id: UInt8 = 1
        static let owner: UInt8 = 2
        static let createdAt: UInt8 = 3
        static let versioning: UInt8 = 4
        static let location: UInt8 = 5
        static let objectLock: UInt8 = 6
        static let acl: UInt8 = 7
        static let policy: UInt8 = 8
        static let publicAccessBlock: UInt8 = 9
        static let ownership: UInt8 = 10
        static let cors: UInt8 = 11
        static let defaultRetention: UInt8 = 12
        static let encryption: UInt8 = 13
    }

    func encoded() -> [UInt8] {
        var writer = RecordWriter(format: 1)
        writer.field(Tag.id, id)
        writer.field(Tag.owner, owner)
        writer.field(Tag.createdAt, createdAtMilliseconds)
        writer.field(Tag.versioning, UInt64(versioning.rawValue))
        if let location { writer.field(Tag.location, location) }
        if objectLockEnabled { writer.field(Tag.objectLock, true) }
        if let acl { writer.field(Tag.acl, bytes: acl.encoded()) }
        if let policy { writer.field(Tag.policy, bytes: policy) }
        if let publicAccessBlock { writer.field(Tag.publicAccessBlock, UInt64(publicAccessBlock)) }
        if let ownership { writer.field(Tag.ownership, ownership) }
        if let cors { writer.field(Tag.cors, bytes: cors) }
        if let defaultRetention {
            let (unit, count): (UInt8, Int)
            switch defaultRetention.period {
            case .days(let days): (unit, count) = (0, days)
            case .years(let years): (unit, count) = (1, years)
            }
            var countBytes = [UInt8]()
            RecordWriter.appendVarint(UInt64(count), to: &countBytes)
            writer.field(Tag.defaultRetention, parts: [[defaultRetention.mode.rawValue], [unit], countBytes])
        }
        if let encryption {
            writer.field(
                Tag.encryption,
                parts: [[encryption.kind.rawValue], Array((encryption.masterKeyID ?? "").utf8), [encryption.bucketKeyEnabled ? 1 : 0]])
        }
        return writer.bytes
    }

    init(name: String, decoding bytes: [UInt8]) throws(IndexError) {
        var reader = try RecordReader(bytes)
        var id: UInt64?
        var record = BucketRecord(id: 0, name: name, owner: "", createdAtMilliseconds: 0)
        while let (tag, value) = try reader.next() {
            switch tag {
            case Tag.id: id = try RecordReader.uint64(value)
            case Tag.owner: record.owner = RecordReader.string(value)
            case Tag.createdAt: record.createdAtMilliseconds = try RecordReader.int64(value)
            case Tag.versioning:
                record.versioning = VersioningState(rawValue: UInt8(truncatingIfNeeded: try RecordReader.uint64(value))) ?? .unversioned
            case Tag.location: record.location = RecordReader.string(value)
            case Tag.objectLock: record.objectLockEnabled = RecordReader.bool(value)
            case Tag.acl: record.acl = try AccessControlList(decoding: value)
            case Tag.policy: record.policy = Array(value)
            case Tag.publicAccessBlock: record.publicAccessBlock = UInt8(truncatingIfNeeded: try RecordReader.uint64(value))
            case Tag.ownership: record.ownership = RecordReader.string(value)
            case Tag.cors: record.cors = Array(value)
            case Tag.defaultRetention:
                let parts = try RecordReader.parts(value)
                guard parts.count == 3, let raw = parts[0].first, let mode = RetentionMode(rawValue: raw), let unit = parts[1].first else {
                    throw IndexError.corrupt("bucket \(name) default retention")
                }
                let count = Int(truncatingIfNeeded: try RecordReader.uint64(parts[2]))
                record.defaultRetention = DefaultRetention(mode: mode, period: unit == 0 ? .days(count) : .years(count))
            case Tag.encryption:
                let parts = try RecordReader.parts(value)
                guard parts.count == 3, let raw = parts[0].first, let kind = EncryptionKind(rawValue: raw), kind != .customer else {
                    throw IndexError.corrupt("bucket \(name) encryption")
                }
                let keyID = RecordReader.string(parts[1])
                record.encryption = BucketEncryption(kind: kind, masterKeyID: keyID.isEmpty ? nil : keyID, bucketKeyEnabled: parts[2].first == 1)
            default: continue
            }
        }
        guard let id else { throw IndexError.corrupt("bucket \(name) has no id") }
        var decoded = BucketRecord(
            id: id, name: name, owner: record.owner, createdAtMilliseconds: record.createdAtMilliseconds,
            versioning: record.versioning, location: record.location, objectLockEnabled: record.objectLockEnabled
        )
        decoded.acl = record.acl
        decoded.policy = record.policy
        decoded.publicAccessBlock = record.publicAccessBlock
        decoded.ownership = record.ownership
        decoded.cors = record.cors
        decoded.defaultRetention = record.defaultRetention
        decoded.encryption = record.encryption
        self = decoded
    }
}
