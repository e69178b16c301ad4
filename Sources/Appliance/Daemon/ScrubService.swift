import BlobStore
import Index
import Logging
import ServiceLifecycle

/// Re-reads every blob slowly, at a configured rate, and moves any whose bytes no longer hash to
/// their name to `quarantine/`, so that corruption is found before a client reads it and is never
/// served: a read of a quarantined blob fails instead of returning wrong bytes.
struct ScrubService: Service {
    static let batchCountMax = 64

    let catalog: Catalog
    let blobs: any BlobStorage
    let bytesPerSecond: Int64
    let logger: Logger

    func run() async throws {
        guard bytesPerSecond > 0 else {
            try? await gracefulShutdown()
            return
        }
        var position: BlobDigest?
        while !Task.isCancelledOrShuttingDown {
            let batch = (try? catalog.blobs(after: position, limit: Self.batchCountMax)) ?? []
            if batch.isEmpty {
                position = nil
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(60)) }
                continue
            }
            for blob in batch {
                if Task.isCancelledOrShuttingDown { return }
                position = blob.digest
                guard blob.referenceCount > 0 else { continue }
                do {
                    if try await blobs.verify(blob.digest) == false {
                        try await blobs.quarantine(blob.digest)
                        logger.error("scrub: blob does not match its digest; quarantined", metadata: ["blob": "\(blob.digest)"])
                    }
                } catch let error as BlobStoreError where error.kind == .notFound {
                    logger.error("scrub: referenced blob is missing", metadata: ["blob": "\(blob.digest)"])
                } catch {
                    logger.warning("scrub: could not verify blob", metadata: ["blob": "\(blob.digest)", "error": "\(error)"])
                }
                // Pace the reads: this blob's bytes at the configured rate.
                let nanoseconds = UInt64(max(blob.byteCount, 4096)) * 1_000_000_000 / UInt64(bytesPerSecond)
                try? await cancelWhenGracefulShutdown { try await Task.sleep(nanoseconds: nanoseconds) }
            }
        }
    }
}
