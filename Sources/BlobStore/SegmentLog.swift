import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Segment files for small blobs:
///
/// ```
/// <root>/segments/<16 hex digits>.seg   entries: [48-byte header][bytes], appended in order
/// ```
///
/// A header is `spS1`, four zero bytes, the length (UInt64, little-endian) and the SHA-256 of the
/// bytes, so fsck can tell that a location points at the blob it names. Appends go only to the
/// active segment, which this process created; every segment found at start is sealed, so the
/// torn tail of a crashed process is dead space that compaction reclaims, never appended after.
///
/// Writers that append at the same time share one trip to the thread pool, where their entries
/// are written and the segment fsynced once (group commit): an append returns once its bytes are
/// durable, and only then may the index refer to the location.
final class SegmentLog: Sendable {
    static let headerByteCount = BlobLocation.segmentEntryHeaderByteCount
    static let magic: [UInt8] = Array("spS1".utf8)
    static let fileSuffix = ".seg"

    /// An open segment file; closed when the last appender holding it is done.
    final class Segment: Sendable {
        let id: UInt64
        let descriptor: Int32
        let path: String
        private let io: any FileSystemIO
        /// Set by any failed write or fsync, for good: Linux reports a lost write-back once, and
        /// a later fsync of the same file may succeed without the lost pages, so no append to this
        /// segment is ever acknowledged after a failure, also one reserved before it.
        let failed = Atomic<Bool>(false)

        init(id: UInt64, descriptor: Int32, path: String, io: any FileSystemIO) {
            self.id = id
            self.descriptor = descriptor
            self.path = path
            self.io = io
        }

        deinit { io.close(descriptor) }
    }

    /// An entry waiting to be written and made durable.
    private struct Waiter {
        let segment: Segment
        let offset: Int64
        let entry: ByteBuffer
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var active: Segment?
        var activeByteCount: Int64 = 0
        var nextID: UInt64
        /// A new active segment is being created (only one at a time).
        var opening = false
        /// Appends (and placements that rely on one) whose index commit has not happened yet, per
        /// segment: such a segment is never compacted.
        var inFlight: [UInt64: Int] = [:]
        var waiters: [Waiter] = []
        /// A task is writing and fsyncing batches of waiters.
        var flushing = false
    }

    let directory: String
    /// A segment is sealed once it reaches this size (an entry larger than it gets a segment of its own).
    let segmentByteCountMax: Int64
    private let io: any FileSystemIO
    private let threadPool: NIOThreadPool
    private let isSynchronous: Bool
    private let state: Mutex<State>

    init(directory: String, io: any FileSystemIO, threadPool: NIOThreadPool, synchronous: Bool, segmentByteCountMax: Int64) throws {
        precondition(segmentByteCountMax > Int64(Self.headerByteCount), "a segment holds at least one entry")
        self.directory = directory
        self.io = io
        self.threadPool = threadPool
        self.isSynchronous = synchronous
        self.segmentByteCountMax = segmentByteCountMax
        let existing = try Self.segmentIDs(in: directory, io: io)
        state = Mutex(State(nextID: max((existing.max() ?? 0) + 1, Self.idFloor())))
    }

    /// Ids never come back: compaction may delete the newest segment, so "one past the largest on
    /// disk" could name a new segment like one a tool still has open, or one a stale location
    /// points at. Each start begins at the wall-clock milliseconds shifted left 16 bits, above any
    /// id an earlier start handed out unless it opened 65,536 segments per millisecond of uptime.
    static func idFloor() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let milliseconds = UInt64(max(0, now.tv_sec)) * 1000 + UInt64(max(0, now.tv_nsec) / 1_000_000)
        return milliseconds << 16
    }

    static func segmentIDs(in directory: String, io: any FileSystemIO) throws(BlobStoreError) -> [UInt64] {
        try io.listDirectory(at: directory).compactMap { name in
            guard name.hasSuffix(fileSuffix), name.utf8.count == 16 + fileSuffix.utf8.count else { return nil }
            return UInt64(name.prefix(16), radix: 16)
        }
    }

    func path(of segment: UInt64) -> String {
        let hex = String(segment, radix: 16)
        return "\(directory)/\(String(repeating: "0", count: 16 - hex.utf8.count))\(hex)\(Self.fileSuffix)"
    }

    static func header(byteCount: Int, digest: BlobDigest) -> [UInt8] {
        var header = magic + [0, 0, 0, 0]
        for shift in stride(from: 0, to: 64, by: 8) { header.append(UInt8(truncatingIfNeeded: UInt64(byteCount) >> UInt64(shift))) }
        header += digest.bytes
        assert(header.count == headerByteCount, "the entry header has a fixed size")
        return header
    }

    // MARK: Appending

    /// Appends one blob and returns once it is durable. The segment counts the append as in
    /// flight until `finished(_:)` is called for it (after the index commit, or after giving up).
    func append(_ bytes: ByteBuffer, digest: BlobDigest) async throws -> BlobLocation {
        let entryByteCount = Int64(Self.headerByteCount + bytes.readableBytes)
        let (segment, entryOffset) = try await reserve(entryByteCount)
        do {
            var entry = ByteBufferAllocator().buffer(capacity: Int(entryByteCount))
            entry.writeBytes(Self.header(byteCount: bytes.readableBytes, digest: digest))
            entry.writeImmutableBuffer(bytes)
            try await writeDurably(entry, at: entryOffset, in: segment)
        } catch {
            segment.failed.store(true, ordering: .releasing)
            // The entry may be half written or not durable: nothing will ever point at it, and
            // no later append may land in a file whose fsync failed once.
            seal(segment)
            finished(segment.id)
            throw error
        }
        return BlobLocation(segment: segment.id, offset: entryOffset + Int64(Self.headerByteCount), byteCount: Int64(bytes.readableBytes))
    }

    /// Counts one more placement that relies on a blob in `segment` before its index commit.
    func retainInFlight(_ segment: UInt64) {
        state.withLock { $0.inFlight[segment, default: 0] += 1 }
    }

    /// Ends what `append` or `retainInFlight` started.
    func finished(_ segment: UInt64) {
        state.withLock { state in
            guard let count = state.inFlight[segment] else { preconditionFailure("finished an append that was not in flight") }
            state.inFlight[segment] = count == 1 ? nil : count - 1
        }
    }

    private func reserve(_ entryByteCount: Int64) async throws -> (Segment, Int64) {
        enum Step {
            case reserved(Segment, Int64)
            case open(UInt64)
            case wait
        }
        let segmentByteCountMax = self.segmentByteCountMax
        while true {
            let step = state.withLock { state -> Step in
                if let active = state.active,
                    state.activeByteCount == 0 || state.activeByteCount + entryByteCount <= segmentByteCountMax
                {
                    let offset = state.activeByteCount
                    state.activeByteCount += entryByteCount
                    state.inFlight[active.id, default: 0] += 1
                    return .reserved(active, offset)
                }
                if state.opening { return .wait }
                state.opening = true
                defer { state.nextID += 1 }
                return .open(state.nextID)
            }
            switch step {
            case .reserved(let segment, let offset):
                return (segment, offset)
            case .wait:
                try await Task.sleep(nanoseconds: 100_000)
            case .open(let id):
                do {
                    let segment = try await create(id)
                    state.withLock { state in
                        state.active = segment
                        state.activeByteCount = 0
                        state.opening = false
                    }
                } catch {
                    state.withLock { $0.opening = false }
                    throw error
                }
            }
        }
    }

    private func create(_ id: UInt64) async throws -> Segment {
        let (io, path, directory, synchronous) = (self.io, self.path(of: id), self.directory, isSynchronous)
        let descriptor = try await threadPool.runIfActive { () throws -> Int32 in
            let descriptor = try io.createFile(at: path)
            do {
                // The file's name must be durable before any location inside it is acknowledged.
                if synchronous { try io.synchronizeDirectory(at: directory) }
            } catch {
                io.close(descriptor)
                try? io.removeFile(at: path)
                throw error
            }
            return descriptor
        }
        return Segment(id: id, descriptor: descriptor, path: path, io: io)
    }

    /// Stops appending to `segment` (the next append opens a new one).
    private func seal(_ segment: Segment) {
        state.withLock { state in
            if state.active === segment {
                state.active = nil
                state.activeByteCount = 0
            }
        }
    }

    /// Writes `entry` at `offset` and waits until it is durable. Entries queued while a batch is
    /// on the thread pool go together in the next one: one hop to the pool for the batch (a hop
    /// per 4 KiB write was ≈ 10 % of a small PUT's CPU), their writes, then one fsync per segment.
    private func writeDurably(_ entry: ByteBuffer, at offset: Int64, in segment: Segment) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let leads = state.withLock { state -> Bool in
                state.waiters.append(Waiter(segment: segment, offset: offset, entry: entry, continuation: continuation))
                if state.flushing { return false }
                state.flushing = true
                return true
            }
            if leads { Task { await self.flushWaiters() } }
        }
    }

    /// Writes and fsyncs the waiters gathered so far, batch after batch, until none are left.
    /// A segment that fails a write or an fsync fails every waiter of the batch in it (and is
    /// sealed and marked failed, so no later append there is acknowledged either).
    private func flushWaiters() async {
        while true {
            let batch = state.withLock { state -> [Waiter]? in
                if state.waiters.isEmpty {
                    state.flushing = false
                    return nil
                }
                defer { state.waiters = [] }
                return state.waiters
            }
            guard let batch else { return }
            var touched: [Segment] = []
            for waiter in batch where !touched.contains(where: { $0 === waiter.segment }) { touched.append(waiter.segment) }
            let segments = touched
            let (io, isSynchronous) = (self.io, self.isSynchronous)
            let outcomes: [Result<Void, any Error>]
            do {
                outcomes = try await threadPool.runIfActive {
                    segments.map { segment in
                        Result {
                            if segment.failed.load(ordering: .acquiring) {
                                throw BlobStoreError(.ioFailure, "segment \(segment.path) failed an earlier write or fsync")
                            }
                            for waiter in batch where waiter.segment === segment {
                                try waiter.entry.withUnsafeReadableBytes {
                                    try io.write(segment.descriptor, $0, at: waiter.offset, path: segment.path)
                                }
                            }
                            if isSynchronous { try io.synchronize(segment.descriptor, path: segment.path) }
                        }
                    }
                }
            } catch {
                // The pool is shutting down: nothing of this batch was written.
                outcomes = segments.map { _ in .failure(error) }
            }
            for (segment, outcome) in zip(segments, outcomes) {
                if case .failure = outcome {
                    segment.failed.store(true, ordering: .releasing)
                    seal(segment)
                }
            }
            for waiter in batch {
                let index = segments.firstIndex { $0 === waiter.segment }!
                waiter.continuation.resume(with: outcomes[index])
            }
        }
    }

    // MARK: Maintenance

    /// Segments that no append can reach any more and that hold no blob awaiting its index
    /// commit, with their sizes: the ones compaction may rewrite or delete. Because such a
    /// segment never takes another append, what the index says of it afterwards is complete.
    func sealedSegments() async throws -> [(id: UInt64, byteCount: Int64)] {
        let (io, directory) = (self.io, self.directory)
        let ids = try await threadPool.runIfActive { try Self.segmentIDs(in: directory, io: io) }
        let eligible = state.withLock { state in
            ids.filter { id in
                id < state.nextID && id != state.active?.id && !(state.opening && id == state.nextID - 1) && state.inFlight[id] == nil
            }
        }
        var sized = [(id: UInt64, byteCount: Int64)]()
        for id in eligible.sorted() {
            let path = self.path(of: id)
            if let size = try await threadPool.runIfActive({ try io.fileSize(at: path) }) { sized.append((id, size)) }
        }
        return sized
    }

    /// Deletes a sealed segment that holds nothing the index refers to.
    func delete(_ segment: UInt64) async throws {
        let (io, path, directory, synchronous) = (self.io, self.path(of: segment), self.directory, isSynchronous)
        try await threadPool.runIfActive {
            do {
                try io.removeFile(at: path)
            } catch let error as BlobStoreError where error.kind == .notFound {
                return
            }
            if synchronous { try io.synchronizeDirectory(at: directory) }
        }
    }

    /// Segments on disk and their total size, for statistics.
    func usage() async throws -> (count: Int, byteCount: Int64) {
        let (io, directory) = (self.io, self.directory)
        return try await threadPool.runIfActive {
            var total: Int64 = 0
            let ids = try Self.segmentIDs(in: directory, io: io)
            for id in ids { total += try io.fileSize(at: self.path(of: id)) ?? 0 }
            return (ids.count, total)
        }
    }
}
