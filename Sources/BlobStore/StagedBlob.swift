import NIOCore
import Synchronization

/// A body that is fully written and hashed, waiting to be placed or dropped: fsynced in `tmp/`,
/// or (a small body on its way into a segment) held in memory.
///
/// The caller checks the digests (`Content-MD5`, `x-amz-content-sha256`, checksum headers) before
/// calling `BlobStorage.place(_:)`, so a body that fails a check never becomes a blob.
public struct StagedBlob: Sendable {
    public let digests: ContentDigests
    /// Where the storage that staged the body keeps it (a temporary file for `LocalBlobStore`);
    /// meaningful only to that storage. Empty for a body held in memory.
    public let location: String
    /// The body itself when it is small enough to be packed into a segment.
    let bytes: ByteBuffer?
    /// The share of the store's staging memory the bytes hold, given back when the last copy goes.
    let memory: StagingMemory.Share?

    public init(digests: ContentDigests, location: String) {
        self.digests = digests
        self.location = location
        self.bytes = nil
        self.memory = nil
    }

    init(digests: ContentDigests, bytes: ByteBuffer, memory: StagingMemory.Share) {
        self.digests = digests
        self.location = ""
        self.bytes = bytes
        self.memory = memory
    }
}

/// A bound on the bytes of small bodies held in memory between their arrival and their append
/// to a segment. A body that does not fit is staged in a file instead, so memory stays flat
/// whatever the number of concurrent uploads.
final class StagingMemory: Sendable {
    let byteCountMax: Int
    private let used = Mutex<Int>(0)

    init(byteCountMax: Int) {
        precondition(byteCountMax >= 0, "a budget is never negative")
        self.byteCountMax = byteCountMax
    }

    /// A share of `byteCount` bytes, or nil when the budget is spent.
    func take(_ byteCount: Int) -> Share? {
        let granted = used.withLock { used -> Bool in
            guard used + byteCount <= byteCountMax else { return false }
            used += byteCount
            return true
        }
        return granted ? Share(byteCount: byteCount, owner: self) : nil
    }

    var usedByteCount: Int { used.withLock { $0 } }

    fileprivate func giveBack(_ byteCount: Int) {
        used.withLock { used in
            precondition(used >= byteCount, "gave back more staging memory than was taken")
            used -= byteCount
        }
    }

    final class Share: Sendable {
        let byteCount: Int
        private let owner: StagingMemory

        fileprivate init(byteCount: Int, owner: StagingMemory) {
            self.byteCount = byteCount
            self.owner = owner
        }

        deinit { owner.giveBack(byteCount) }
    }
}

/// Takes a small body of declared length into memory while hashing it, for a segment.
final class MemoryBlobWriter: BlobSink {
    private let expectedByteCount: Int
    private let byteCountMax: Int64
    private let computesMD5: Bool
    private var hasher: ContentHasher
    private var buffer: ByteBuffer
    private var share: StagingMemory.Share?

    init(share: StagingMemory.Share, checksums: Set<ChecksumAlgorithm>, byteCountMax: Int64, expectedByteCount: Int, computesMD5: Bool) {
        self.share = share
        self.expectedByteCount = expectedByteCount
        self.byteCountMax = byteCountMax
        self.computesMD5 = computesMD5
        self.hasher = ContentHasher(checksums: checksums)
        self.buffer = ByteBufferAllocator().buffer(capacity: expectedByteCount)
    }

    func write(_ chunk: ByteBuffer) async throws {
        precondition(share != nil, "write after finish or abort")
        let newCount = buffer.readableBytes + chunk.readableBytes
        if newCount > byteCountMax { throw BlobStoreError(.tooLarge, "body exceeds \(byteCountMax) bytes") }
        if newCount > expectedByteCount {
            throw BlobStoreError(.lengthMismatch, "body is longer than the declared \(expectedByteCount) bytes")
        }
        chunk.withUnsafeReadableBytes { hasher.update($0) }
        buffer.writeImmutableBuffer(chunk)
    }

    func finish() async throws -> StagedBlob {
        guard let share else { preconditionFailure("finish after finish or abort") }
        if buffer.readableBytes != expectedByteCount {
            throw BlobStoreError(.lengthMismatch, "body has \(buffer.readableBytes) bytes, \(expectedByteCount) were declared")
        }
        self.share = nil
        let digests = hasher.finalize()
        let kept =
            computesMD5
            ? digests
            : ContentDigests(sha256: digests.sha256, md5: [], checksums: digests.checksums, byteCount: digests.byteCount, crc32: digests.crc32)
        return StagedBlob(digests: kept, bytes: buffer, memory: share)
    }

    func abort() async {
        share = nil
        buffer = ByteBuffer()
    }
}
