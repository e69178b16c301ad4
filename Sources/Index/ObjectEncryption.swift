/// The server-side encryption kinds S3 names.
public enum EncryptionKind: UInt8, Sendable, CaseIterable {
    /// SSE-C: the client sends the key with every request; spore never stores it.
    case customer = 1
    /// SSE-S3 (`AES256`): a data key per object, wrapped by spore's default master key.
    case s3 = 2
    /// SSE-KMS (`aws:kms`): a data key per object, wrapped by a named master key.
    case kms = 3

    /// The value of `x-amz-server-side-encryption` (SSE-C answers with its algorithm instead).
    public var headerValue: String {
        switch self {
        case .customer, .s3: return "AES256"
        case .kms: return "aws:kms"
        }
    }
}

/// How an object's bytes are encrypted at rest, as its record keeps it. Never the key itself:
/// for SSE-C a salted MAC that tells a wrong key from the right one, for SSE-S3 and SSE-KMS the
/// data key sealed by a master key.
public struct ObjectEncryption: Hashable, Sendable {
    public var kind: EncryptionKind
    /// SSE-S3 and SSE-KMS: the master key that sealed the data key, and which of its versions.
    public var masterKeyID: String?
    public var masterKeyVersion: UInt32
    /// SSE-S3 and SSE-KMS: the data key, sealed (AES-256-GCM) by the master key.
    public var sealedDataKey: [UInt8]
    /// SSE-C: a random salt and HMAC-SHA256 of the customer key under a server-secret key.
    public var customerKeySalt: [UInt8]
    public var customerKeyMAC: [UInt8]
    /// SSE-KMS: the encryption context the client gave (base64 JSON), echoed back.
    public var context: String?
    /// SSE-KMS: `x-amz-server-side-encryption-bucket-key-enabled`, echoed back.
    public var bucketKeyEnabled: Bool

    public init(
        kind: EncryptionKind, masterKeyID: String? = nil, masterKeyVersion: UInt32 = 0, sealedDataKey: [UInt8] = [],
        customerKeySalt: [UInt8] = [], customerKeyMAC: [UInt8] = [], context: String? = nil, bucketKeyEnabled: Bool = false
    ) {
        self.kind = kind
        self.masterKeyID = masterKeyID
        self.masterKeyVersion = masterKeyVersion
        self.sealedDataKey = sealedDataKey
        self.customerKeySalt = customerKeySalt
        self.customerKeyMAC = customerKeyMAC
        self.context = context
        self.bucketKeyEnabled = bucketKeyEnabled
    }

    /// The same sealed key with the encryption context a copy asked for.
    public func withContext(_ context: String) -> ObjectEncryption {
        var copy = self
        copy.context = context
        return copy
    }

    private enum Tag {
        static let kind: UInt8 = 1
        static let masterKeyID: UInt8 = 2
        static let masterKeyVersion: UInt8 = 3
        static let sealedDataKey: UInt8 = 4
        static let customerKeySalt: UInt8 = 5
        static let customerKeyMAC: UInt8 = 6
        static let context: UInt8 = 7
        static let bucketKeyEnabled: UInt8 = 8
    }

    public func encoded() -> [UInt8] {
        var writer = RecordWriter(format: 1, capacity: 128)
        writer.field(Tag.kind, UInt64(kind.rawValue))
        if let masterKeyID { writer.field(Tag.masterKeyID, masterKeyID) }
        if masterKeyVersion != 0 { writer.field(Tag.masterKeyVersion, UInt64(masterKeyVersion)) }
        if !sealedDataKey.isEmpty { writer.field(Tag.sealedDataKey, bytes: sealedDataKey) }
        if !customerKeySalt.isEmpty { writer.field(Tag.customerKeySalt, bytes: customerKeySalt) }
        if !customerKeyMAC.isEmpty { writer.field(Tag.customerKeyMAC, bytes: customerKeyMAC) }
        if let context { writer.field(Tag.context, context) }
        if bucketKeyEnabled { writer.field(Tag.bucketKeyEnabled, true) }
        return writer.bytes
    }

    public init(decoding bytes: ArraySlice<UInt8>) throws(IndexError) {
        var reader = try RecordReader(Array(bytes))
        var decoded = ObjectEncryption(kind: .s3)
        var sawKind = false
        while let (tag, value) = try reader.next() {
            switch tag {
            case Tag.kind:
                guard let kind = EncryptionKind(rawValue: UInt8(truncatingIfNeeded: try RecordReader.uint64(value))) else {
                    throw IndexError.corrupt("encryption kind")
                }
                decoded.kind = kind
                sawKind = true
            case Tag.masterKeyID: decoded.masterKeyID = RecordReader.string(value)
            case Tag.masterKeyVersion: decoded.masterKeyVersion = UInt32(truncatingIfNeeded: try RecordReader.uint64(value))
            case Tag.sealedDataKey: decoded.sealedDataKey = Array(value)
            case Tag.customerKeySalt: decoded.customerKeySalt = Array(value)
            case Tag.customerKeyMAC: decoded.customerKeyMAC = Array(value)
            case Tag.context: decoded.context = RecordReader.string(value)
            case Tag.bucketKeyEnabled: decoded.bucketKeyEnabled = RecordReader.bool(value)
            default: continue
            }
        }
        // An encrypted object whose kind is unknown must not be served as plain bytes.
        guard sawKind else { throw IndexError.corrupt("encryption record without a kind") }
        self = decoded
    }
}

/// A bucket's default encryption (PutBucketEncryption): what a write without SSE headers gets.
public struct BucketEncryption: Hashable, Sendable {
    /// `.s3` or `.kms` (SSE-C cannot be a default: the server has no key).
    public var kind: EncryptionKind
    /// For `.kms`: the master key; nil means the default key.
    public var masterKeyID: String?
    public var bucketKeyEnabled: Bool

    public init(kind: EncryptionKind, masterKeyID: String? = nil, bucketKeyEnabled: Bool = false) {
        precondition(kind != .customer, "SSE-C cannot be a bucket default")
        self.kind = kind
        self.masterKeyID = masterKeyID
        self.bucketKeyEnabled = bucketKeyEnabled
    }
}
