import BlobStore

/// What can go wrong in the object service, in the object service's words. Each face maps these
/// to its own wire shape in one place (S3: `S3Error.from`; Hypha: `HyphaError.from`).
public enum ObjectError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A body larger than the limit that applies (`byteCountMax` bytes).
    case tooLarge(byteCountMax: Int64)
    /// The body ended before (or ran past) the length the client declared.
    case incompleteBody
    /// `Content-MD5` does not match the bytes.
    case md5Mismatch
    /// A checksum the client declared does not match the bytes.
    case checksumMismatch(ChecksumAlgorithm)
    /// The SHA-256 the client signed does not match the body.
    case contentSHA256Mismatch(client: String, server: String)
    /// The disk holding the blobs is below its reserve.
    case storageFull
    /// A `Range` that starts past the end of an object of `byteCount` bytes.
    case unsatisfiableRange(byteCount: Int64)
    /// An SSE-C object read (or copied, or extended by a part) without its key.
    case customerKeyRequired
    /// An SSE-C object read with a key other than the one it was written with.
    case customerKeyMismatch
    /// A customer key given for an object that is not SSE-C.
    case customerKeyNotApplicable
    /// A KMS master key that does not exist.
    case unknownMasterKey(String)

    public var description: String {
        switch self {
        case .tooLarge(let limit): return "the body exceeds \(limit) bytes"
        case .incompleteBody: return "the body does not have the declared length"
        case .md5Mismatch: return "the Content-MD5 does not match the body"
        case .checksumMismatch(let algorithm): return "the declared \(algorithm) checksum does not match the body"
        case .contentSHA256Mismatch(let client, let server): return "the body's SHA-256 is \(server), not \(client)"
        case .storageFull: return "the disk is below its free-space reserve"
        case .unsatisfiableRange(let byteCount): return "the range is outside the object's \(byteCount) bytes"
        case .customerKeyRequired: return "the object is encrypted with a customer key, which the request does not give"
        case .customerKeyMismatch: return "the customer key is not the one the object was encrypted with"
        case .customerKeyNotApplicable: return "the object is not encrypted with a customer key"
        case .unknownMasterKey(let id): return "no master key \(id)"
        }
    }
}
