import CFileSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The blocking file operations the blob store needs: the seam where tests inject `ENOSPC`, `EIO`
/// or a failing fsync, and where a different backend would plug in. Every call may block and is
/// made from a thread pool, never from an event loop.
public protocol FileSystemIO: Sendable {
    /// Creates a new file for writing; fails if it exists.
    func createFile(at path: String) throws(BlobStoreError) -> Int32
    func openForReading(at path: String) throws(BlobStoreError) -> Int32
    /// Writes all of `bytes` at `offset`.
    func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws(BlobStoreError)
    /// Reads up to `buffer.count` bytes at `offset`; returns how many were read (0 at the end).
    func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws(BlobStoreError) -> Int
    /// Reads like `read` when the bytes are in the page cache, without waiting for the disk; nil
    /// when the read would wait (then the caller reads on a thread pool). Never blocks on I/O, so
    /// it may run on any thread.
    func readIfCached(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Int?
    func synchronize(_ descriptor: Int32, path: String) throws(BlobStoreError)
    /// Asks the kernel to start writing a range back to disk without waiting for it, so the
    /// fsync that makes a large file durable finds little left to write. Best effort: the fsync
    /// that follows reports any error.
    func startWriteBack(_ descriptor: Int32, offset: Int64, byteCount: Int64)
    func close(_ descriptor: Int32)
    func rename(from source: String, to target: String) throws(BlobStoreError)
    func synchronizeDirectory(at path: String) throws(BlobStoreError)
    func removeFile(at path: String) throws(BlobStoreError)
    /// Creates a directory; returns false if it already existed.
    func makeDirectory(at path: String) throws(BlobStoreError) -> Bool
    /// Size of a regular file, or nil if there is none.
    func fileSize(at path: String) throws(BlobStoreError) -> Int64?
    /// Names in a directory, without `.` and `..`; empty if the directory does not exist.
    func listDirectory(at path: String) throws(BlobStoreError) -> [String]
    /// Bytes available to unprivileged writers on the file system holding `path`.
    func availableBytes(at path: String) throws(BlobStoreError) -> Int64
}

extension FileSystemIO {
    public func startWriteBack(_ descriptor: Int32, offset: Int64, byteCount: Int64) {}

    /// Unknown: read on the thread pool (fault-injecting file systems keep every read there).
    public func readIfCached(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Int? { nil }
}

/// `FileSystemIO` on the local POSIX file system.
public struct PosixFileSystem: FileSystemIO {
    public init() {}

    public func createFile(at path: String) throws(BlobStoreError) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .system("create", path: path, errorNumber: errno) }
        return descriptor
    }

    public func openForReading(at path: String) throws(BlobStoreError) -> Int32 {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .system("open", path: path, errorNumber: errno) }
        return descriptor
    }

    public func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws(BlobStoreError) {
        var written = 0
        while written < bytes.count {
            let result = pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(offset) + off_t(written))
            if result < 0 {
                if errno == EINTR { continue }
                throw .system("write", path: path, errorNumber: errno)
            }
            written += result
        }
    }

    public func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws(BlobStoreError) -> Int {
        while true {
            let result = pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
            if result >= 0 { return result }
            if errno != EINTR { throw .system("read", path: path, errorNumber: errno) }
        }
    }

    public func readIfCached(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Int? {
        let result = spore_read_if_cached(descriptor, buffer.baseAddress, Int64(buffer.count), offset)
        return result >= 0 ? Int(result) : nil
    }

    public func synchronize(_ descriptor: Int32, path: String) throws(BlobStoreError) {
        guard fsync(descriptor) == 0 else { throw .system("fsync", path: path, errorNumber: errno) }
    }

    public func startWriteBack(_ descriptor: Int32, offset: Int64, byteCount: Int64) {
        _ = spore_start_write_back(descriptor, offset, byteCount)
    }

    public func close(_ descriptor: Int32) {
        _ = Glibc.close(descriptor)
    }

    public func rename(from source: String, to target: String) throws(BlobStoreError) {
        guard Glibc.rename(source, target) == 0 else { throw .system("rename", path: source, errorNumber: errno) }
    }

    public func synchronizeDirectory(at path: String) throws(BlobStoreError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .system("open directory", path: path, errorNumber: errno) }
        defer { _ = Glibc.close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .system("fsync directory", path: path, errorNumber: errno) }
    }

    public func removeFile(at path: String) throws(BlobStoreError) {
        guard unlink(path) == 0 else { throw .system("unlink", path: path, errorNumber: errno) }
    }

    public func makeDirectory(at path: String) throws(BlobStoreError) -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        if errno == EEXIST { return false }
        throw .system("mkdir", path: path, errorNumber: errno)
    }

    public func fileSize(at path: String) throws(BlobStoreError) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw .system("stat", path: path, errorNumber: errno)
        }
        return Int64(info.st_size)
    }

    public func listDirectory(at path: String) throws(BlobStoreError) -> [String] {
        guard let directory = opendir(path) else {
            if errno == ENOENT { return [] }
            throw .system("opendir", path: path, errorNumber: errno)
        }
        defer { closedir(directory) }
        var names = [String]()
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public func availableBytes(at path: String) throws(BlobStoreError) -> Int64 {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { throw .system("statvfs", path: path, errorNumber: errno) }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }
}
