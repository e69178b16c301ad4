import Foundation
import NIOCore
import SporeTestSupport
import Synchronization
import Testing

@testable import BlobStore
@testable import Index

/// Small blobs packed into segments, with the real index recording their locations: placement,
/// dedup, reads, collection, compaction (also under concurrent reads), crash leftovers, faults.
@Suite struct PackedBlobTests {
    let directory = TemporaryDirectory()
    let now: Int64 = 1_800_000_000_000

    struct Harness: Sendable {
        let catalog: Catalog
        let store: LocalBlobStore

        func close() async {
            await store.shutdown()
            await catalog.close()
        }
    }

    func open(io: any FileSystemIO = PosixFileSystem(), segmentByteCountMax: Int64 = 1 << 20) throws -> Harness {
        let catalog = try Catalog(directory: directory.path + "/index")
        let store = try LocalBlobStore(
            root: directory.path, io: io, threadCount: 2, packedByteCountMax: Int(min(64 << 10, segmentByteCountMax * 3 / 4)),
            segmentByteCountMax: segmentByteCountMax
        )
        catalog.connect(store)
        return Harness(catalog: catalog, store: store)
    }

    func bytes(_ seed: Int, _ count: Int) -> [UInt8] {
        var generator = SplitMix64(seed: UInt64(seed))
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    /// Stores `body` as object `key` the way a PUT does: stage, place, commit, release.
    @discardableResult
    func put(_ harness: Harness, _ key: String, _ body: [UInt8], bucket: String = "packed") async throws -> BlobDigest {
        try await Self.put(harness, key, body, bucket: bucket, now: now)
    }

    @discardableResult
    static func put(_ harness: Harness, _ key: String, _ body: [UInt8], bucket: String = "packed", now: Int64) async throws -> BlobDigest {
        let writer = try await harness.store.makeWriter(checksums: [], byteCountMax: Int64(body.count), expectedByteCount: Int64(body.count))
        try await writer.write(ByteBuffer(bytes: body))
        let staged = try await writer.finish()
        let lease = try await harness.store.place(staged)
        defer { lease.release() }
        let chunk = Chunk(digest: staged.digests.sha256, byteCount: staged.digests.byteCount)
        let version = ObjectVersion(
            byteCount: chunk.byteCount, etag: "e", lastModifiedMilliseconds: now, body: .chunks([chunk]), owner: "alice"
        )
        _ = try await harness.catalog.objects.putObject(
            bucket: bucket, key: try #require(ObjectKey(validating: key)), version: version, nowMilliseconds: now
        )
        return staged.digests.sha256
    }

    /// The current version's digest, or nil when the key has no object.
    func currentDigest(_ harness: Harness, _ key: String, bucket: String = "packed") throws -> BlobDigest? {
        let (_, found) = try harness.catalog.objects.lookup(bucket: bucket, key: try #require(ObjectKey(validating: key)), nowMilliseconds: now)
        guard case .found(let version) = found else { return nil }
        return version.body.chunks.first?.digest
    }

    func read(_ harness: Harness, _ digest: BlobDigest) async throws -> [UInt8] { try await Self.read(harness, digest) }

    static func read(_ harness: Harness, _ digest: BlobDigest) async throws -> [UInt8] {
        let source = try await harness.store.open(digest)
        var out = [UInt8]()
        try await source.read(range: 0..<source.byteCount) { out += Array(buffer: $0) }
        return out
    }

    func makeBucket(_ harness: Harness, _ name: String = "packed") async throws {
        _ = try await harness.catalog.buckets.createBucket(
            try #require(BucketName(validating: name)), owner: "alice", location: nil, nowMilliseconds: now
        )
    }

    func segmentFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path + "/segments").sorted()
    }

    /// Collects every unreferenced blob now, as the maintenance round does after its grace.
    func collectAll(_ harness: Harness) async throws -> Int {
        var collected = 0
        for candidate in try harness.catalog.garbage(before: .max, limit: .max) {
            let removed = try await harness.store.collect(candidate.digest) {
                try await harness.catalog.forgetBlob(candidate.digest, zeroSinceMilliseconds: candidate.zeroSinceMilliseconds)
            }
            if removed { collected += 1 }
        }
        return collected
    }

    @Test func smallBodiesArePackedRecordedAndReadBackWithRanges() async throws {
        let harness = try open()
        try await makeBucket(harness)
        var bodies = [BlobDigest: [UInt8]]()
        for index in 0..<40 {
            let body = bytes(index, 1 + index * 997)
            bodies[try await put(harness, "k\(index)", body)] = body
        }
        #expect(try segmentFiles().count == 1)
        #expect(try await harness.store.allDigests().isEmpty, "no blob got a file of its own")
        for (digest, body) in bodies {
            guard case .packed(let location) = try harness.catalog.placement(of: digest) else {
                Issue.record("blob \(digest) has no location")
                continue
            }
            #expect(location.byteCount == Int64(body.count))
            #expect(try await read(harness, digest) == body)
            #expect(try await harness.store.size(of: digest) == Int64(body.count))
            #expect(try await harness.store.verify(digest))
            let source = try await harness.store.open(digest)
            if body.count > 10 {
                let chunk = try await source.readChunk(at: 3, byteCount: 5)
                #expect(Array(buffer: chunk) == Array(body[3..<8]))
            }
        }
        await harness.close()
    }

    @Test func oneBufferReadsMatchStreamedReadsForPackedBlobsAndFiles() async throws {
        let harness = try open()
        try await makeBucket(harness)
        let small = bytes(21, 50_000)
        let large = bytes(22, 100_000)
        let packed = try await put(harness, "small", small)
        let file = try await put(harness, "large", large)
        #expect(try harness.catalog.placement(of: file) == .file)
        for (digest, body) in [(packed, small), (file, large)] {
            for range in [0..<Int64(body.count), 1..<2, 777..<40_000, Int64(body.count - 1)..<Int64(body.count), 5..<5] {
                let buffer = try await harness.store.read(digest, range: range)
                #expect(Array(buffer: buffer) == Array(body[Int(range.lowerBound)..<Int(range.upperBound)]))
            }
        }
        await #expect(throws: BlobStoreError.self) { _ = try await harness.store.read(packed, range: 0..<50_001) }
        await harness.close()
    }

    @Test func identicalBodiesAreStoredOnceAndLargerOnesStayFiles() async throws {
        let harness = try open()
        try await makeBucket(harness)
        let body = bytes(1, 5000)
        let first = try await put(harness, "a", body)
        let second = try await put(harness, "b", body)
        #expect(first == second)
        let segment = directory.path + "/segments/" + (try segmentFiles()[0])
        let size = try #require(try FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int)
        #expect(size == BlobLocation.segmentEntryHeaderByteCount + 5000)
        let large = try await put(harness, "large", bytes(2, 100_000))
        #expect(try harness.catalog.placement(of: large) == .file)
        #expect(try await harness.store.allDigests() == [large])
        await harness.close()
    }

    @Test func packedBlobsSurviveAReopenAndNewAppendsGoToANewSegment() async throws {
        var harness = try open()
        try await makeBucket(harness)
        let body = bytes(3, 3000)
        let digest = try await put(harness, "a", body)
        await harness.close()
        harness = try open()
        #expect(try await read(harness, digest) == body)
        try await put(harness, "b", bytes(4, 3000))
        #expect(try segmentFiles().count == 2, "a reopened store never appends to an old segment")
        await harness.close()
    }

    @Test func compactionMovesLiveBlobsAndDeletesDeadSegments() async throws {
        let harness = try open(segmentByteCountMax: 64 << 10)
        try await makeBucket(harness)
        var live = [String: [UInt8]]()
        for index in 0..<60 {
            let body = bytes(100 + index, 4000)
            try await put(harness, "k\(index)", body)
            live["k\(index)"] = body
        }
        let before = try segmentFiles()
        #expect(before.count >= 4)
        // Overwrite most objects: their old blobs become garbage, most segments mostly dead.
        for index in 0..<60 where index % 5 != 0 {
            let body = bytes(1000 + index, 10)
            try await put(harness, "k\(index)", body)
            live["k\(index)"] = body
        }
        #expect(try await collectAll(harness) == 48)
        let report = try await harness.store.compactSegments()
        #expect(report.segmentsRewritten > 0)
        #expect(report.byteCountReclaimed > 0)
        let after = try segmentFiles()
        #expect(Set(after).isDisjoint(with: Set(before.dropLast())), "every sealed segment was rewritten or deleted")
        for (key, body) in live {
            let digest = try #require(try currentDigest(harness, key))
            #expect(try await read(harness, digest) == body, "\(key)")
        }
        // The segment that was active during the first pass (the small overwrites) is sealed
        // now and mostly dead: a second pass rewrites it, and every object still reads back.
        _ = try await harness.store.compactSegments()
        for (key, body) in live {
            let digest = try #require(try currentDigest(harness, key))
            #expect(try await read(harness, digest) == body, "\(key)")
        }
        let recorded = try harness.catalog.packedByteCounts().values.reduce(0, +)
        let onDisk = try await harness.store.segmentUsage().byteCount
        #expect(onDisk <= recorded + (64 << 10), "at most the active segment holds dead bytes")
        await harness.close()
    }

    @Test func compactionUnderConcurrentReadsNeverFailsAReader() async throws {
        let harness = try open(segmentByteCountMax: 32 << 10)
        try await makeBucket(harness)
        var bodies = [(BlobDigest, [UInt8])]()
        for index in 0..<40 {
            let body = bytes(200 + index, 3000)
            bodies.append((try await put(harness, "k\(index)", body), body))
        }
        for index in 0..<40 where index % 2 == 1 { try await put(harness, "k\(index)", bytes(300 + index, 5)) }
        _ = try await collectAll(harness)
        let kept = bodies.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for reader in 0..<4 {
                group.addTask {
                    for round in 0..<30 {
                        let (digest, body) = kept[(reader * 7 + round) % kept.count]
                        let got = try await Self.read(harness, digest)
                        #expect(got == body)
                    }
                }
            }
            group.addTask {
                for _ in 0..<3 { _ = try await harness.store.compactSegments(liveFractionMin: 1) }
            }
            try await group.waitForAll()
        }
        for (digest, body) in kept { #expect(try await read(harness, digest) == body) }
        await harness.close()
    }

    @Test func aBlobPlacedButNotYetCommittedKeepsItsSegmentFromCompaction() async throws {
        let harness = try open(segmentByteCountMax: 16 << 10)
        try await makeBucket(harness)
        let body = bytes(7, 9000)
        let writer = try await harness.store.makeWriter(checksums: [], byteCountMax: 9000, expectedByteCount: 9000)
        try await writer.write(ByteBuffer(bytes: body))
        let lease = try await harness.store.place(try await writer.finish())
        // Fill past the segment size so that the uncommitted blob's segment is sealed.
        try await put(harness, "filler", bytes(8, 9000))
        let report = try await harness.store.compactSegments(liveFractionMin: 1)
        #expect(report.segmentsDeleted == 0, "the segment holds a blob whose commit is pending")
        #expect(try await read(harness, lease.digest) == body)
        lease.release()
        // Never committed: once released, its segment is dead and goes.
        let later = try await harness.store.compactSegments(liveFractionMin: 1)
        #expect(later.segmentsDeleted == 1)
        await harness.close()
    }

    /// Two requests store the same body at once; the one that appended fails its commit and lets
    /// go; compaction runs; the other commits the appender's location. That segment must still be
    /// there (the placed location keeps it in flight while any pin on the digest lasts).
    @Test func aCommitThatRecordsAnotherRequestsPlacementFindsItsSegmentIntact() async throws {
        let harness = try open(segmentByteCountMax: 16 << 10)
        try await makeBucket(harness)
        let body = bytes(31, 9000)
        func stage() async throws -> StagedBlob {
            let writer = try await harness.store.makeWriter(checksums: [], byteCountMax: 9000, expectedByteCount: 9000)
            try await writer.write(ByteBuffer(bytes: body))
            return try await writer.finish()
        }
        let appender = try await harness.store.place(try await stage())
        let deduplicated = try await harness.store.place(try await stage())
        #expect(try segmentFiles().count == 1, "the second placement found the first")
        try await put(harness, "filler", bytes(32, 9000))
        // The appender's commit failed: it hands the blob to the collector and lets go.
        try await harness.catalog.objects.adoptOrphans([appender.digest], nowMilliseconds: now)
        appender.release()
        let during = try await harness.store.compactSegments(liveFractionMin: 1)
        #expect(during.segmentsDeleted == 0 && during.segmentsRewritten == 0)
        let chunk = Chunk(digest: deduplicated.digest, byteCount: 9000)
        let version = ObjectVersion(byteCount: 9000, etag: "e", lastModifiedMilliseconds: now, body: .chunks([chunk]), owner: "alice")
        _ = try await harness.catalog.objects.putObject(
            bucket: "packed", key: try #require(ObjectKey(validating: "k")), version: version, nowMilliseconds: now
        )
        deduplicated.release()
        _ = try await harness.store.compactSegments(liveFractionMin: 1)
        #expect(try await read(harness, deduplicated.digest) == body)
        await harness.close()
    }

    @Test func segmentIdsNeverComeBackAfterARestart() async throws {
        var harness = try open()
        try await makeBucket(harness)
        try await put(harness, "a", bytes(33, 3000))
        await harness.close()
        let first = try #require(try segmentFiles().first)
        // Compaction may delete the newest segment; the next start must not reuse its id.
        try FileManager.default.removeItem(atPath: directory.path + "/segments/" + first)
        harness = try open()
        try await put(harness, "b", bytes(34, 3000))
        let second = try #require(try segmentFiles().first)
        #expect(second > first)
        await harness.close()
    }

    @Test func onlyOneCompactionPassRunsAtATime() async throws {
        let harness = try open(segmentByteCountMax: 16 << 10)
        try await makeBucket(harness)
        for index in 0..<12 { try await put(harness, "k\(index)", bytes(40 + index, 5000)) }
        for index in 0..<12 { try await put(harness, "k\(index)", bytes(60 + index, 10)) }
        _ = try await collectAll(harness)
        async let one = harness.store.compactSegments(liveFractionMin: 1)
        async let two = harness.store.compactSegments(liveFractionMin: 1)
        let (a, b) = try await (one, two)
        #expect(a.segmentsDeleted + b.segmentsDeleted > 0)
        #expect(a.segmentsDeleted == 0 || b.segmentsDeleted == 0, "the second pass found the first running")
        for index in 0..<12 {
            let digest = try #require(try currentDigest(harness, "k\(index)"))
            #expect(try await read(harness, digest) == bytes(60 + index, 10))
        }
        await harness.close()
    }

    @Test func anEntryHeaderThatDoesNotNameTheBlobIsFound() async throws {
        let harness = try open()
        try await makeBucket(harness)
        let digest = try await put(harness, "a", bytes(35, 3000))
        #expect(try await harness.store.packedEntryMatches(digest) == true)
        let path = directory.path + "/segments/" + (try segmentFiles()[0])
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: 20)
        handle.write(Data([0xFF]))
        try handle.close()
        #expect(try await harness.store.packedEntryMatches(digest) == false)
        await harness.close()
    }

    @Test func aTornTailFromACrashIsDeadSpaceThatCompactionReclaims() async throws {
        var harness = try open()
        try await makeBucket(harness)
        let body = bytes(9, 2000)
        let digest = try await put(harness, "a", body)
        await harness.close()
        // A crash in the middle of an append: half an entry at the end of the segment.
        let path = directory.path + "/segments/" + (try segmentFiles()[0])
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(SegmentLog.header(byteCount: 5000, digest: digest) + [1, 2, 3]))
        try handle.close()
        harness = try open()
        #expect(try await read(harness, digest) == body)
        try await put(harness, "a", bytes(10, 2000))
        _ = try await collectAll(harness)
        let report = try await harness.store.compactSegments()
        #expect(report.segmentsDeleted == 1)
        #expect(!FileManager.default.fileExists(atPath: path))
        await harness.close()
    }

    @Test func failedSegmentWritesAndFsyncsAcknowledgeNothingAndTheNextAppendUsesANewSegment() async throws {
        for (round, fault) in [FaultyFileSystem.Fault.writeIO, .writeNoSpace, .fsyncFails].enumerated() {
            let io = FaultyFileSystem()
            let harness = try open(io: io)
            let bucket = "bucket\(segmentFilesCount())"
            try await makeBucket(harness, bucket)
            try await put(harness, "before", bytes(11 + 10 * round, 1000), bucket: bucket)
            io.fault.withLock { $0 = fault }
            await #expect(throws: BlobStoreError.self) { try await put(harness, "failed", bytes(12 + 10 * round, 1000), bucket: bucket) }
            io.fault.withLock { $0 = .none }
            #expect(try currentDigest(harness, "failed", bucket: bucket) == nil)
            let segmentsBefore = try segmentFiles().count
            let digest = try await put(harness, "after", bytes(13 + 10 * round, 1000), bucket: bucket)
            #expect(try segmentFiles().count == segmentsBefore + 1, "no append after a failure in the same segment")
            #expect(try await read(harness, digest) == bytes(13 + 10 * round, 1000))
            await harness.close()
        }
    }

    func segmentFilesCount() -> Int { (try? segmentFiles().count) ?? 0 }

    @Test func appendsThatArriveDuringAnFsyncAreWrittenAndFsyncedTogetherInTheNextBatch() async throws {
        let io = FaultyFileSystem()
        let harness = try open(io: io)
        try await makeBucket(harness)
        try await put(harness, "warm-up", bytes(1, 1000))
        let before = io.synchronizeCount.load(ordering: .relaxed)
        io.synchronizeGateIsOpen.store(false, ordering: .releasing)
        let (firstBody, now) = (bytes(2, 1000), now)
        let first = Task { try await Self.put(harness, "first", firstBody, now: now) }
        while io.synchronizeCount.load(ordering: .relaxed) == before { try await Task.sleep(nanoseconds: 1_000_000) }
        // The first batch is held in its fsync; these twenty queue behind it.
        let rest = (0..<20).map { index in
            let body = bytes(100 + index, 1000)
            return Task { try await Self.put(harness, "queued-\(index)", body, now: now) }
        }
        try await Task.sleep(nanoseconds: 300_000_000)
        io.synchronizeGateIsOpen.store(true, ordering: .releasing)
        _ = try await first.value
        for task in rest { _ = try await task.value }
        let fsyncs = io.synchronizeCount.load(ordering: .relaxed) - before
        #expect(fsyncs < 21, "queued appends share fsyncs (\(fsyncs) for 21 appends)")
        for index in 0..<20 {
            let digest = try #require(try currentDigest(harness, "queued-\(index)"))
            #expect(try await read(harness, digest) == bytes(100 + index, 1000))
        }
        await harness.close()
    }

    @Test func quarantineTakesAPackedBlobOutOfService() async throws {
        let harness = try open()
        try await makeBucket(harness)
        let body = bytes(14, 4000)
        let digest = try await put(harness, "a", body)
        try await harness.store.quarantine(digest)
        #expect(FileManager.default.contents(atPath: directory.path + "/quarantine/" + digest.hex) == Data(body))
        #expect(try harness.catalog.placement(of: digest) == .file)
        await #expect(throws: BlobStoreError.self) { _ = try await harness.store.open(digest) }
        await harness.close()
    }

    @Test func stagingMemoryIsBoundedAndOverflowGoesToFiles() async throws {
        let catalog = try Catalog(directory: directory.path + "/index")
        let store = try LocalBlobStore(root: directory.path, threadCount: 2, packedByteCountMax: 64 << 10, stagingByteCountMax: 100_000)
        catalog.connect(store)
        var writers = [any BlobSink]()
        for _ in 0..<3 { writers.append(try await store.makeWriter(checksums: [], byteCountMax: 40_000, expectedByteCount: 40_000)) }
        #expect(writers[0] is MemoryBlobWriter && writers[1] is MemoryBlobWriter)
        #expect(writers[2] is BlobWriter, "the third would pass the budget")
        for writer in writers { await writer.abort() }
        writers = []
        let again = try await store.makeWriter(checksums: [], byteCountMax: 40_000, expectedByteCount: 40_000)
        #expect(again is MemoryBlobWriter, "aborted writers gave their memory back")
        await again.abort()
        await store.shutdown()
        await catalog.close()
    }
}
