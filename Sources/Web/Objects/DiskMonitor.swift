import BlobStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Free space on the blob store's file system, cached for a second so that every write can check
/// the reserve without a system call of its own.
public final class DiskMonitor: Sendable {
    /// How long a reading is reused.
    public static let refreshNanoseconds: UInt64 = 1_000_000_000

    private let blobs: any BlobStorage
    private let reading = Mutex<(bytes: Int64, at: UInt64)?>(nil)
    /// Replaces the measured value (tests of the disk-full path).
    private let override = Mutex<Int64?>(nil)

    public init(blobs: any BlobStorage) { self.blobs = blobs }

    /// Bytes available to new writes.
    public func availableBytes() async throws -> Int64 {
        if let forced = override.withLock({ $0 }) { return forced }
        let now = DispatchClock.uptimeNanoseconds()
        if let cached = reading.withLock({ $0 }), now &- cached.at < Self.refreshNanoseconds { return cached.bytes }
        let bytes = try await blobs.availableBytes()
        reading.withLock { $0 = (bytes, now) }
        return bytes
    }

    public func overrideAvailableBytes(_ bytes: Int64?) { override.withLock { $0 = bytes } }
}

public enum DispatchClock {
    public static func uptimeNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
