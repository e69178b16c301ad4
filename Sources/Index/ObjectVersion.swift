import BlobStore

/// A piece of an object's body: a whole blob.
public struct Chunk: Hashable, Sendable {
    public let digest: BlobDigest
    public let byteCount: Int64

    public init(digest: BlobDigest, byteCount: Int64) {
        precondition(byteCount >= 0, "chunk lengths are never negative")
        self.digest = digest
        self.byteCount = byteCount
    }
}

/// Where an object's bytes are.
public enum ObjectBody: Hashable, Sendable {
    /// Small bodies live in the record itself: one durable write instead of a file and two fsyncs.
    case inline([UInt8])
    /// The ordered blobs whose concatenation is the body (one for a PUT, one per part after a
    /// multipart upload).
    case chunks([Chunk])

    public var chunks: [Chunk] {
        if case .chunks(let chunks) = self { return chunks }
        return []
    }
}

/// How the object's checksum relates to its parts (for multipart uploads).
public enum ChecksumType: UInt8, Sendable {
    case fullObject = 0
    case composite = 1
}

/// The standard HTTP headers S3 stores with an object and returns on GET and HEAD.
public struct ContentHeaders: Hashable, Sendable {
    public var contentType: String?
    public var contentEncoding: String?
    public var contentDisposition: String?
    public var contentLanguage: String?
    public var cacheControl: String?
    public var expires: String?

    public init(
        contentType: String? = nil, contentEncoding: String? = nil, contentDisposition: String? = nil,
        contentLanguage: String? = nil, cacheControl: String? = nil, expires: String? = nil
    ) {
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.contentDisposition = contentDisposition
        self.contentLanguage = contentLanguage
        self.cacheControl = cacheControl
        self.expires = expires
    }
}

/// One version of an object, as the index keeps it. Designed with versioning and TTL from the start:
/// every version has a sequence number and may carry an expiry.
public struct ObjectVersion: Hashable, Sendable {
    /// Orders versions; unique across the index; newer versions have larger numbers.
    public var sequence: UInt64
    /// The `null` version of unversioned and suspended buckets.
    public var isNullVersion: Bool
    public var isDeleteMarker: Bool
    public var byteCount: Int64
    /// ETag without quotes: hex MD5, or `md5-of-md5s-N` for multipart uploads.
    public var etag: String
    public var lastModifiedMilliseconds: Int64
    public var headers: ContentHeaders
    /// `x-amz-meta-*` names (lowercased, without the prefix) and values, in the order given.
    public var userMetadata: [(name: String, value: String)]
    public var checksums: [ChecksumValue]
    public var checksumType: ChecksumType
    public var body: ObjectBody
    /// Byte length of each part of a multipart upload, for `partNumber` reads; empty otherwise.
    public var partByteCounts: [Int64]
    /// Each part's checksum, when the upload used a checksum algorithm.
    public var partChecksums: [ChecksumValue]
    /// Milliseconds since the epoch after which the version is gone for every reader.
    public var expiresAtMilliseconds: Int64?
    public var tags: [(name: String, value: String)]
    public var owner: String
    public var storageClass: String?
    /// The object's ACL; nil means private to its owner.
    public var acl: AccessControlList? = nil
    /// CRC-32 of the object's bytes, known from ingest (nil for versions stored before spore kept
    /// it): zip archives of objects need it before they send a byte.
    public var crc32: UInt32? = nil
    /// Object Lock retention (mode and date), if the version has one.
    public var retention: Retention? = nil
    /// Object Lock legal hold: the version cannot be removed while it is on.
    public var legalHold = false
    /// How the bytes are encrypted at rest, for SSE objects; nil for plain ones.
    public var encryption: ObjectEncryption? = nil

    public init(
        sequence: UInt64 = 0, isNullVersion: Bool = true, isDeleteMarker: Bool = false, byteCount: Int64,
        etag: String, lastModifiedMilliseconds: Int64, headers: ContentHeaders = ContentHeaders(),
        userMetadata: [(name: String, value: String)] = [], checksums: [ChecksumValue] = [],
        checksumType: ChecksumType = .fullObject, body: ObjectBody, partByteCounts: [Int64] = [],
        partChecksums: [ChecksumValue] = [], expiresAtMilliseconds: Int64? = nil, tags: [(name: String, value: String)] = [], owner: String,
        storageClass: String? = nil
    ) {
        self.sequence = sequence
        self.isNullVersion = isNullVersion
        self.isDeleteMarker = isDeleteMarker
        self.byteCount = byteCount
        self.etag = etag
        self.lastModifiedMilliseconds = lastModifiedMilliseconds
        self.headers = headers
        self.userMetadata = userMetadata
        self.checksums = checksums
        self.checksumType = checksumType
        self.body = body
        self.partByteCounts = partByteCounts
        self.partChecksums = partChecksums
        self.expiresAtMilliseconds = expiresAtMilliseconds
        self.tags = tags
        self.owner = owner
        self.storageClass = storageClass
    }

    /// A delete marker created at `now`.
    public static func deleteMarker(sequence: UInt64, isNullVersion: Bool, owner: String, nowMilliseconds: Int64) -> ObjectVersion {
        ObjectVersion(
            sequence: sequence, isNullVersion: isNullVersion, isDeleteMarker: true, byteCount: 0, etag: "",
            lastModifiedMilliseconds: nowMilliseconds, body: .inline([]), owner: owner
        )
    }

    /// The version id S3 clients see.
    public var versionID: VersionID { isNullVersion ? .null : VersionID(sequence: sequence) }

    /// Whether the version has expired at `nowMilliseconds`.
    public func isExpired(atMilliseconds nowMilliseconds: Int64) -> Bool {
        guard let expiry = expiresAtMilliseconds else { return false }
        // A TTL never outranks Object Lock: a protected version stays visible until it is free.
        return nowMilliseconds >= expiry && !isLocked(atMilliseconds: nowMilliseconds)
    }

    public static func == (lhs: ObjectVersion, rhs: ObjectVersion) -> Bool {
        lhs.encoded() == rhs.encoded()
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(encoded())
    }
}

/// An S3 version id: `null`, or an opaque string that encodes the version's sequence number.
public struct VersionID: Hashable, Sendable, CustomStringConvertible {
    public static let null = VersionID(rawValue: "null", sequence: nil)

    public let rawValue: String
    /// The sequence number for non-null ids.
    public let sequence: UInt64?

    private init(rawValue: String, sequence: UInt64?) {
        self.rawValue = rawValue
        self.sequence = sequence
    }

    /// 20 characters from a URL-safe alphabet, ordered like the sequence number.
    public init(sequence: UInt64) {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
        // Mixing in a fixed permutation makes ids look random while staying decodable.
        var value = sequence ^ 0x5DEE_CE66_D1CE_4E5B
        var characters = [UInt8](repeating: alphabet[0], count: 11)
        for index in stride(from: 10, through: 0, by: -1) {
            characters[index] = alphabet[Int(value % 62)]
            value /= 62
        }
        self.rawValue = "sp" + String(decoding: characters, as: UTF8.self) + "v1"
        self.sequence = sequence
    }

    /// Parses an id from a request; nil if it is not one spore could have issued.
    public init?(parsing text: String) {
        if text == "null" {
            self = .null
            return
        }
        let bytes = Array(text.utf8)
        guard bytes.count == 15, text.hasPrefix("sp"), text.hasSuffix("v1") else { return nil }
        var value: UInt64 = 0
        for byte in bytes[2..<13] {
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): digit = UInt64(byte - UInt8(ascii: "A")) + 10
            case UInt8(ascii: "a")...UInt8(ascii: "z"): digit = UInt64(byte - UInt8(ascii: "a")) + 36
            default: return nil
            }
            let (multiplied, overflowMultiply) = value.multipliedReportingOverflow(by: 62)
            let (added, overflowAdd) = multiplied.addingReportingOverflow(digit)
            guard !overflowMultiply, !overflowAdd else { return nil }
            value = added
        }
        self.init(sequence: value ^ 0x5DEE_CE66_D1CE_4E5B)
        guard self.rawValue == text else { return nil }
    }

    public var description: String { rawValue }
}
