import BlobStore
import CoreMetrics
import Foundation
import HTTPSupport
import HyphaAPI
import Index
import Logging
import Objects
import S3API
import ServiceLifecycle
import SporeJSON

/// Publishes store-wide gauges (objects, bytes, deduplication, uploads, garbage, index writer,
/// free disk) every few seconds; request metrics are recorded by the S3 face itself.
struct MetricsService: Service {
    static let intervalSeconds: Int64 = 10

    let catalog: Catalog
    let disk: DiskMonitor
    /// The index's data file, whose mapped pages are reported apart from anonymous memory.
    let indexFile: String
    /// The local store, whose segment files are reported.
    let store: LocalBlobStore?
    let logger: Logger

    func run() async throws {
        let versions = Gauge(label: "spore_object_versions")
        let logical = Gauge(label: "spore_object_bytes")
        let physical = Gauge(label: "spore_stored_bytes")
        let saved = Gauge(label: "spore_deduplicated_bytes")
        let blobs = Gauge(label: "spore_blobs")
        let uploads = Gauge(label: "spore_multipart_uploads_open")
        let garbage = Gauge(label: "spore_gc_pending_blobs")
        let batches = Gauge(label: "spore_index_commits")
        let operations = Gauge(label: "spore_index_writes")
        let batchSize = Gauge(label: "spore_index_commit_batch_size_average")
        let commitSeconds = Gauge(label: "spore_index_commit_seconds_average")
        let mapGrowths = Gauge(label: "spore_index_map_growths")
        let free = Gauge(label: "spore_disk_free_bytes")
        let resident = Gauge(label: "spore_process_resident_bytes")
        let peakResident = Gauge(label: "spore_process_resident_peak_bytes")
        let anonymous = Gauge(label: "spore_process_anonymous_bytes")
        let fileBacked = Gauge(label: "spore_process_file_backed_bytes")
        let indexMapped = Gauge(label: "spore_index_mapped_resident_bytes")
        let indexSize = Gauge(label: "spore_index_file_bytes")
        let segmentFiles = Gauge(label: "spore_segment_files")
        let segmentBytes = Gauge(label: "spore_segment_bytes")
        while !Task.isCancelledOrShuttingDown {
            do {
                let statistics = try catalog.statistics()
                versions.record(statistics.versionCount)
                logical.record(statistics.logicalByteCount)
                physical.record(statistics.physicalByteCount)
                saved.record(statistics.deduplicatedByteCount)
                blobs.record(Int64(statistics.blobCount))
                uploads.record(Int64(statistics.uploadCount))
                garbage.record(Int64(statistics.garbageCount))
                let writer = catalog.writerStatistics
                batches.record(Int64(writer.batchCount))
                operations.record(Int64(writer.operationCount))
                if writer.batchCount > 0 {
                    batchSize.record(Double(writer.operationCount) / Double(writer.batchCount))
                    commitSeconds.record(Double(writer.commitNanosecondsTotal) / Double(writer.batchCount) / 1e9)
                }
                mapGrowths.record(Int64(writer.mapGrowthCount))
                free.record(try await disk.availableBytes())
                let memory = ProcessMemory.current(indexFile: indexFile)
                resident.record(memory.residentBytes)
                peakResident.record(memory.peakResidentBytes)
                anonymous.record(memory.anonymousBytes)
                fileBacked.record(memory.fileBytes)
                indexMapped.record(memory.indexMappedBytes)
                if let size = (try? FileManager.default.attributesOfItem(atPath: indexFile))?[.size] as? Int64 { indexSize.record(size) }
                if let usage = try await store?.segmentUsage() {
                    segmentFiles.record(Int64(usage.count))
                    segmentBytes.record(usage.byteCount)
                }
            } catch {
                logger.warning("metrics update failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(Self.intervalSeconds)) }
        }
    }
}
