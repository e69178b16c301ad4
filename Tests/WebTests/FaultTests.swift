import BlobStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@testable import Web

#if canImport(Glibc)
import Glibc
#endif

/// Disk faults seen through the S3 face: each is a clear S3 error, and the store stays consistent
/// (nothing half-written is visible, and the next write works).
@Suite struct S3FaultTests {
    /// The real file system, with a failure switched on for writes or fsyncs.
    final class FailingDisk: FileSystemIO {
        enum Fault: Sendable {
            case none
            case noSpace
            case ioError
            case fsyncFails
        }

        let real = PosixFileSystem()
        let fault = Mutex(Fault.none)

        func createFile(at path: String) throws(BlobStoreError) -> Int32 { try real.createFile(at: path) }
        func openForReading(at path: String) throws(BlobStoreError) -> Int32 { try real.openForReading(at: path) }
        func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws(BlobStoreError) {
            switch fault.withLock({ $0 }) {
            case .noSpace: throw .system("write", path: path, errorNumber: ENOSPC)
            case .ioError: throw .system("write", path: path, errorNumber: EIO)
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
        func rename(from source: String, to target: String) throws(BlobStoreError) { try real.rename(from: source, to: target) }
        func synchronizeDirectory(at path: String) throws(BlobStoreError) { try real.synchronizeDirectory(at: path) }
        func removeFile(at path: String) throws(BlobStoreError) { try real.removeFile(at: path) }
        func makeDirectory(at path: String) throws(BlobStoreError) -> Bool { try real.makeDirectory(at: path) }
        func fileSize(at path: String) throws(BlobStoreError) -> Int64? { try real.fileSize(at: path) }
        func listDirectory(at path: String) throws(BlobStoreError) -> [String] { try real.listDirectory(at: path) }
        func availableBytes(at path: String) throws(BlobStoreError) -> Int64 { try real.availableBytes(at: path) }
    }

    static let body = [UInt8](repeating: 0x5A, count: 3 << 20)

    @Test(arguments: [
        (FailingDisk.Fault.noSpace, 507, "XSporeStorageFull"),
        (FailingDisk.Fault.ioError, 500, "InternalError"),
        (FailingDisk.Fault.fsyncFails, 500, "InternalError"),
    ])
    func aDiskFaultIsAClearErrorAndChangesNothing(_ fault: FailingDisk.Fault, _ status: Int, _ code: String) async throws {
        let disk = FailingDisk()
        let harness = try S3Harness(io: disk)
        let blobDirectory = harness.directory.path
        try await harness.run { client in
            try await client.send(.put, "/bucket")
            try await client.send(.put, "/bucket/key", body: Array("the old version".utf8))
            disk.fault.withLock { $0 = fault }
            let failed = try await client.send(.put, "/bucket/key", body: Self.body)
            #expect(failed.status.code == status)
            #expect(failed.errorCode == code)
            disk.fault.withLock { $0 = .none }
            // The earlier version is intact and nothing of the failed body is visible or left over.
            let kept = try await client.send(.get, "/bucket/key")
            #expect(Array(kept.body.readableBytesView) == Array("the old version".utf8))
            let staging = (try? FileManager.default.contentsOfDirectory(atPath: blobDirectory + "/tmp")) ?? []
            #expect(staging.isEmpty)
            // And the next write works.
            #expect(try await client.send(.put, "/bucket/key", body: Self.body).status == .ok)
            #expect(try await client.send(.get, "/bucket/key").body.readableBytes == Self.body.count)
        }
    }
}
