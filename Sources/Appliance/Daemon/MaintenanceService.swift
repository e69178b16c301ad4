import BlobStore
import Index
import Logging
import ServiceLifecycle

/// Background upkeep of the store, as one service: aborts abandoned multipart uploads, collects
/// blobs nothing refers to after a grace period, and adopts orphan blobs left by crashes.
struct MaintenanceService: Service {
    struct Settings: Sendable {
        /// How often the collector and janitor run.
        var intervalSeconds: Int64 = 60
        /// How long an unreferenced blob is kept before it is deleted.
        var garbageGraceSeconds: Int64 = 3600
        /// Uploads older than this are aborted.
        var uploadAgeMaxSeconds: Int64 = 7 * 24 * 3600
        /// How often the whole blob directory is scanned for orphans (also once at start).
        var orphanScanIntervalSeconds: Int64 = 24 * 3600
        /// Work done per round, so that one round never holds the writer for long.
        var batchCountMax = 1000
        /// How often segments are compacted when no garbage was collected (a round that collected
        /// some compacts anyway): each pass reads every blob record of the index.
        var compactionIntervalSeconds: Int64 = 3600
    }

    let catalog: Catalog
    let blobs: any BlobStorage
    let clock: any WallClock
    let settings: Settings
    let logger: Logger

    func run() async throws {
        var lastOrphanScan: Int64?
        var lastCompaction: Int64?
        while !Task.isCancelledOrShuttingDown {
            let now = clock.nowMilliseconds()
            do {
                if lastOrphanScan.map({ now - $0 >= settings.orphanScanIntervalSeconds * 1000 }) ?? true {
                    let adopted = try await Self.adoptOrphans(catalog: catalog, blobs: blobs, nowMilliseconds: now)
                    if adopted > 0 { logger.info("adopted orphan blobs for collection", metadata: ["count": "\(adopted)"]) }
                    lastOrphanScan = now
                }
                let expired = try await catalog.sweepExpired(nowMilliseconds: now, limit: settings.batchCountMax)
                if expired > 0 { logger.info("removed versions whose TTL passed", metadata: ["count": "\(expired)"]) }
                let lifecycle = try await catalog.sweepLifecycle(nowMilliseconds: now, limit: settings.batchCountMax)
                if lifecycle > 0 { logger.info("applied lifecycle rules", metadata: ["versions": "\(lifecycle)"]) }
                let aborted =
                    try await catalog.uploads.abortUploads(
                        initiatedBefore: now - settings.uploadAgeMaxSeconds * 1000, limit: settings.batchCountMax, nowMilliseconds: now
                    ) + catalog.abortUploadsByLifecycle(nowMilliseconds: now, limit: settings.batchCountMax)
                if aborted > 0 { logger.info("aborted abandoned multipart uploads", metadata: ["count": "\(aborted)"]) }
                // Batch after batch while the queue is full and the round has time: one batch a round
                // (1000 blobs a minute) falls behind a client that overwrites a few hundred objects
                // a second, and the disk fills with garbage (found by the soak test).
                let roundStarted = ContinuousClock.now
                let budget = Duration.seconds(max(Self.garbageRoundSecondsMin, settings.intervalSeconds / 2))
                var collected = 0
                while !Task.isCancelledOrShuttingDown {
                    let batch = try await Self.collectGarbage(
                        catalog: catalog, blobs: blobs, before: now - settings.garbageGraceSeconds * 1000, limit: settings.batchCountMax
                    )
                    collected += batch
                    if batch < settings.batchCountMax || ContinuousClock.now - roundStarted > budget { break }
                }
                if collected > 0 { logger.debug("collected unreferenced blobs", metadata: ["count": "\(collected)"]) }
                // Segments opened for reads are reopened on demand: an idle daemon holds none.
                (blobs as? LocalBlobStore)?.closeIdleSegments()
                if let store = blobs as? LocalBlobStore,
                    collected > 0 || lastCompaction.map({ now - $0 >= settings.compactionIntervalSeconds * 1000 }) ?? true
                {
                    let report = try await store.compactSegments()
                    lastCompaction = now
                    if report.segmentsDeleted + report.segmentsRewritten > 0 {
                        logger.info(
                            "compacted segments",
                            metadata: [
                                "rewritten": "\(report.segmentsRewritten)", "deleted": "\(report.segmentsDeleted)", "moved": "\(report.blobsMoved)",
                                "freedBytes": "\(report.byteCountReclaimed)",
                            ])
                    }
                    if report.blobsSkippedCorrupt > 0 {
                        logger.error(
                            "segment blobs no longer match their digest; left for the scrub", metadata: ["count": "\(report.blobsSkippedCorrupt)"])
                    }
                }
            } catch {
                logger.error("maintenance round failed", metadata: ["error": "\(error)"])
            }
            let interval = settings.intervalSeconds
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
        }
    }

    /// Time a round may spend collecting garbage at least (else half the interval).
    static let garbageRoundSecondsMin: Int64 = 5

    /// Deletes blobs that have been unreferenced since before `cutoff`. Returns how many.
    static func collectGarbage(catalog: Catalog, blobs: any BlobStorage, before cutoff: Int64, limit: Int) async throws -> Int {
        var collected = 0
        for candidate in try catalog.garbage(before: cutoff, limit: limit) {
            let removed = try await blobs.collect(candidate.digest) {
                try await catalog.forgetBlob(candidate.digest, zeroSinceMilliseconds: candidate.zeroSinceMilliseconds)
            }
            if removed { collected += 1 }
        }
        return collected
    }

    /// Finds blob files the index knows nothing of and queues them for collection.
    static func adoptOrphans(catalog: Catalog, blobs: any BlobStorage, nowMilliseconds: Int64) async throws -> Int {
        let onDisk = try await blobs.allDigests().filter { !blobs.isPinned($0) }
        let orphans = try catalog.unknownBlobs(onDisk).filter { !blobs.isPinned($0) }
        if !orphans.isEmpty { try await catalog.objects.adoptOrphans(orphans, nowMilliseconds: nowMilliseconds) }
        return orphans.count
    }
}

extension Task where Success == Never, Failure == Never {
    /// Whether the current task should stop: cancelled, or the service group is shutting down.
    static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
