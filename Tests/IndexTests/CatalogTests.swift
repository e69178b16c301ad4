import BlobStore
import SporeTestSupport
import Testing

@testable import Index

@Suite struct CatalogTests {
    let directory = TemporaryDirectory()
    let now: Int64 = 1_800_000_000_000

    func version(_ text: String, chunks: [Chunk] = []) -> ObjectVersion {
        let bytes = Array(text.utf8)
        return ObjectVersion(
            byteCount: chunks.isEmpty ? Int64(bytes.count) : chunks.reduce(0) { $0 + $1.byteCount }, etag: text,
            lastModifiedMilliseconds: now, body: chunks.isEmpty ? .inline(bytes) : .chunks(chunks), owner: "alice"
        )
    }

    func digest(_ seed: UInt8) -> BlobDigest { BlobDigest(bytes: [UInt8](repeating: seed, count: 32)) }

    @Test func bucketsAreCreatedOnceAndDeletedWhenEmpty() async throws {
        let catalog = try Catalog(directory: directory.path)
        let name = try #require(BucketName(validating: "photos"))
        _ = try await catalog.buckets.createBucket(name, owner: "alice", location: nil, nowMilliseconds: now)
        await #expect(throws: IndexError.bucketOwnedByCaller("photos")) {
            _ = try await catalog.buckets.createBucket(name, owner: "alice", location: nil, nowMilliseconds: now)
        }
        await #expect(throws: IndexError.bucketOwnedByAnother("photos")) {
            _ = try await catalog.buckets.createBucket(name, owner: "bob", location: nil, nowMilliseconds: now)
        }
        let key = try #require(ObjectKey(validating: "k"))
        _ = try await catalog.objects.putObject(bucket: "photos", key: key, version: version("v"), nowMilliseconds: now)
        await #expect(throws: IndexError.bucketNotEmpty("photos")) { try await catalog.buckets.deleteBucket(named: "photos") }
        _ = try await catalog.objects.deleteObject(bucket: "photos", key: key, owner: "alice", nowMilliseconds: now)
        try await catalog.buckets.deleteBucket(named: "photos")
        #expect(try catalog.buckets.bucket(named: "photos") == nil)
        await catalog.close()
    }

    @Test func referenceCountsFollowVersionsAndReachTheGarbageQueue() async throws {
        let catalog = try Catalog(directory: directory.path)
        _ = try await catalog.buckets.createBucket(BucketName(validating: "blobs")!, owner: "alice", location: nil, nowMilliseconds: now)
        let shared = Chunk(digest: digest(1), byteCount: 100)
        let a = ObjectKey(validating: "a")!
        let b = ObjectKey(validating: "b")!
        _ = try await catalog.objects.putObject(bucket: "blobs", key: a, version: version("1", chunks: [shared]), nowMilliseconds: now)
        _ = try await catalog.objects.putObject(bucket: "blobs", key: b, version: version("2", chunks: [shared, shared]), nowMilliseconds: now)
        func record() throws -> BlobReferences.Record? {
            try catalog.read { try catalog.references.record($0, shared.digest) }
        }
        #expect(try record()?.referenceCount == 3)
        _ = try await catalog.objects.deleteObject(bucket: "blobs", key: b, owner: "alice", nowMilliseconds: now + 5)
        #expect(try record()?.referenceCount == 1)
        // Overwriting in an unversioned bucket releases the replaced version's blobs.
        _ = try await catalog.objects.putObject(bucket: "blobs", key: a, version: version("inline"), nowMilliseconds: now + 9)
        #expect(try record() == BlobReferences.Record(referenceCount: 0, byteCount: 100, zeroSinceMilliseconds: now + 9))
        let garbage = try catalog.read { try $0.count(catalog.databases.garbage) }
        #expect(garbage == 1)
        // A new reference before collection takes the blob off the garbage queue.
        _ = try await catalog.objects.putObject(bucket: "blobs", key: b, version: version("3", chunks: [shared]), nowMilliseconds: now + 10)
        #expect(try record()?.referenceCount == 1)
        #expect(try catalog.read { try $0.count(catalog.databases.garbage) } == 0)
        await catalog.close()
    }

    @Test func theWriterCommitsConcurrentWritesInBatches() async throws {
        let catalog = try Catalog(directory: directory.path)
        _ = try await catalog.buckets.createBucket(BucketName(validating: "batch")!, owner: "alice", location: nil, nowMilliseconds: now)
        let before = catalog.writer.currentStatistics
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<500 {
                let version = version("\(index)")
                let now = now
                group.addTask {
                    _ = try await catalog.objects.putObject(bucket: "batch", key: ObjectKey(validating: "k\(index)")!, version: version, nowMilliseconds: now)
                }
            }
            try await group.waitForAll()
        }
        let after = catalog.writer.currentStatistics
        #expect(after.operationCount - before.operationCount == 500)
        #expect(after.batchCount - before.batchCount < 500)
        let (_, page) = try catalog.objects.listObjects(bucket: "batch", query: ListQuery(), nowMilliseconds: now)
        #expect(page.entries.count == 500)
        await catalog.close()
    }

    @Test func aFailingWriteRollsBackAloneInsideItsBatch() async throws {
        let catalog = try Catalog(directory: directory.path)
        _ = try await catalog.buckets.createBucket(BucketName(validating: "atomic")!, owner: "alice", location: nil, nowMilliseconds: now)
        struct Refused: Error {}
        let meta = catalog.databases.meta
        let failing = Task {
            try await catalog.writer.write { transaction in
                try transaction.put(meta, Array("half-written".utf8), [1])
                throw Refused()
            }
        }
        let succeeding = Task {
            try await catalog.writer.write { transaction in
                try transaction.put(meta, Array("kept".utf8), [2])
            }
        }
        await #expect(throws: Refused.self) { try await failing.value }
        try await succeeding.value
        let (halfWritten, kept) = try catalog.read { transaction in
            (try transaction.get(meta, Array("half-written".utf8)), try transaction.get(meta, Array("kept".utf8)))
        }
        #expect(halfWritten == nil)
        #expect(kept == [2])
        await catalog.close()
    }

    @Test func aFullMapGrowsAndNoWriteIsLost() async throws {
        let catalog = try Catalog(directory: directory.path, mapByteCount: 1 << 20, mapByteCountMax: 1 << 30)
        _ = try await catalog.buckets.createBucket(BucketName(validating: "grow")!, owner: "alice", location: nil, nowMilliseconds: now)
        let payload = String(repeating: "x", count: 8000)
        for index in 0..<400 {
            _ = try await catalog.objects.putObject(bucket: "grow", key: ObjectKey(validating: "k\(index)")!, version: version(payload), nowMilliseconds: now)
        }
        #expect(catalog.writer.currentStatistics.mapGrowthCount > 0)
        let (_, page) = try catalog.objects.listObjects(bucket: "grow", query: ListQuery(), nowMilliseconds: now)
        #expect(page.entries.count == 400)
        await catalog.close()
    }

    @Test func aMapFullAtItsLimitFailsTheWriteCleanly() async throws {
        let catalog = try Catalog(directory: directory.path, mapByteCount: 1 << 20, mapByteCountMax: 1 << 20)
        _ = try await catalog.buckets.createBucket(BucketName(validating: "full")!, owner: "alice", location: nil, nowMilliseconds: now)
        let payload = String(repeating: "x", count: 200_000)
        var failure: (any Error)?
        for index in 0..<20 where failure == nil {
            do {
                _ = try await catalog.objects.putObject(
                    bucket: "full", key: ObjectKey(validating: "k\(index)")!, version: version(payload), nowMilliseconds: now)
            } catch {
                failure = error
            }
        }
        let error = try #require(failure as? LMDBError)
        #expect(error.isMapFull)
        // What was committed before stays readable and the index still takes small writes.
        let (_, page) = try catalog.objects.listObjects(bucket: "full", query: ListQuery(), nowMilliseconds: now)
        #expect(!page.entries.isEmpty)
        await catalog.close()
    }

    @Test func theIndexReopensWithEverythingCommitted() async throws {
        var catalog = try Catalog(directory: directory.path)
        _ = try await catalog.checkFormat()
        _ = try await catalog.buckets.createBucket(BucketName(validating: "reopen")!, owner: "alice", location: nil, nowMilliseconds: now)
        _ = try await catalog.objects.putObject(bucket: "reopen", key: ObjectKey(validating: "k")!, version: version("v"), nowMilliseconds: now)
        await catalog.close()
        catalog = try Catalog(directory: directory.path)
        #expect(try await catalog.checkFormat() == Catalog.formatVersion)
        let (_, lookup) = try catalog.objects.lookup(bucket: "reopen", key: ObjectKey(validating: "k")!, nowMilliseconds: now)
        guard case .found(let found) = lookup else {
            Issue.record("object missing after reopen")
            return
        }
        #expect(found.body == .inline(Array("v".utf8)))
        await catalog.close()
    }

    @Test func expiredVersionsAreGoneForReaders() async throws {
        let catalog = try Catalog(directory: directory.path)
        _ = try await catalog.buckets.createBucket(BucketName(validating: "ttl")!, owner: "alice", location: nil, nowMilliseconds: now)
        var expiring = version("soon")
        expiring.expiresAtMilliseconds = now + 1000
        let key = ObjectKey(validating: "k")!
        _ = try await catalog.objects.putObject(bucket: "ttl", key: key, version: expiring, nowMilliseconds: now)
        if case .found = try catalog.objects.lookup(bucket: "ttl", key: key, nowMilliseconds: now + 999).1 {} else { Issue.record("expired early") }
        if case .notFound = try catalog.objects.lookup(bucket: "ttl", key: key, nowMilliseconds: now + 1000).1 {} else { Issue.record("still visible") }
        let (_, page) = try catalog.objects.listObjects(bucket: "ttl", query: ListQuery(), nowMilliseconds: now + 1000)
        #expect(page.entries.isEmpty)
        await catalog.close()
    }
}

@Suite struct FormatTests {
    let directory = TemporaryDirectory()

    @Test func anOlderSporeRefusesANewerStore() async throws {
        var catalog = try Catalog(directory: directory.path)
        #expect(try await catalog.checkFormat() == Catalog.formatVersion)
        let meta = catalog.databases.meta
        try await catalog.writer.write { transaction in
            try transaction.put(meta, Catalog.MetaKey.format, KeyBytes.uint64(Catalog.formatVersion + 1))
        }
        await catalog.close()
        catalog = try Catalog(directory: directory.path)
        await #expect(throws: CatalogFormatError.self) { _ = try await catalog.checkFormat() }
        await catalog.close()
    }
}
