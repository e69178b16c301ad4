import BlobStore
import Index
import ServiceLifecycle

/// Owns the index and the blob store for the life of the daemon. It is the first service of the
/// group, so it stops last: the listeners have drained before the index closes.
struct StoreService: Service {
    let catalog: Catalog
    let blobs: any BlobStorage

    func run() async throws {
        try? await gracefulShutdown()
        await catalog.close()
        await blobs.shutdown()
    }
}
