#if canImport(Glibc)
    import Glibc
#endif

/// An operating condition the blob store ran into. Callers map `kind` to a protocol error.
public struct BlobStoreError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// No blob with that digest, or no such file.
        case notFound
        /// The body was longer than the limit the caller set.
        case tooLarge
        /// The body ended before, or went on past, the length the caller declared.
        case lengthMismatch
        /// The file system is full (`ENOSPC`, `EDQUOT`).
        case noSpace
        /// Any other failed system call (`EIO`, a failed fsync …).
        case ioFailure
        /// A blob's bytes no longer hash to its name.
        case corrupt
    }

    public let kind: Kind
    public let message: String
    public let errorNumber: Int32?

    public init(_ kind: Kind, _ message: String, errorNumber: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.errorNumber = errorNumber
    }

    /// Classifies a failed system call by its `errno`.
    public static func system(_ operation: String, path: String, errorNumber: Int32) -> BlobStoreError {
        let reason = String(cString: strerror(errorNumber))
        let text = "\(operation) \(path): \(reason)"
        switch errorNumber {
        case ENOENT: return BlobStoreError(.notFound, text, errorNumber: errorNumber)
        case ENOSPC, EDQUOT: return BlobStoreError(.noSpace, text, errorNumber: errorNumber)
        default: return BlobStoreError(.ioFailure, text, errorNumber: errorNumber)
        }
    }

    public var description: String { message }
}
