import Crypto
import Foundation
import NIOCore
import SporeTestSupport
import Testing

@testable import BlobStore

@Suite struct BlobStoreTests {
    let directory = TemporaryDirectory()

    func bytes(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }

    func ingest(_ store: LocalBlobStore, _ data: [UInt8], chunk: Int = 7919, checksums: Set<ChecksumAlgorithm> = []) async throws -> StagedBlob {
        let writer = try await store.makeWriter(checksums: checksums, byteCountMax: Int64(data.count), expectedByteCount: Int64(data.count))
        var offset = 0
        while offset < data.count {
            let end = min(offset + chunk, data.count)
            try await writer.write(ByteBuffer(bytes: data[offset..<end]))
            offset = end
        }
        return try await writer.finish()
    }

    @Test func ingestHashesAsBytesArriveAndPlacesUnderTheDigest() async throws {
        let store = try LocalBlobStore(root: directory.path, threadCount: 2)
        // More batches than may be in flight, so MD5's chain of tasks and the drain both run; no
        // two batches are alike, so MD5 would differ if batches were hashed out of order.
        let count = (BlobWriter.batchesInFlightMax + 3) * BlobWriter.batchByteCount + 12345
        let data = (0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 16) }
        let staged = try await ingest(store, data, checksums: [.crc32, .crc32c, .crc64nvme, .sha1, .sha256])
        #expect(staged.digests.sha256 == BlobDigest(bytes: Array(SHA256.hash(data: data))))
        #expect(staged.digests.md5 == Array(Insecure.MD5.hash(data: data)))
        #expect(staged.digests.byteCount == Int64(data.count))
        #expect(staged.digests.checksum(.sha256)?.bytes == staged.digests.sha256.bytes)
        #expect(staged.digests.checksum(.sha1)?.bytes == Array(Insecure.SHA1.hash(data: data)))
        _ = try await store.place(staged)
        let hex = staged.digests.sha256.hex
        let path = "\(directory.path)/blobs/\(hex.prefix(2))/\(hex.dropFirst(2).prefix(2))/\(hex)"
        #expect(FileManager.default.contents(atPath: path) == Data(data))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/tmp").isEmpty)
        await store.shutdown()
    }

    @Test func crcValuesMatchTheStandardCheckValues() {
        let check = ContentHasher.digests(of: Array("123456789".utf8), checksums: [.crc32, .crc32c, .crc64nvme])
        #expect(check.checksum(.crc32)?.bytes == [0xCB, 0xF4, 0x39, 0x26])
        #expect(check.checksum(.crc32c)?.bytes == [0xE3, 0x06, 0x92, 0x83])
        #expect(check.checksum(.crc64nvme)?.bytes == [0xAE, 0x8B, 0x14, 0x86, 0x0A, 0x79, 0x98, 0x88])
    }

    @Test(arguments: [ChecksumAlgorithm.crc32, .crc32c, .crc64nvme])
    func crcsCombineLikeTheWhole(_ algorithm: ChecksumAlgorithm) {
        let data = bytes(100_003)
        let whole = ContentHasher.digests(of: data, checksums: [algorithm]).checksum(algorithm)!
        let first = ContentHasher.digests(of: Array(data[..<40_000]), checksums: [algorithm]).checksum(algorithm)!
        let second = ContentHasher.digests(of: Array(data[40_000...]), checksums: [algorithm]).checksum(algorithm)!
        #expect(ChecksumCombiner.combine(first, second, secondLength: 60_003) == whole)
    }

    @Test func identicalContentIsStoredOnce() async throws {
        let store = try LocalBlobStore(root: directory.path, threadCount: 2)
        let data = bytes(50_000)
        let first = try await ingest(store, data)
        _ = try await store.place(first)
        let second = try await ingest(store, data, chunk: 1000)
        _ = try await store.place(second)
        #expect(first.digests.sha256 == second.digests.sha256)
        #expect(try await store.allDigests() == [first.digests.sha256])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/tmp").isEmpty)
        await store.shutdown()
    }

    @Test func rangedReadsReturnExactlyTheRange() async throws {
        let store = try LocalBlobStore(root: directory.path, threadCount: 2)
        let data = bytes(1_000_000)
        let staged = try await ingest(store, data)
        _ = try await store.place(staged)
        let reader = try await store.open(staged.digests.sha256)
        for range: Range<Int64> in [0..<1, 0..<1_000_000, 999_999..<1_000_000, 123_456..<654_321, 5..<5] {
            var collected = [UInt8]()
            try await reader.read(range: range, chunkByteCount: 65_536) { chunk in
                #expect(chunk.readableBytes <= 65_536)
                collected += chunk.readableBytesView
            }
            #expect(collected == Array(data[Int(range.lowerBound)..<Int(range.upperBound)]))
        }
        await store.shutdown()
    }

    @Test func verifyCatchesABlobCorruptedOnDisk() async throws {
        let store = try LocalBlobStore(root: directory.path, threadCount: 2)
        let staged = try await ingest(store, bytes(10_000))
        _ = try await store.place(staged)
        let digest = staged.digests.sha256
        #expect(try await store.verify(digest))
        let hex = digest.hex
        let path = "\(directory.path)/blobs/\(hex.prefix(2))/\(hex.dropFirst(2).prefix(2))/\(hex)"
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seek(toOffset: 5000)
        try handle.write(contentsOf: Data([0xFF, 0xFE]))
        try handle.close()
        #expect(try await store.verify(digest) == false)
        try await store.quarantine(digest)
        #expect(try await store.size(of: digest) == nil)
        #expect(FileManager.default.fileExists(atPath: "\(directory.path)/quarantine/\(hex)"))
        await store.shutdown()
    }

    @Test func aBodyOfTheWrongLengthIsRefusedAndLeavesNothing() async throws {
        let store = try LocalBlobStore(root: directory.path, threadCount: 2)
        let short = try await store.makeWriter(byteCountMax: 100, expectedByteCount: 50)
        try await short.write(ByteBuffer(bytes: bytes(20)))
        await #expect(throws: BlobStoreError.self) { _ = try await short.finish() }
        await short.abort()
        let long = try await store.makeWriter(byteCountMax: 100, expectedByteCount: 50)
        await #expect(throws: BlobStoreError.self) { try await long.write(ByteBuffer(bytes: bytes(60))) }
        await long.abort()
        let tooLarge = try await store.makeWriter(byteCountMax: 10)
        await #expect(throws: BlobStoreError.self) { try await tooLarge.write(ByteBuffer(bytes: bytes(11))) }
        await tooLarge.abort()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/tmp").isEmpty)
        #expect(try await store.allDigests().isEmpty)
        await store.shutdown()
    }

    @Test func aCrashBetweenRenameAndCommitLeavesOnlyAnUnreferencedBlob() async throws {
        // A placed blob that no index entry refers to is what a crash after step 2 leaves; a body
        // still in tmp/ is what a crash before it leaves. Reopening removes the second and keeps
        // the first for the collector to find.
        var store = try LocalBlobStore(root: directory.path, threadCount: 2)
        let placed = try await ingest(store, bytes(4000))
        _ = try await store.place(placed)
        let writer = try await store.makeWriter(byteCountMax: 1000)
        try await writer.write(ByteBuffer(bytes: bytes(500)))
        await store.shutdown()
        store = try LocalBlobStore(root: directory.path, threadCount: 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/tmp").isEmpty)
        #expect(try await store.allDigests() == [placed.digests.sha256])
        _ = writer
        await store.shutdown()
    }

    @Test func digestHexRoundTrips() throws {
        let digest = BlobDigest(bytes: Array(SHA256.hash(data: Array("spore".utf8))))
        #expect(BlobDigest(hex: digest.hex) == digest)
        #expect(BlobDigest(hex: digest.hex.uppercased()) == digest)
        #expect(BlobDigest(hex: "xyz") == nil)
        #expect(digest.bytes.count == 32)
    }
}
