import BlobStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `PosixFileSystem` with switchable failures, to test how the blob store and the S3 face handle
/// operating conditions they cannot prevent.
public final class FaultyFileSystem: FileSystemIO {
    public enum Fault: Sendable {
        case none
        case writeNoSpace
        case writeIO
        case fsyncFails
        case renameFails
    }

    let real = PosixFileSystem()
    public let fault = Mutex(Fault.none)
    /// File fsyncs so far (segment and blob files; not directories).
    public let synchronizeCount = Atomic<Int>(0)
    /// While closed, every file fsync waits (to hold a group commit on the thread pool).
    public let synchronizeGateIsOpen = Atomic<Bool>(true)

    public init() {}

    public func createFile(at path: String) throws(BlobStoreError) -> Int32 { try real.createFile(at: path) }
    public func openForReading(at path: String) throws(BlobStoreError) -> Int32 { try real.openForReading(at: path) }
    public func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws(BlobStoreError) {
        switch fault.withLock({ $0 }) {
        case .writeNoSpace: throw .system("write", path: path, errorNumber: ENOSPC)
        case .writeIO: throw .system("write", path: path, errorNumber: EIO)
        default: try real.write(descriptor, bytes, at: offset, path: path)
        }
    }
    public func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws(BlobStoreError) -> Int {
        try real.read(descriptor, into: buffer, at: offset, path: path)
    }
    public func synchronize(_ descriptor: Int32, path: String) throws(BlobStoreError) {
        synchronizeCount.add(1, ordering: .relaxed)
        while !synchronizeGateIsOpen.load(ordering: .acquiring) { usleep(1000) }
        if case .fsyncFails = fault.withLock({ $0 }) { throw .system("fsync", path: path, errorNumber: EIO) }
        try real.synchronize(descriptor, path: path)
    }
    public func close(_ descriptor: Int32) { real.close(descriptor) }
    public func rename(from source: String, to target: String) throws(BlobStoreError) {
        if case .renameFails = fault.withLock({ $0 }) { throw .system("rename", path: source, errorNumber: EIO) }
        try real.rename(from: source, to: target)
    }
    public func synchronizeDirectory(at path: String) throws(BlobStoreError) { try real.synchronizeDirectory(at: path) }
    public func removeFile(at path: String) throws(BlobStoreError) { try real.removeFile(at: path) }
    public func makeDirectory(at path: String) throws(BlobStoreError) -> Bool { try real.makeDirectory(at: path) }
    public func fileSize(at path: String) throws(BlobStoreError) -> Int64? { try real.fileSize(at: path) }
    public func listDirectory(at path: String) throws(BlobStoreError) -> [String] { try real.listDirectory(at: path) }
    public func availableBytes(at path: String) throws(BlobStoreError) -> Int64 { try real.availableBytes(at: path) }
}
