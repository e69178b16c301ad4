import NIOCore

/// Where blobs live: the seam between the index and the bytes. Everything above `BlobStore` holds
/// an `any BlobStorage`, so a store over another backend (a distributed object store, say) can
/// replace `LocalBlobStore` without touching the index or the faces. Nothing in this protocol
/// names a path.
///
/// The contract every implementation keeps: a staged body becomes durable under its SHA-256 in
/// `place` before it returns; identical content is stored once; a placed blob is pinned (safe from
/// `collect`) until its lease is released; `collect` removes a blob only when `confirm` says the
/// index still holds no reference.
public protocol BlobStorage: AnyObject, Sendable {
    /// Whether writes are made durable before they are acknowledged.
    var isSynchronous: Bool { get }

    /// Starts a new body. Fails with `.lengthMismatch` if the body differs from
    /// `expectedByteCount`, and with `.tooLarge` past `byteCountMax`.
    func makeWriter(checksums: Set<ChecksumAlgorithm>, byteCountMax: Int64, expectedByteCount: Int64?) async throws -> any BlobSink
    /// As above; without `computesMD5` the staged blob's MD5 is empty (encrypted blobs: the MD5 of
    /// ciphertext is of no use, and it would cost a core).
    func makeWriter(
        checksums: Set<ChecksumAlgorithm>, byteCountMax: Int64, expectedByteCount: Int64?, computesMD5: Bool
    ) async throws -> any BlobSink
    /// Makes a staged body durable under its digest; the lease keeps it from the collector until
    /// the index entry that refers to it is committed.
    func place(_ staged: StagedBlob) async throws -> BlobLease
    /// Drops a staged body that will not be placed.
    func discard(_ staged: StagedBlob) async
    /// Stores bytes already in memory (hashing them) as one blob.
    func store(_ bytes: ByteBuffer, checksums: Set<ChecksumAlgorithm>) async throws -> (ContentDigests, BlobLease)
    /// Opens a blob for ranged reads.
    func open(_ digest: BlobDigest) async throws -> any BlobSource
    /// Reads `range` of a blob into one buffer: for small reads, which a store may answer without
    /// the hops of a streamed read.
    func read(_ digest: BlobDigest, range: Range<Int64>) async throws -> ByteBuffer
    /// The blob's size, or nil when it is not stored.
    func size(of digest: BlobDigest) async throws -> Int64?
    /// Rehashes a blob and compares with its name.
    func verify(_ digest: BlobDigest) async throws -> Bool
    /// Moves a blob that failed verification out of service, keeping it.
    func quarantine(_ digest: BlobDigest) async throws
    /// Every stored digest (for the collector's and fsck's sweeps).
    func allDigests() async throws -> [BlobDigest]
    /// Bytes available to new writes.
    func availableBytes() async throws -> Int64
    /// Removes a blob unless it is pinned or `confirm` says it is referenced again.
    func collect(_ digest: BlobDigest, confirm: () async throws -> Bool) async throws -> Bool
    /// Whether a lease still protects the blob.
    func isPinned(_ digest: BlobDigest) -> Bool
    /// Stops the store's threads once the work in flight is done.
    func shutdown() async
}

extension BlobStorage {
    public func read(_ digest: BlobDigest, range: Range<Int64>) async throws -> ByteBuffer {
        let source = try await open(digest)
        var buffer = ByteBufferAllocator().buffer(capacity: Int(range.count))
        try await source.read(range: range) { chunk in buffer.writeImmutableBuffer(chunk) }
        return buffer
    }

    public func makeWriter(checksums: Set<ChecksumAlgorithm> = [], byteCountMax: Int64) async throws -> any BlobSink {
        try await makeWriter(checksums: checksums, byteCountMax: byteCountMax, expectedByteCount: nil)
    }

    public func store(_ bytes: ByteBuffer) async throws -> (ContentDigests, BlobLease) {
        try await store(bytes, checksums: [])
    }
}

/// A body being written: chunks in order, then `finish` (hashed, durable in staging) or `abort`.
public protocol BlobSink: AnyObject {
    func write(_ chunk: ByteBuffer) async throws
    func finish() async throws -> StagedBlob
    func abort() async
}

/// An open blob, read by ranges.
public protocol BlobSource: Sendable {
    var byteCount: Int64 { get }
    /// Hands the bytes of `range` to `consume` in order, in chunks of at most `chunkByteCount`,
    /// reading ahead while `consume` runs.
    func read(range: Range<Int64>, chunkByteCount: Int, consume: (ByteBuffer) async throws -> Void) async throws
    /// Reads up to `byteCount` bytes at `offset` (fewer only at the end of the blob).
    func readChunk(at offset: Int64, byteCount: Int) async throws -> ByteBuffer
}

extension BlobSource {
    /// Reads in the store's default chunk size (`LocalBlobStore.readChunkByteCount`).
    public func read(range: Range<Int64>, consume: (ByteBuffer) async throws -> Void) async throws {
        try await read(range: range, chunkByteCount: LocalBlobStore.readChunkByteCount, consume: consume)
    }
}
