import BlobStore
import Index
import SporeJSON
import SporeTestSupport
import Testing

@testable import Artifacts

/// The in-memory counters never show a count twice or lose one, whether a reader's record was
/// read before, during or after a flush.
@Suite struct ArtifactCountersTests {
    @Test func readersSeeEveryCountExactlyOnceAcrossFlushes() async throws {
        let directory = TemporaryDirectory()
        let catalog = try Catalog(directory: directory.path + "/index")
        let store = catalog.artifacts
        let record = ArtifactRecord(id: "01a2492d-e5d9-71c9-89de-cc6f0b4078e0", workspace: "ws", alias: "a", createdAtSeconds: 1, createdBy: "u")
        try await store.write { transaction in try store.insert(transaction, record) }
        let counters = ArtifactCounters(store: store, firstBatch: 1000)
        func seen() throws -> Double {
            let stored = try #require(try store.read { transaction in try store.record(transaction, id: record.id) })
            return stored.viewCount + counters.unwritten(record.id, recordBatch: stored.countsBatch).views
        }
        let stale = try #require(try store.read { transaction in try store.record(transaction, id: record.id) })
        counters.addView(record.id)
        counters.addView(record.id)
        #expect(try seen() == 2)
        try await counters.flush()
        #expect(try seen() == 2)
        // A record read before the flush still sees the flushed batch through the counters.
        #expect(stale.viewCount + counters.unwritten(record.id, recordBatch: stale.countsBatch).views == 2)
        counters.addView(record.id, 3)
        #expect(try seen() == 5)
        try await counters.flush()
        try await counters.flush()
        #expect(try seen() == 5)
        counters.forget(record.id)
        #expect(try seen() == 5)
        await catalog.close()
    }

    /// Records are decoded once and reused, but a read always sees what its own transaction
    /// stores: a change, a rollback and a removal are never hidden by the decoded copy.
    @Test func decodedRecordsFollowTheStoredBytes() async throws {
        let directory = TemporaryDirectory()
        let catalog = try Catalog(directory: directory.path + "/index")
        let store = catalog.artifacts
        var record = ArtifactRecord(id: "01a2492d-e5d9-71c9-89de-cc6f0b4078e1", workspace: "ws", alias: "a", createdAtSeconds: 1, createdBy: "u")
        record.manifest = ["name": "first"]
        try await store.write { [record] transaction in try store.insert(transaction, record) }
        let id = record.id
        func stored() throws -> ArtifactRecord? { try store.read { transaction in try store.record(transaction, id: id) } }
        #expect(try stored()?.manifest["name"] == "first")
        #expect(try stored()?.manifest["name"] == "first")
        var edited = record
        edited.manifest = ["name": "second"]
        try await store.write { [edited] transaction in try store.save(transaction, edited) }
        #expect(try stored()?.manifest["name"] == "second")
        // A write that fails rolls back: the decoded copy it made inside must not be served.
        var abandoned = edited
        abandoned.manifest = ["name": "never"]
        await #expect(throws: (any Error).self) {
            try await store.write { [abandoned] transaction in
                try store.save(transaction, abandoned)
                #expect(try store.record(transaction, id: abandoned.id)?.manifest["name"] == "never")
                throw CancellationError()
            }
        }
        #expect(try stored()?.manifest["name"] == "second")
        try await store.write { [edited] transaction in try store.remove(transaction, edited) }
        #expect(try stored() == nil)
        await catalog.close()
    }

    /// A slot counts stored files until they are gone, however they go: a delete, an expiry sweep,
    /// or a put over an expired one; a staged file's upload state follows the file.
    @Test func slotCountsFollowPutsDeletesAndExpiry() async throws {
        let directory = TemporaryDirectory()
        let catalog = try Catalog(directory: directory.path + "/index")
        let store = catalog.artifacts
        let now: Int64 = 1_800_000_000_000
        _ = try await catalog.buckets.createBucket(try #require(BucketName(validating: "hypha-workspaces")), owner: "root", location: nil, nowMilliseconds: now)
        store.attach(bucket: "hypha-workspaces")
        var record = ArtifactRecord(id: "01a2492d-e5d9-71c9-89de-cc6f0b4078e2", workspace: "ws", alias: "a", createdAtSeconds: 1, createdBy: "u")
        var staging = ArtifactStaging(intent: .newVersion, slot: record.allocateSlot(), generation: record.allocateGeneration())
        staging.nextOrder = 1
        record.staging = staging
        try await store.write { [record, staging] transaction in
            try store.insert(transaction, record)
            try store.putStagedFile(transaction, id: record.id, generation: staging.generation, StagedFile(path: "f.txt", order: 0))
            var counters = ArtifactFileCounters()
            counters.pendingUploads = 1
            try store.saveCounters(transaction, id: record.id, counters)
        }
        let key = try #require(ObjectKey(validating: "ws/artifacts/\(record.id)/v\(staging.slot)/f.txt"))
        func object(expiring: Int64?) -> ObjectVersion {
            ObjectVersion(byteCount: 1, etag: "e", lastModifiedMilliseconds: now, body: .inline([1]), expiresAtMilliseconds: expiring, owner: "root")
        }
        func counters() throws -> ArtifactFileCounters { try store.read { transaction in try store.counters(transaction, id: record.id) } }
        let id = record.id
        func uploaded() throws -> Bool? {
            try store.read { transaction in try store.stagedFile(transaction, id: id, generation: staging.generation, path: "f.txt")?.isUploaded }
        }

        _ = try await catalog.objects.putObject(bucket: "hypha-workspaces", key: key, version: object(expiring: now + 1000), nowMilliseconds: now)
        #expect(try counters().slotFileCounts[staging.slot] == 1 && counters().pendingUploads == 0 && uploaded() == true)
        // The expiry sweep removes it: the slot is empty and the staged file waits for an upload again.
        #expect(try await catalog.sweepExpired(nowMilliseconds: now + 2000, limit: 100) == 1)
        #expect(try counters().slotFileCounts[staging.slot, default: 0] == 0 && counters().pendingUploads == 1 && uploaded() == false)
        // Put, let it expire without a sweep, put again: still one file, counted once.
        _ = try await catalog.objects.putObject(bucket: "hypha-workspaces", key: key, version: object(expiring: now + 3000), nowMilliseconds: now + 2500)
        _ = try await catalog.objects.putObject(bucket: "hypha-workspaces", key: key, version: object(expiring: nil), nowMilliseconds: now + 4000)
        #expect(try counters().slotFileCounts[staging.slot] == 1 && counters().pendingUploads == 0 && uploaded() == true)
        _ = try await catalog.objects.deleteObject(bucket: "hypha-workspaces", key: key, owner: "root", nowMilliseconds: now + 5000)
        #expect(try counters().slotFileCounts[staging.slot, default: 0] == 0 && counters().pendingUploads == 1 && uploaded() == false)
        // The audit agrees with the counters kept along the way.
        #expect(try store.audit(bucket: "hypha-workspaces", nowMilliseconds: now + 5000).miscounted.isEmpty)
        await catalog.close()
    }
}
