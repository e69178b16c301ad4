import Synchronization

/// Keeps a freshly placed blob safe from the garbage collector until the index entry that refers
/// to it is committed. Released explicitly, or when the lease goes away.
public final class BlobLease: Sendable {
    public let digest: BlobDigest
    private let store: LocalBlobStore
    private let released = Atomic<Bool>(false)

    init(digest: BlobDigest, store: LocalBlobStore) {
        self.digest = digest
        self.store = store
    }

    /// Lets the collector consider the blob again. Safe to call more than once.
    public func release() {
        if !released.exchange(true, ordering: .acquiringAndReleasing) { store.unpin(digest) }
    }

    deinit { release() }
}
