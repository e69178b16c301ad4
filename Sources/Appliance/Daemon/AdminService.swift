import BlobStore
import Index
import Logging
import Web

/// Answers the admin API (`/_spore/admin/v1/…`, root only).
struct AdminService: Sendable {
    let catalog: Catalog
    let blobs: LocalBlobStore
    let disk: DiskMonitor
    let clock: any WallClock
    /// Test hooks (pausing the index writer, faking free space) answer only when this is set
    /// (`SPORE_DEBUG_HOOKS=1`).
    let debugHooks: Bool
    let logger: Logger

    func handle(_ request: AdminRequest) async throws -> AdminResponse {
        switch (request.method, request.command) {
        case ("POST", "gc"):
            let grace = Int64(request.query["grace"] ?? "0") ?? 0
            let now = clock.nowMilliseconds()
            let adopted = try await MaintenanceService.adoptOrphans(catalog: catalog, blobs: blobs, nowMilliseconds: now - grace * 1000 - 1)
            let collected = try await MaintenanceService.collectGarbage(catalog: catalog, blobs: blobs, before: now - grace * 1000 + 1, limit: Int.max)
            logger.info("admin: garbage collection", metadata: ["collected": "\(collected)", "adopted": "\(adopted)"])
            return AdminResponse(json: "{\"collected\": \(collected), \"adopted_orphans\": \(adopted)}")
        case ("GET", "stats"):
            let statistics = try catalog.statistics()
            return AdminResponse(json: "{\"versions\": \(statistics.versionCount), \"logical_bytes\": \(statistics.logicalByteCount), \"stored_bytes\": \(statistics.physicalByteCount), \"deduplicated_bytes\": \(statistics.deduplicatedByteCount), \"blobs\": \(statistics.blobCount), \"uploads_open\": \(statistics.uploadCount), \"gc_pending\": \(statistics.garbageCount)}")
        case ("POST", "debug/pause-writer") where debugHooks:
            let seconds = UInt64(request.query["seconds"] ?? "10") ?? 10
            catalog.writer.setPausedForTesting(true)
            Task { [catalog] in
                try? await Task.sleep(nanoseconds: seconds * 1_000_000_000)
                catalog.writer.setPausedForTesting(false)
            }
            return AdminResponse(json: "{\"paused_seconds\": \(seconds)}")
        case ("POST", "debug/disk-free") where debugHooks:
            let bytes = request.query["bytes"].flatMap { Int64($0) }
            disk.overrideAvailableBytes(bytes)
            return AdminResponse(json: "{\"disk_free_override\": \(bytes.map(String.init) ?? "null")}")
        default:
            return AdminResponse(status: 404, json: "{\"error\": \"no admin command \(request.method) \(request.command)\"}")
        }
    }
}
