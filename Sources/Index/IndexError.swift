/// Conditions the catalog reports to its callers, in the catalog's own words. The S3 and Hypha
/// faces map each to their own error codes in one place.
public enum IndexError: Error, Equatable, Sendable, CustomStringConvertible {
    case noSuchBucket(String)
    /// The name is taken by another owner.
    case bucketOwnedByAnother(String)
    /// The name is taken by the caller.
    case bucketOwnedByCaller(String)
    case bucketNotEmpty(String)
    case noSuchKey(bucket: String, key: String)
    case noSuchVersion(bucket: String, key: String, versionID: String)
    case noSuchUpload(String)
    case invalidPart(String)
    case invalidPartOrder
    /// A part other than the last is smaller than the minimum part size.
    case partTooSmall(partNumber: Int)
    case preconditionFailed
    /// A checksum given by the client does not match what spore computed.
    case checksumMismatch(String)
    /// A request that is well-formed but not acceptable (e.g. a missing part checksum).
    case invalidRequest(String)
    /// The named operation cannot act on a delete marker.
    case deleteMarker(operation: String)
    /// A named record (user, access key, share, artifact …) does not exist; the text names it.
    case notFound(String)
    /// A record with that name exists already; the text names it.
    case alreadyExists(String)
    case corrupt(String)
    case closed
    /// Object Lock keeps the version: its retention or legal hold has not ended.
    case objectLocked(ObjectLockRules.Refusal)

    public var description: String {
        switch self {
        case .noSuchBucket(let bucket): return "no bucket \(bucket)"
        case .bucketOwnedByAnother(let bucket): return "bucket \(bucket) exists and belongs to someone else"
        case .bucketOwnedByCaller(let bucket): return "bucket \(bucket) already exists and is yours"
        case .bucketNotEmpty(let bucket): return "bucket \(bucket) is not empty"
        case .noSuchKey(let bucket, let key): return "no key \(key) in \(bucket)"
        case .noSuchVersion(let bucket, let key, let versionID): return "no version \(versionID) of \(key) in \(bucket)"
        case .noSuchUpload(let uploadID): return "no upload \(uploadID)"
        case .invalidPart(let detail): return "invalid part: \(detail)"
        case .invalidPartOrder: return "parts are not in ascending order"
        case .partTooSmall(let partNumber): return "part \(partNumber) is smaller than the minimum part size"
        case .preconditionFailed: return "precondition failed"
        case .checksumMismatch(let detail): return "checksum mismatch: \(detail)"
        case .invalidRequest(let detail): return "invalid request: \(detail)"
        case .deleteMarker(let method): return "\(method) is not allowed on a delete marker"
        case .notFound(let what): return "no \(what)"
        case .alreadyExists(let what): return "\(what) exists"
        case .corrupt(let detail): return "index record is corrupt: \(detail)"
        case .closed: return "the index is closed"
        case .objectLocked(let refusal): return "the version is protected by object lock (\(refusal))"
        }
    }
}
