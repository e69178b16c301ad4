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
}
