import BlobStore
import NIOCore
import Synchronization

/// Hashes a body on another core while the caller seals and stores it: the plaintext digests of
/// an encrypted upload (MD5 for the ETag, CRC-32 for zips, the checksums the client asked for)
/// would otherwise run on the same task as the cipher and the ciphertext's SHA-256, making an
/// encrypted PUT twice as slow as a plain one.
///
/// Batches of about 1 MiB are hashed in order, each by a task that waits for the one before;
/// at most `batchesInFlightMax` are pending, so memory stays bounded whatever the size.
final class BackgroundHasher: Sendable {
    static let batchByteCount = 1 << 20
    static let batchesInFlightMax = 4

    private let hasher: Mutex<ContentHasher>
    /// The caller's side: what is gathered, and the tasks handed off, oldest first. Only the
    /// owning task touches it (one upload, one hasher), so the lock is never contended.
    private let pending = Mutex<(buffers: [ByteBuffer], byteCount: Int, tasks: [Task<Void, Never>])>(([], 0, []))

    init(checksums: Set<ChecksumAlgorithm>) {
        hasher = Mutex(ContentHasher(checksums: checksums))
    }

    func update(_ chunk: ByteBuffer) async {
        let full = pending.withLock { state -> Bool in
            state.buffers.append(chunk)
            state.byteCount += chunk.readableBytes
            return state.byteCount >= Self.batchByteCount
        }
        if full { await handOff() }
    }

    /// The digests of everything given, once every batch is hashed.
    func finalize() async -> ContentDigests {
        await handOff()
        let tasks = pending.withLock { state in state.tasks }
        for task in tasks { await task.value }
        return hasher.withLock { $0.finalize() }
    }

    private func handOff() async {
        let (buffers, previous, oldest) = pending.withLock { state -> ([ByteBuffer], Task<Void, Never>?, Task<Void, Never>?) in
            let buffers = state.buffers
            state.buffers = []
            state.byteCount = 0
            let oldest = state.tasks.count >= Self.batchesInFlightMax ? state.tasks.removeFirst() : nil
            return (buffers, state.tasks.last, oldest)
        }
        await oldest?.value
        guard !buffers.isEmpty else { return }
        let task = Task.detached { [self] in
            await previous?.value
            self.hasher.withLock { state in
                for buffer in buffers { buffer.withUnsafeReadableBytes { state.update($0) } }
            }
        }
        pending.withLock { $0.tasks.append(task) }
    }
}
