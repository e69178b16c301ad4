import Synchronization

/// Keeps a freshly placed blob safe from the garbage collector until the index entry that refers
/// to it is committed. Released explicitly, or when the lease goes away.
public final class BlobLease: Sendable {
    public let digest: BlobDigest
    private let unpin: @Sendable (BlobDigest) -> Void
    private let released = Atomic<Bool>(false)

    /// `unpin` is the store's: it runs once, when the lease is released.
    public init(digest: BlobDigest, unpin: @escaping @Sendable (BlobDigest) -> Void) {
        self.digest = digest
        self.unpin = unpin
    }

    /// Lets the collector consider the blob again. Safe to call more than once.
    public func release() {
        if !released.exchange(true, ordering: .acquiringAndReleasing) { unpin(digest) }
    }

    deinit { release() }
}
