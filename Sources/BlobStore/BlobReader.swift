import NIOCore
import NIOPosix
import Synchronization

/// An open blob. Reads run on the store's thread pool; the descriptor closes when the reader goes.
public final class BlobReader: BlobSource {
    /// The blob's length in bytes.
    public let byteCount: Int64
    private let io: any FileSystemIO
    private let threadPool: NIOThreadPool
    private let descriptor: Int32
    private let path: String
    /// Where the blob starts in the file: 0 for a blob file, the entry's data for a packed blob.
    private let baseOffset: Int64
    /// A descriptor shared with other readers (an open segment): it closes with its handle, not
    /// with this reader.
    private let shared: OpenFile?

    init(io: any FileSystemIO, threadPool: NIOThreadPool, descriptor: Int32, path: String, byteCount: Int64, baseOffset: Int64 = 0) {
        precondition(baseOffset >= 0, "a blob starts inside its file")
        self.baseOffset = baseOffset
        self.shared = nil
        self.io = io
        self.threadPool = threadPool
        self.descriptor = descriptor
        self.path = path
        self.byteCount = byteCount
    }

    init(io: any FileSystemIO, threadPool: NIOThreadPool, file: OpenFile, byteCount: Int64, baseOffset: Int64) {
        precondition(baseOffset >= 0, "a blob starts inside its file")
        self.io = io
        self.threadPool = threadPool
        self.descriptor = file.descriptor
        self.path = file.path
        self.byteCount = byteCount
        self.baseOffset = baseOffset
        self.shared = file
    }

    deinit {
        if shared == nil { io.close(descriptor) }
    }

    /// Hands the bytes of `range` to `consume` in order, in chunks of at most `chunkByteCount`.
    /// The next chunk is read while `consume` runs, so disk and network overlap. Chunks that
    /// `consume` has let go of are read into again, so a long read mostly reuses a few buffers
    /// instead of allocating and freeing one per chunk.
    public func read(
        range: Range<Int64>, chunkByteCount: Int, consume: (ByteBuffer) async throws -> Void
    ) async throws {
        precondition(range.lowerBound >= 0, "ranges start at or after the first byte")
        precondition(chunkByteCount > 0, "chunks hold at least one byte")
        guard range.upperBound <= byteCount else {
            throw BlobStoreError(.corrupt, "blob \(path) has \(byteCount) bytes, \(range.upperBound) were expected")
        }
        let spares = SpareBuffers()
        var offset = range.lowerBound
        var next: Task<ByteBuffer, any Error>? =
            range.isEmpty ? nil : readChunk(at: offset, upTo: range.upperBound, chunkByteCount, spares)
        while let current = next {
            let chunk = try await current.value
            offset += Int64(chunk.readableBytes)
            next = offset < range.upperBound ? readChunk(at: offset, upTo: range.upperBound, chunkByteCount, spares) : nil
            do {
                try await consume(chunk)
            } catch {
                _ = try? await next?.value
                throw error
            }
            spares.put(chunk)
        }
    }

    /// Reads up to `byteCount` bytes at `offset` (fewer only at the end of the blob).
    public func readChunk(at offset: Int64, byteCount: Int) async throws -> ByteBuffer {
        try await readChunk(at: offset, upTo: min(self.byteCount, offset + Int64(byteCount)), byteCount, nil).value
    }

    private func readChunk(
        at offset: Int64, upTo end: Int64, _ chunkByteCount: Int, _ spares: SpareBuffers?
    ) -> Task<ByteBuffer, any Error> {
        let wanted = Int(min(Int64(chunkByteCount), end - offset))
        // The task holds the reader, so the descriptor stays open until the read has finished.
        return Task { [self] in
            let (io, descriptor, path, baseOffset) = (self.io, self.descriptor, self.path, self.baseOffset)
            return try await threadPool.runIfActive {
                // clear() keeps the storage only where nothing else holds it any more (the socket
                // may still be sending a chunk); otherwise it allocates fresh.
                var buffer = spares?.take() ?? ByteBufferAllocator().buffer(capacity: wanted)
                buffer.clear(minimumCapacity: wanted)
                var filled = 0
                while filled < wanted {
                    let count = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted - filled) { raw in
                        try io.read(
                            descriptor, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<(wanted - filled)]),
                            at: baseOffset + offset + Int64(filled), path: path
                        )
                    }
                    if count == 0 {
                        throw BlobStoreError(.corrupt, "blob \(path) ended early at \(offset + Int64(filled))")
                    }
                    filled += count
                }
                return buffer
            }
        }
    }
}

/// Chunks a finished consumer handed back, for the next read of the same stream.
private final class SpareBuffers: Sendable {
    /// More would only hold memory: one chunk is with the consumer and one is being read.
    static let countMax = 2
    private let buffers = Mutex<[ByteBuffer]>([])

    func put(_ buffer: ByteBuffer) {
        buffers.withLock { if $0.count < Self.countMax { $0.append(buffer) } }
    }

    func take() -> ByteBuffer? { buffers.withLock { $0.popLast() } }
}

/// A file opened for reading and shared by the readers that hold it; closed when the last goes.
final class OpenFile: Sendable {
    let descriptor: Int32
    let path: String
    private let io: any FileSystemIO

    init(descriptor: Int32, path: String, io: any FileSystemIO) {
        self.descriptor = descriptor
        self.path = path
        self.io = io
    }

    deinit { io.close(descriptor) }
}
