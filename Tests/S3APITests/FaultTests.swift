import BlobStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SporeTestSupport
import Synchronization
import Testing

@testable import HTTPSupport
@testable import Objects
@testable import S3API

/// Disk faults seen through the S3 face: each is a clear S3 error, and the store stays consistent
/// (nothing half-written is visible, and the next write works).
@Suite struct S3FaultTests {
    static let body = [UInt8](repeating: 0x5A, count: 3 << 20)

    @Test(arguments: [
        (FaultyFileSystem.Fault.writeNoSpace, 507, "XSporeStorageFull"),
        (FaultyFileSystem.Fault.writeIO, 500, "InternalError"),
        (FaultyFileSystem.Fault.fsyncFails, 500, "InternalError"),
    ])
    func aDiskFaultIsAClearErrorAndChangesNothing(_ fault: FaultyFileSystem.Fault, _ status: Int, _ code: String) async throws {
        let disk = FaultyFileSystem()
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
