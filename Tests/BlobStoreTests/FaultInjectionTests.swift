import Foundation
import NIOCore
import SporeTestSupport
import Synchronization
import Testing

@testable import BlobStore

@Suite struct FaultInjectionTests {
    let directory = TemporaryDirectory()

    func attempt(_ fault: FaultyFileSystem.Fault) async throws -> (BlobStoreError?, LocalBlobStore) {
        let io = FaultyFileSystem()
        let store = try LocalBlobStore(root: directory.path, io: io, threadCount: 2)
        io.fault.withLock { $0 = fault }
        let data = [UInt8](repeating: 7, count: 3 * BlobWriter.batchByteCount)
        let writer = try await store.makeWriter(byteCountMax: Int64(data.count))
        do {
            try await writer.write(ByteBuffer(bytes: data))
            let staged = try await writer.finish()
            _ = try await store.place(staged)
            return (nil, store)
        } catch let error as BlobStoreError {
            await writer.abort()
            return (error, store)
        }
    }

    @Test func noSpaceOnWriteIsReportedAsNoSpaceAndLeavesNothing() async throws {
        let (error, store) = try await attempt(.writeNoSpace)
        #expect(error?.kind == .noSpace)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/tmp").isEmpty)
        #expect(try await store.allDigests().isEmpty)
        await store.shutdown()
    }

    @Test func ioErrorOnWriteIsAnIOFailure() async throws {
        let (error, store) = try await attempt(.writeIO)
        #expect(error?.kind == .ioFailure)
        #expect(try await store.allDigests().isEmpty)
        await store.shutdown()
    }

    @Test func aFailedFsyncNeverPlacesTheBlob() async throws {
        let (error, store) = try await attempt(.fsyncFails)
        #expect(error?.kind == .ioFailure)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/tmp").isEmpty)
        #expect(try await store.allDigests().isEmpty)
        await store.shutdown()
    }

    @Test func aFailedWriteBehindSeveralBatchesIsReportedAndLeavesNothing() async throws {
        // More batches than may be in flight: the failure surfaces while later batches are still
        // queued on the pool, and abort must wait for all of them before removing the file.
        let io = FaultyFileSystem()
        let store = try LocalBlobStore(root: directory.path, io: io, threadCount: 2)
        io.fault.withLock { $0 = .writeIO }
        let batch = [UInt8](repeating: 9, count: BlobWriter.batchByteCount)
        let batchCount = BlobWriter.batchesInFlightMax + 3
        let writer = try await store.makeWriter(byteCountMax: Int64(batchCount * batch.count))
        var failure: BlobStoreError?
        do {
            for _ in 0..<batchCount { try await writer.write(ByteBuffer(bytes: batch)) }
            _ = try await writer.finish()
        } catch let error as BlobStoreError {
            failure = error
            await writer.abort()
        }
        #expect(failure?.kind == .ioFailure)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/tmp").isEmpty)
        #expect(try await store.allDigests().isEmpty)
        await store.shutdown()
    }

    @Test func aFailedRenameIsReported() async throws {
        let (error, store) = try await attempt(.renameFails)
        #expect(error?.kind == .ioFailure)
        #expect(try await store.allDigests().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/tmp").isEmpty)
        await store.shutdown()
    }
}
