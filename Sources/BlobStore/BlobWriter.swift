import Crypto
import NIOCore
import NIOPosix

/// Streams one body into a temporary file while hashing it.
///
/// SHA-256 and the requested checksums are computed on the caller's task as bytes arrive; MD5 and
/// the file write run on the store's thread pool as two separate tasks per batch, up to
/// `batchesInFlightMax` batches behind, so MD5 (the slowest step, ≈ 0.5 GB/s) never waits for a
/// write and the three steps use both cores. Each written batch starts its write-back at once (when writes are synchronous), so
/// the final fsync does not flush the whole object. Memory stays at about
/// `batchesInFlightMax + 1` batches whatever the size.
/// Not thread-safe: one task owns a writer from `makeWriter` to `finish` or `abort`.
public final class BlobWriter: BlobSink {
    /// Bytes gathered before a batch is handed to the thread pool.
    public static let batchByteCount = 1 << 20
    /// Batches the pool may hold at once: enough that a late MD5 or write does not stall the
    /// request's reading, few enough that an upload holds at most a few MiB.
    public static let batchesInFlightMax = 4

    private let io: any FileSystemIO
    private let threadPool: NIOThreadPool
    private let descriptor: Int32
    private let temporaryPath: String
    private let byteCountMax: Int64
    private let expectedByteCount: Int64?
    private var sha256 = SHA256()
    private var accumulator: ChecksumAccumulator
    private let md5 = MD5Box()
    private var batch: [ByteBuffer] = []
    private var batchByteCount = 0
    private var byteCount: Int64 = 0
    private var fileOffset: Int64 = 0
    /// Batches handed to the pool and not yet known to be written and hashed, oldest first.
    private var inFlight: [(write: Task<Void, any Error>, digest: Task<Void, any Error>)] = []
    private var isClosed = false
    private let isSynchronous: Bool
    private let computesMD5: Bool

    init(
        io: any FileSystemIO, threadPool: NIOThreadPool, descriptor: Int32, temporaryPath: String,
        checksums: Set<ChecksumAlgorithm>, byteCountMax: Int64, expectedByteCount: Int64?, synchronous: Bool, computesMD5: Bool = true
    ) {
        self.computesMD5 = computesMD5
        precondition(byteCountMax >= 0, "the length limit is never negative")
        self.isSynchronous = synchronous
        self.io = io
        self.threadPool = threadPool
        self.descriptor = descriptor
        self.temporaryPath = temporaryPath
        self.byteCountMax = byteCountMax
        self.expectedByteCount = expectedByteCount
        self.accumulator = ChecksumAccumulator(algorithms: checksums)
    }

    deinit {
        // A writer dropped without finish or abort (a cancelled request) must not leak its descriptor;
        // the temporary file itself is removed at the next start, when tmp/ is emptied.
        if !isClosed { io.close(descriptor) }
    }

    /// Bytes accepted so far.
    public var writtenByteCount: Int64 { byteCount }

    /// Appends a chunk of the body.
    public func write(_ chunk: ByteBuffer) async throws {
        precondition(!isClosed, "write after finish or abort")
        let newCount = byteCount + Int64(chunk.readableBytes)
        if newCount > byteCountMax {
            throw BlobStoreError(.tooLarge, "body exceeds \(byteCountMax) bytes")
        }
        if let expected = expectedByteCount, newCount > expected {
            throw BlobStoreError(.lengthMismatch, "body is longer than the declared \(expected) bytes")
        }
        chunk.withUnsafeReadableBytes { bytes in
            sha256.update(bufferPointer: bytes)
            accumulator.update(bytes)
        }
        byteCount = newCount
        batch.append(chunk)
        batchByteCount += chunk.readableBytes
        if batchByteCount >= Self.batchByteCount {
            try await flushBatch()
        }
    }

    /// Writes what is left, fsyncs the file and returns the staged blob. The writer is closed after.
    public func finish() async throws -> StagedBlob {
        precondition(!isClosed, "finish after finish or abort")
        if let expected = expectedByteCount, byteCount != expected {
            throw BlobStoreError(.lengthMismatch, "body has \(byteCount) bytes, \(expected) were declared")
        }
        try await flushBatch()
        try await drain(keeping: 0)
        let (io, descriptor, path) = (self.io, self.descriptor, self.temporaryPath)
        if isSynchronous { try await threadPool.runIfActive { try io.synchronize(descriptor, path: path) } }
        isClosed = true
        io.close(descriptor)
        let address = BlobDigest(bytes: Array(sha256.finalize()))
        let digests = ContentDigests(
            sha256: address, md5: computesMD5 ? md5.finalize() : [], checksums: accumulator.finalize(sha256: address), byteCount: byteCount,
            crc32: accumulator.contentCRC32
        )
        return StagedBlob(digests: digests, location: temporaryPath)
    }

    /// Drops the body: waits for the batches in flight, closes and removes the temporary file.
    public func abort() async {
        guard !isClosed else { return }
        // Failures are what brought us here; only the waiting matters.
        try? await drain(keeping: 0)
        isClosed = true
        io.close(descriptor)
        let (io, path) = (self.io, self.temporaryPath)
        _ = try? await threadPool.runIfActive { try io.removeFile(at: path) }
    }

    private func flushBatch() async throws {
        guard batchByteCount > 0 else { return }
        let buffers = batch
        let offset = fileOffset
        batch = []
        fileOffset += Int64(batchByteCount)
        batchByteCount = 0
        try await drain(keeping: Self.batchesInFlightMax - 1)
        let (io, pool, descriptor, path, md5) = (self.io, self.threadPool, self.descriptor, self.temporaryPath, self.md5)
        let startsWriteBack = isSynchronous
        let previousDigest = inFlight.last?.digest
        let computesMD5 = self.computesMD5
        let digest = Task {
            guard computesMD5 else { return }
            // MD5 must see the batches in order: each digest task starts after the one before
            // (and fails if it failed, so a skipped batch can never yield a wrong MD5).
            try await previousDigest?.value
            try await pool.runIfActive {
                for buffer in buffers { buffer.withUnsafeReadableBytes { md5.update($0) } }
            }
        }
        let write = Task {
            try await pool.runIfActive {
                var position = offset
                for buffer in buffers {
                    try buffer.withUnsafeReadableBytes { bytes in try io.write(descriptor, bytes, at: position, path: path) }
                    position += Int64(buffer.readableBytes)
                }
                if startsWriteBack { io.startWriteBack(descriptor, offset: offset, byteCount: position - offset) }
            }
        }
        inFlight.append((write, digest))
    }

    /// Waits for the oldest batches until at most `count` are in flight, then throws the first
    /// failed write or digest. Every batch it takes out has finished, failed or not, so nothing
    /// of it runs on after the writer closes.
    private func drain(keeping count: Int) async throws {
        var failure: (any Error)?
        while inFlight.count > count {
            let oldest = inFlight.removeFirst()
            for result in [await oldest.write.result, await oldest.digest.result] {
                if case .failure(let error) = result, failure == nil { failure = error }
            }
        }
        if let failure { throw failure }
    }
}

/// The MD5 state, handed from batch to batch across thread-pool tasks.
// @unchecked Sendable: each digest task awaits the one before it, and the writer awaits them all
// before reading the result, so accesses never overlap.
private final class MD5Box: @unchecked Sendable {
    private var state = Insecure.MD5()

    func update(_ bytes: UnsafeRawBufferPointer) { state.update(bufferPointer: bytes) }

    func finalize() -> [UInt8] { Array(state.finalize()) }
}
