import Foundation
import NIOCore
import Synchronization
import Testing

@testable import BlobStore

#if canImport(Glibc)
import Glibc
#endif

/// `PosixFileSystem` with switchable failures, to test the blob store's handling of operating
/// conditions it cannot prevent.
final class FaultyFileSystem: FileSystemIO {
    enum Fault: Sendable {
        case none
        case writeNoSpace
        case writeIO
        case fsyncFails
        case renameFails
    }

    let real = PosixFileSystem()
    let fault = Mutex(Fault.none)

    func createFile(at path: String) throws(BlobStoreError) -> Int32 { try real.createFile(at: path) }
    func openForReading(at path: String) throws(BlobStoreError) -> Int32 { try real.openForReading(at: path) }
    func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws(BlobStoreError) {
        switch fault.withLock({ $0 }) {
        case .writeNoSpace: throw .system("write", path: path, errorNumber: ENOSPC)
        case .writeIO: throw .system("write", path: path, errorNumber: EIO)
        default: try real.write(descriptor, bytes, at: offset, path: path)
        }
    }
    func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws(BlobStoreError) -> Int {
        try real.read(descriptor, into: buffer, at: offset, path: path)
    }
    func synchronize(_ descriptor: Int32, path: String) throws(BlobStoreError) {
        if case .fsyncFails = fault.withLock({ $0 }) { throw .system("fsync", path: path, errorNumber: EIO) }
        try real.synchronize(descriptor, path: path)
    }
    func close(_ descriptor: Int32) { real.close(descriptor) }
    func rename(from source: String, to target: String) throws(BlobStoreError) {
        if case .renameFails = fault.withLock({ $0 }) { throw .system("rename", path: source, errorNumber: EIO) }
        try real.rename(from: source, to: target)
    }
    func synchronizeDirectory(at path: String) throws(BlobStoreError) { try real.synchronizeDirectory(at: path) }
    func removeFile(at path: String) throws(BlobStoreError) { try real.removeFile(at: path) }
    func makeDirectory(at path: String) throws(BlobStoreError) -> Bool { try real.makeDirectory(at: path) }
    func fileSize(at path: String) throws(BlobStoreError) -> Int64? { try real.fileSize(at: path) }
    func listDirectory(at path: String) throws(BlobStoreError) -> [String] { try real.listDirectory(at: path) }
    func availableBytes(at path: String) throws(BlobStoreError) -> Int64 { try real.availableBytes(at: path) }
}

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

    @Test func aFailedRenameIsReported() async throws {
        let (error, store) = try await attempt(.renameFails)
        #expect(error?.kind == .ioFailure)
        #expect(try await store.allDigests().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/tmp").isEmpty)
        await store.shutdown()
    }
}
