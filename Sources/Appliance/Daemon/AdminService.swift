import Access
import BlobStore
import Foundation
import HTTPSupport
import HyphaAPI
import Index
import Logging
import Objects
import S3API
import SporeJSON

/// Answers the admin API (`/_spore/admin/v1/…`, root only).
struct AdminService: Sendable {
    let catalog: Catalog
    let blobs: any BlobStorage
    let disk: DiskMonitor
    let clock: any WallClock
    let credentials: any CredentialStore
    let sealer: SecretSealer
    /// SSE-S3 and SSE-KMS master keys (`spore kms key …`).
    let keys: EncryptionKeys
    /// Who share links made through the admin API are created by.
    let rootUser: String
    /// Where the Hypha-style API keeps workspaces.
    let workspaceBucket: String
    /// How other machines reach the HTTP listener, for share-link URLs.
    let httpPublicURL: String?
    /// Test hooks (pausing the index writer, faking free space, moving the clock) answer only when
    /// this is set (`SPORE_DEBUG_HOOKS=1`).
    let debugHooks: Bool
    let logger: Logger

    func handle(_ request: AdminRequest) async throws -> AdminResponse {
        do {
            if let answer = try await handleIdentity(request) { return answer }
        } catch let failure as AdminFailure {
            return Self.failure(failure.status, failure.message)
        } catch let error as IndexError {
            switch error {
            case .notFound, .noSuchBucket: return Self.failure(404, error.description)
            case .alreadyExists, .invalidRequest: return Self.failure(409, error.description)
            default: throw error
            }
        }
        return try await handleOperations(request)
    }

    private func handleOperations(_ request: AdminRequest) async throws -> AdminResponse {
        switch (request.method, request.command) {
        case ("POST", "gc"):
            let grace = Int64(request.query["grace"] ?? "0") ?? 0
            let now = clock.nowMilliseconds()
            let adopted = try await MaintenanceService.adoptOrphans(catalog: catalog, blobs: blobs, nowMilliseconds: now - grace * 1000 - 1)
            let collected = try await MaintenanceService.collectGarbage(
                catalog: catalog, blobs: blobs, before: now - grace * 1000 + 1, limit: Int.max)
            // Asked for now: every sealed segment with dead bytes is rewritten, not only mostly dead ones.
            let compaction = try await (blobs as? LocalBlobStore)?.compactSegments(liveFractionMin: 1) ?? CompactionReport()
            logger.info(
                "admin: garbage collection",
                metadata: [
                    "collected": "\(collected)", "adopted": "\(adopted)", "segmentsRewritten": "\(compaction.segmentsRewritten)",
                    "segmentsDeleted": "\(compaction.segmentsDeleted)",
                ])
            return Self.json([
                "collected": .int(collected), "adopted_orphans": .int(adopted),
                "segments_rewritten": .int(Int64(compaction.segmentsRewritten)), "segments_deleted": .int(Int64(compaction.segmentsDeleted)),
                "segment_bytes_freed": .int(compaction.byteCountReclaimed),
            ])
        case ("GET", "stats"):
            let statistics = try catalog.statistics()
            return Self.json([
                "versions": .int(statistics.versionCount), "logical_bytes": .int(statistics.logicalByteCount),
                "stored_bytes": .int(statistics.physicalByteCount), "deduplicated_bytes": .int(statistics.deduplicatedByteCount),
                "blobs": .int(statistics.blobCount), "uploads_open": .int(statistics.uploadCount), "gc_pending": .int(statistics.garbageCount),
            ])
        case ("GET", "kms/keys"):
            let listed = try keys.list().map { key -> JSONValue in
                .object([
                    "id": .string(key.id), "versions": .int(Int64(key.versionCount)),
                    "created": .string(Timestamp.iso8601(milliseconds: key.createdAtMilliseconds)),
                    "rotated": .string(Timestamp.iso8601(milliseconds: key.rotatedAtMilliseconds)),
                ])
            }
            return Self.json(["keys": .array(listed)])
        case ("POST", "kms/keys"), ("POST", "kms/keys/rotate"):
            guard let id = request.query["id"] else { return Self.failure(400, "needs id") }
            do {
                if request.command == "kms/keys" {
                    try await keys.createKey(id, nowMilliseconds: clock.nowMilliseconds())
                } else {
                    try await keys.rotateKey(id, nowMilliseconds: clock.nowMilliseconds())
                }
            } catch let failure as EncryptionKeys.Failure {
                if case .keyExists = failure { return Self.failure(409, failure.description) }
                return Self.failure(400, failure.description)
            } catch let error as ObjectError {
                return Self.failure(404, error.description)
            }
            logger.info("admin: master key \(request.command == "kms/keys" ? "created" : "rotated")", metadata: ["id": "\(id)"])
            let info = try keys.list().first { $0.id == id }
            return Self.json(["id": .string(id), "versions": .int(Int64(info?.versionCount ?? 0))])
        case ("POST", "debug/pause-writer") where debugHooks:
            let seconds = UInt64(request.query["seconds"] ?? "10") ?? 10
            catalog.writer.setPausedForTesting(true)
            Task { [catalog] in
                try? await Task.sleep(nanoseconds: seconds * 1_000_000_000)
                catalog.writer.setPausedForTesting(false)
            }
            return Self.json(["paused_seconds": .int(Int64(clamping: seconds))])
        case ("POST", "debug/disk-free") where debugHooks:
            let bytes = request.query["bytes"].flatMap { Int64($0) }
            disk.overrideAvailableBytes(bytes)
            return Self.json(["disk_free_override": bytes.map { JSONValue.int($0) } ?? .null])
        case ("POST", "debug/advance-clock") where debugHooks:
            guard let offset = clock as? OffsetWallClock, let seconds = request.query["seconds"].flatMap({ Int64($0) }) else {
                return Self.failure(400, "needs seconds and a movable clock")
            }
            offset.advance(milliseconds: seconds * 1000)
            return Self.json(["now": .string(Timestamp.iso8601(milliseconds: clock.nowMilliseconds()))])
        default:
            return Self.failure(404, "no admin command \(request.method) \(request.command)")
        }
    }
}
