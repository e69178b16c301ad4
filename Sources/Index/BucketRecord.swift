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
    }

    func encoded() -> [UInt8] {
        var writer = RecordWriter(format: 1)
        writer.field(Tag.id, id)
        writer.field(Tag.owner, owner)
        writer.field(Tag.createdAt, createdAtMilliseconds)
        writer.field(Tag.versioning, UInt64(versioning.rawValue))
        if let location { writer.field(Tag.location, location) }
        if objectLockEnabled { writer.field(Tag.objectLock, true) }
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
            default: continue
            }
        }
        guard let id else { throw IndexError.corrupt("bucket \(name) has no id") }
        self = BucketRecord(
            id: id, name: name, owner: record.owner, createdAtMilliseconds: record.createdAtMilliseconds,
            versioning: record.versioning, location: record.location, objectLockEnabled: record.objectLockEnabled
        )
    }
}
