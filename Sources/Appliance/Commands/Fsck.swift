import ArgumentParser
import BlobStore
import Foundation
import Index

/// `spore fsck`: checks that the index and the blobs agree.
struct Fsck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the store: every referenced blob exists and hashes to its name, and reference counts match the index.",
        discussion:
            "Runs read-only beside a running daemon. With --repair (daemon stopped) it fixes reference counts, quarantines corrupt blobs and queues orphans for collection; with --collect it also deletes them now. Exit status 0 means clean, 1 means problems were found."
    )

    @OptionGroup var store: StoreOptions
    @Flag(help: "Fix what can be fixed (needs the daemon stopped).") var repair = false
    @Flag(help: "Delete orphan and unreferenced blobs now (implies --repair).") var collect = false
    @Flag(help: "Check sizes only; do not re-hash blobs.") var quick = false

    func run() async throws {
        let settings = try store.configuration()
        let access = try StoreAccess.open(settings, exclusive: repair || collect)
        let report = try await Self.check(access, rehash: !quick)
        let artifacts = try access.catalog.artifacts.audit(bucket: settings.workspaceBucket, nowMilliseconds: SystemWallClock().nowMilliseconds())
        var clean = report.isClean && artifacts.isClean
        Console.line(report.summary)
        Console.line(Self.summary(artifacts))
        if (repair || collect) && !clean {
            let now = SystemWallClock().nowMilliseconds()
            for digest in report.corrupt { try await access.blobs.quarantine(digest) }
            let fixed = try await access.catalog.repairReferences(report.audit, nowMilliseconds: now)
            try await access.catalog.objects.adoptOrphans(report.orphans, nowMilliseconds: now)
            Console.line(
                "repaired: \(fixed) reference counts, \(report.corrupt.count) blobs quarantined, \(report.orphans.count) orphans queued for collection"
            )
            var released = 0
            for orphan in artifacts.orphanPrefixes {
                released += try await access.catalog.artifacts.releaseObjects(
                    bucket: settings.workspaceBucket, prefix: orphan.prefix, owner: "fsck", nowMilliseconds: now
                )
            }
            if released > 0 { Console.line("released: \(released) files of artifacts that no longer exist") }
            for id in artifacts.miscounted {
                try await access.catalog.artifacts.recount(id: id, bucket: settings.workspaceBucket, nowMilliseconds: now)
            }
            if !artifacts.miscounted.isEmpty { Console.line("recounted: \(artifacts.miscounted.count) artifacts' files") }
            clean = report.missing.isEmpty && report.corrupt.isEmpty && artifacts.inconsistencies.isEmpty
        }
        if collect {
            _ = try await MaintenanceService.adoptOrphans(
                catalog: access.catalog, blobs: access.blobs, nowMilliseconds: SystemWallClock().nowMilliseconds())
            let collected = try await MaintenanceService.collectGarbage(
                catalog: access.catalog, blobs: access.blobs, before: Int64.max, limit: Int.max)
            Console.line("collected: \(collected) blobs")
            if let store = access.blobs as? LocalBlobStore {
                // The daemon is stopped: every segment with dead bytes may be rewritten now.
                let compaction = try await store.compactSegments(liveFractionMin: 1, movedByteCountMax: .max)
                Console.line(
                    "compacted: \(compaction.segmentsRewritten) segments rewritten, \(compaction.segmentsDeleted) deleted, \(compaction.byteCountReclaimed) bytes freed"
                )
            }
        }
        await access.close()
        if !clean { throw ExitCode(1) }
    }

    static func summary(_ audit: ArtifactAudit) -> String {
        var lines = [
            "checked \(audit.artifactCount) artifacts", "artifact index inconsistencies: \(audit.inconsistencies.count)",
            "files of deleted artifacts: \(audit.orphanPrefixes.reduce(0) { $0 + $1.objectCount }) under \(audit.orphanPrefixes.count) prefixes",
            "artifacts whose file counts disagree with their files: \(audit.miscounted.count)",
        ]
        for line in audit.inconsistencies.prefix(20) { lines.append("  \(line)") }
        for orphan in audit.orphanPrefixes.prefix(20) { lines.append("  \(orphan.prefix): \(orphan.objectCount) files") }
        return lines.joined(separator: "\n")
    }

    struct Report {
        var audit: ReferenceAudit
        var missing: [BlobDigest] = []
        var corrupt: [BlobDigest] = []
        var wrongSize: [BlobDigest] = []
        var orphans: [BlobDigest] = []
        var garbage = 0
        /// Segment files, their bytes, and the bytes of recorded blobs in them.
        var segments: (count: Int, byteCount: Int64, liveByteCount: Int64) = (0, 0, 0)

        var isClean: Bool { audit.mismatches.isEmpty && missing.isEmpty && corrupt.isEmpty && wrongSize.isEmpty && orphans.isEmpty }

        var summary: String {
            var lines = [
                "checked \(audit.versionCount) versions, \(audit.partCount) parts, \(audit.recorded.count) blob records",
                "reference count mismatches: \(audit.mismatches.count)",
                "missing blobs: \(missing.count)", "corrupt blobs: \(corrupt.count)", "blobs of the wrong size: \(wrongSize.count)",
                "orphan blobs (on disk, unknown to the index): \(orphans.count)",
                "unreferenced blobs waiting for collection: \(garbage)",
                "segments: \(segments.count) files, \(segments.byteCount) bytes, \(segments.liveByteCount) of them recorded blobs",
            ]
            for mismatch in audit.mismatches.prefix(20) {
                lines.append("  count \(mismatch.digest): recorded \(mismatch.recorded), referenced \(mismatch.computed)")
            }
            for digest in missing.prefix(20) { lines.append("  missing \(digest)") }
            for digest in corrupt.prefix(20) { lines.append("  corrupt \(digest)") }
            for digest in orphans.prefix(20) { lines.append("  orphan \(digest)") }
            lines.append(isClean ? "store is clean" : "store has problems")
            return lines.joined(separator: "\n")
        }
    }

    static func check(_ access: StoreAccess, rehash: Bool) async throws -> Report {
        let audit = try access.catalog.auditReferences()
        var report = Report(audit: audit)
        let onDisk = Set(try await access.blobs.allDigests())
        for (digest, count) in audit.computed where count > 0 {
            // A blob file is listed; a packed blob is present when its segment covers its place.
            let present = try await onDisk.contains(digest) ? true : access.blobs.size(of: digest) != nil
            guard present else {
                report.missing.append(digest)
                continue
            }
            if let recorded = audit.sizes[digest], recorded > 0, let size = try await access.blobs.size(of: digest), size != recorded {
                report.wrongSize.append(digest)
            }
            // A packed blob's entry header must name it at its recorded place (checked with --quick too).
            if let store = access.blobs as? LocalBlobStore, try await store.packedEntryMatches(digest) == false {
                report.corrupt.append(digest)
                continue
            }
            if rehash {
                do {
                    if try await access.blobs.verify(digest) == false { report.corrupt.append(digest) }
                } catch let error as BlobStoreError where error.kind == .notFound {
                    // Gone since it was listed (beside a running daemon: collected or compacted).
                    report.missing.append(digest)
                }
            }
        }
        // Blobs being written right now (a running daemon) are on disk before their record.
        report.orphans = onDisk.filter { audit.recorded[$0] == nil && !access.blobs.isPinned($0) }.sorted()
        report.garbage = audit.recorded.values.filter { $0 == 0 }.count
        if !access.isExclusive {
            // Beside a running daemon, a blob placed after the index was read is not an orphan yet.
            let young = try access.catalog.unknownBlobs(report.orphans)
            report.orphans = young
        }
        report.missing.sort()
        report.corrupt.sort()
        if let store = access.blobs as? LocalBlobStore {
            let usage = try await store.segmentUsage()
            report.segments = (usage.count, usage.byteCount, try access.catalog.packedByteCounts().values.reduce(0, +))
        }
        return report
    }
}
