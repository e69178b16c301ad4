import Crypto
import NIOCore
import NIOPosix
import Synchronization

/// Content-addressed blobs in a local directory:
///
/// ```
/// <root>/blobs/ab/cd/<sha256 hex>   immutable, named by their SHA-256
/// <root>/segments/<id>.seg          small blobs packed together (`SegmentLog`)
/// <root>/tmp/                       bodies in flight, emptied at start
/// <root>/quarantine/                blobs that failed verification, kept and never served
/// ```
///
/// A blob file is placed in one order: temporary file, fsync, rename to the digest path, fsync of
/// the directory. A small body of declared length (up to `packedByteCountMax`) is held in memory
/// instead and appended to the active segment, its fsync shared with the appends beside it; the
/// index records where it went (`BlobLocator`) and `compact` rewrites segments that are mostly
/// dead. Identical content is stored once. The store knows nothing of buckets, keys or HTTP.
public final class LocalBlobStore: BlobStorage, BlobPlacements {
    /// Default size of the chunks a read hands to its consumer. 512 KiB measured ≈ 25 % faster
    /// than 256 KiB on a 1 GiB GET (half the reads and event-loop hops) for ≈ 10 MiB more peak RSS;
    /// 1 MiB was no faster again and cost ≈ 30 MiB.
    public static let readChunkByteCount = 512 * 1024

    private let root: String
    /// Whether bodies and directories are fsynced before a write is acknowledged (the default).
    public let isSynchronous: Bool
    private let io: any FileSystemIO
    let threadPool: NIOThreadPool
    private let ownsThreadPool: Bool
    /// Directories `blobs/ab` and `blobs/ab/cd` known to exist and to be durable, indexed `0xabcd`
    /// and `0x10000 + 0xab`, so that placement does not mkdir on every write.
    private let knownDirectories = Mutex<Set<Int>>([])
    private let temporaryCounter = Atomic<UInt64>(0)
    /// Blobs placed by requests whose index commit has not happened yet, and blobs the collector is
    /// deleting. A pinned blob is never collected; a blob being collected is never reused.
    private let pins = Mutex(PinState())
    /// Bodies up to this size (of declared length) are packed into segments; 0 turns packing off.
    public let packedByteCountMax: Int
    let segments: SegmentLog
    private let stagingMemory: StagingMemory
    /// The index, once attached: packing needs it to find packed blobs again.
    private let locatorBox = Mutex<(any BlobLocator)?>(nil)
    /// Segments open for reading, shared by readers so that a small GET costs no open or close.
    /// Bounded; an entry dropped while readers hold it closes when the last of them is done.
    private let openSegments = Mutex(OpenSegments())
    static let openSegmentCountMax = 64

    struct OpenSegments {
        var files: [UInt64: OpenFile] = [:]
        /// Segments deleted by this process: a reader that opened one just before its deletion
        /// must not put it in the cache afterwards (its disk space would stay held).
        var deleted: Set<UInt64> = []
    }

    /// Only one compaction pass at a time (the maintenance round and `spore gc` may both ask).
    let compacting = Atomic<Bool>(false)

    struct PinState {
        var counts: [BlobDigest: Int] = [:]
        var collecting: Set<BlobDigest> = []
        /// Where pinned blobs were just appended, until their index commit records it. Any
        /// commit of the digest may record this location (not only the appender's), so the entry
        /// keeps its segment in flight, safe from compaction, for as long as it exists: until the
        /// last pin on the digest goes.
        var placed: [BlobDigest: BlobLocation] = [:]
    }

    /// Default largest packed body: measured in docs/performance.md.
    public static let packedByteCountMaxDefault = 1 << 20
    /// Segments are sealed at this size; compaction rewrites a segment at a time, so this bounds
    /// the work of one move.
    public static let segmentByteCountMaxDefault: Int64 = 64 << 20
    /// Memory for small bodies between arrival and append; past it bodies are staged in files.
    public static let stagingByteCountMaxDefault = 32 << 20

    /// Opens (and creates if needed) the store under `root`; empties `tmp/`.
    ///
    /// - Parameter threadCount: threads for blocking file work. fsync latency, not CPU, bounds blob
    ///   writes, so more threads than cores let concurrent uploads fsync in parallel.
    /// - Parameter inspectOnly: for tools that look at a store a daemon may be using: nothing is
    ///   created and `tmp/` is left alone.
    public init(
        root: String, io: any FileSystemIO = PosixFileSystem(), threadCount: Int = 16, synchronous: Bool = true, inspectOnly: Bool = false,
        packedByteCountMax: Int = LocalBlobStore.packedByteCountMaxDefault,
        segmentByteCountMax: Int64 = LocalBlobStore.segmentByteCountMaxDefault,
        stagingByteCountMax: Int = LocalBlobStore.stagingByteCountMaxDefault
    ) throws {
        precondition(threadCount > 0, "the blob store needs at least one thread")
        precondition(packedByteCountMax >= 0 && Int64(packedByteCountMax) < segmentByteCountMax, "a packed blob fits in a segment")
        self.root = root
        self.isSynchronous = synchronous
        self.io = io
        self.packedByteCountMax = packedByteCountMax
        self.stagingMemory = StagingMemory(byteCountMax: stagingByteCountMax)
        let pool = NIOThreadPool(numberOfThreads: threadCount)
        pool.start()
        self.threadPool = pool
        self.ownsThreadPool = true
        do {
            if !inspectOnly { try Self.prepareLayout(root: root, io: io) }
            segments = try SegmentLog(
                directory: root + "/segments", io: io, threadPool: pool, synchronous: synchronous, segmentByteCountMax: segmentByteCountMax
            )
        } catch {
            try? pool.syncShutdownGracefully()
            throw error
        }
    }

    /// Stops the store's threads. Outstanding operations fail.
    public func shutdown() async {
        if ownsThreadPool { try? await threadPool.shutdownGracefully() }
    }

    private static func prepareLayout(root: String, io: any FileSystemIO) throws(BlobStoreError) {
        for directory in [root, root + "/blobs", root + "/segments", root + "/tmp", root + "/quarantine"] {
            _ = try io.makeDirectory(at: directory)
        }
        // Whatever is left in tmp/ belongs to requests that never finished: nothing refers to it.
        for name in try io.listDirectory(at: root + "/tmp") {
            try? io.removeFile(at: root + "/tmp/" + name)
        }
    }

    /// Connects the index that records packed blobs' locations. Until then nothing is packed.
    public func attach(locator: any BlobLocator) {
        locatorBox.withLock { $0 = locator }
    }

    var locator: (any BlobLocator)? { locatorBox.withLock { $0 } }

    // MARK: Writing

    /// Starts a new body. `expectedByteCount` is the declared length when known; the writer fails
    /// with `.lengthMismatch` if the body differs from it, and with `.tooLarge` past `byteCountMax`.
    public func makeWriter(
        checksums: Set<ChecksumAlgorithm> = [], byteCountMax: Int64, expectedByteCount: Int64? = nil
    ) async throws -> any BlobSink {
        try await makeWriter(checksums: checksums, byteCountMax: byteCountMax, expectedByteCount: expectedByteCount, computesMD5: true)
    }

    public func makeWriter(
        checksums: Set<ChecksumAlgorithm>, byteCountMax: Int64, expectedByteCount: Int64?, computesMD5: Bool
    ) async throws -> any BlobSink {
        if let expected = expectedByteCount, expected > byteCountMax {
            throw BlobStoreError(.tooLarge, "declared length \(expected) exceeds \(byteCountMax) bytes")
        }
        if let expected = expectedByteCount, expected > 0, expected <= Int64(packedByteCountMax), locator != nil,
            let share = stagingMemory.take(Int(expected))
        {
            return MemoryBlobWriter(
                share: share, checksums: checksums, byteCountMax: byteCountMax, expectedByteCount: Int(expected), computesMD5: computesMD5
            )
        }
        let serial = temporaryCounter.wrappingAdd(1, ordering: .relaxed).oldValue
        let path = "\(root)/tmp/\(UInt64.random(in: 0...UInt64.max) ^ serial).part"
        let io = self.io
        let descriptor = try await threadPool.runIfActive { try io.createFile(at: path) }
        return BlobWriter(
            io: io, threadPool: threadPool, descriptor: descriptor, temporaryPath: path,
            checksums: checksums, byteCountMax: byteCountMax, expectedByteCount: expectedByteCount, synchronous: isSynchronous,
            computesMD5: computesMD5
        )
    }

    /// Makes a staged body durable under its digest. If that digest is already stored, the copy is
    /// dropped and the existing blob's directory is synced, so the caller may acknowledge either way.
    ///
    /// The returned lease keeps the collector away from the blob until the caller has committed the
    /// index entry that refers to it; release it after that commit (or after giving up).
    public func place(_ staged: StagedBlob) async throws -> BlobLease {
        let digest = staged.digests.sha256
        if let bytes = staged.bytes { return try await placePacked(digest, bytes) }
        let lease = try await pin(digest)
        do {
            try await write(staged, digest)
        } catch {
            lease.release()
            throw error
        }
        return lease
    }

    private func write(_ staged: StagedBlob, _ digest: BlobDigest) async throws {
        try await ensureDirectories(for: digest)
        let (io, target, directory, synchronous) = (self.io, path(of: digest), directoryPath(of: digest), isSynchronous)
        try await threadPool.runIfActive {
            do {
                if try io.fileSize(at: target) != nil {
                    try? io.removeFile(at: staged.location)
                } else {
                    try io.rename(from: staged.location, to: target)
                }
                if synchronous { try io.synchronizeDirectory(at: directory) }
            } catch {
                // The body is not acknowledged; do not leave it in tmp/ until the next start.
                try? io.removeFile(at: staged.location)
                throw error
            }
        }
    }

    /// Appends a small body to the active segment unless the blob is stored already. The lease
    /// keeps the segment from compaction until the index has recorded the location.
    private func placePacked(_ digest: BlobDigest, _ bytes: ByteBuffer) async throws -> BlobLease {
        try await pinCount(digest)
        // Stored already: being placed by another request (whose entry in `placed` keeps its
        // segment in flight while this pin lasts), packed, or a file of its own.
        if pins.withLock({ $0.placed[digest] }) != nil { return lease(digest, inFlight: nil) }
        do {
            switch try locator?.placement(of: digest) ?? .unknown {
            case .packed(let location):
                if try await segmentCovers(location) { return lease(digest, inFlight: nil) }
            case .file:
                let target = path(of: digest)
                if try await threadPool.runIfActive({ [io] in try io.fileSize(at: target) }) != nil { return lease(digest, inFlight: nil) }
            case .unknown: break
            }
            let location = try await segments.append(bytes, digest: digest)
            let recorded = pins.withLock { state -> Bool in
                guard state.placed[digest] == nil else { return false }
                state.placed[digest] = location
                return true
            }
            if recorded { segments.retainInFlight(location.segment) }
            return lease(digest, inFlight: location.segment)
        } catch {
            unpin(digest)
            throw error
        }
    }

    private func lease(_ digest: BlobDigest, inFlight segment: UInt64?) -> BlobLease {
        BlobLease(digest: digest) { [weak self] digest in
            self?.unpin(digest)
            if let segment { self?.segments.finished(segment) }
        }
    }

    /// Where a pinned blob was just appended, for the index commit that refers to it.
    public func placedLocation(of digest: BlobDigest) -> BlobLocation? {
        pins.withLock { $0.placed[digest] }
    }

    /// Drops a staged body that failed a check.
    public func discard(_ staged: StagedBlob) async {
        guard staged.bytes == nil else { return }
        let io = self.io
        _ = try? await threadPool.runIfActive { try io.removeFile(at: staged.location) }
    }

    /// Streams `bytes` into a blob and places it: for bodies already in memory.
    public func store(_ bytes: ByteBuffer, checksums: Set<ChecksumAlgorithm> = []) async throws -> (ContentDigests, BlobLease) {
        let writer = try await makeWriter(checksums: checksums, byteCountMax: Int64(bytes.readableBytes))
        let staged: StagedBlob
        do {
            try await writer.write(bytes)
            staged = try await writer.finish()
        } catch {
            await writer.abort()
            throw error
        }
        return (staged.digests, try await place(staged))
    }

    // MARK: Pins

    /// Pins a digest; waits while the collector is deleting that blob, so that a new write of the
    /// same bytes is never lost to a deletion that started before it.
    func pin(_ digest: BlobDigest) async throws -> BlobLease {
        try await pinCount(digest)
        return lease(digest, inFlight: nil)
    }

    private func pinCount(_ digest: BlobDigest) async throws {
        while true {
            let pinned = pins.withLock { state -> Bool in
                guard !state.collecting.contains(digest) else { return false }
                state.counts[digest, default: 0] += 1
                return true
            }
            if pinned { return }
            try await Task.sleep(nanoseconds: 1_000_000)
        }
    }

    func unpin(_ digest: BlobDigest) {
        let placed = pins.withLock { state -> BlobLocation? in
            guard let count = state.counts[digest] else { preconditionFailure("unpinned a blob that was not pinned") }
            if count == 1 {
                state.counts[digest] = nil
                return state.placed.removeValue(forKey: digest)
            }
            state.counts[digest] = count - 1
            return nil
        }
        if let placed { segments.finished(placed.segment) }
    }

    /// Deletes a blob if no request holds a pin on it and `confirm` (the index transaction that
    /// forgets the blob, run while new pins wait) returns true. Returns whether it was deleted.
    public func collect(_ digest: BlobDigest, confirm: () async throws -> Bool) async throws -> Bool {
        let claimed = pins.withLock { state -> Bool in
            guard state.counts[digest] == nil, !state.collecting.contains(digest) else { return false }
            state.collecting.insert(digest)
            return true
        }
        guard claimed else { return false }
        defer { _ = pins.withLock { $0.collecting.remove(digest) } }
        guard try await confirm() else { return false }
        try await remove(digest)
        return true
    }

    /// Whether a request holds a pin on the digest (for tests and the orphan scan).
    public func isPinned(_ digest: BlobDigest) -> Bool { pins.withLock { $0.counts[digest] != nil } }

    private func ensureDirectories(for digest: BlobDigest) async throws {
        let high = Int(digest.word0 >> 56)
        let both = Int(digest.word0 >> 48)
        let known = knownDirectories.withLock { $0.contains(both) }
        if known { return }
        let hex = digest.hex
        let first = "\(root)/blobs/\(hex.prefix(2))"
        let second = "\(first)/\(hex.dropFirst(2).prefix(2))"
        let (io, blobs) = (self.io, root + "/blobs")
        try await threadPool.runIfActive {
            // A directory created here must itself be durable before a blob inside it is acknowledged.
            if try io.makeDirectory(at: first) { try io.synchronizeDirectory(at: blobs) }
            if try io.makeDirectory(at: second) { try io.synchronizeDirectory(at: first) }
        }
        knownDirectories.withLock {
            $0.insert(0x10000 + high)
            $0.insert(both)
        }
    }

    // MARK: Reading

    /// Opens a blob for reading. Fails with `.notFound` if it is not stored.
    public func open(_ digest: BlobDigest) async throws -> any BlobSource {
        // A packed blob is found through the index. Compaction may move it and delete the old
        // segment between the lookup and the open: then the second lookup finds the new place.
        for attempt in 0..<2 {
            guard let location = try packedLocation(of: digest) else { break }
            do {
                return try await openPacked(location)
            } catch let error as BlobStoreError where error.kind == .notFound && attempt == 0 {
                continue
            }
        }
        let (io, target) = (self.io, path(of: digest))
        let (descriptor, size) = try await threadPool.runIfActive {
            let descriptor = try io.openForReading(at: target)
            guard let size = try? io.fileSize(at: target) else {
                io.close(descriptor)
                throw BlobStoreError(.notFound, "blob \(digest) vanished while opening")
            }
            return (descriptor, size)
        }
        return BlobReader(io: io, threadPool: threadPool, descriptor: descriptor, path: target, byteCount: size)
    }

    /// The index's location first (compaction keeps it current), then one placed by a request
    /// that has not committed yet.
    private func packedLocation(of digest: BlobDigest) throws -> BlobLocation? {
        if case .packed(let location) = try locator?.placement(of: digest) { return location }
        return pins.withLock { $0.placed[digest] }
    }

    /// Whether a packed location's segment still holds its bytes (a lost segment is not a blob to
    /// deduplicate against).
    private func segmentCovers(_ location: BlobLocation) async throws -> Bool {
        let (io, target) = (self.io, segments.path(of: location.segment))
        let size = try await threadPool.runIfActive { try io.fileSize(at: target) }
        return (size ?? 0) >= location.offset + location.byteCount
    }

    func openPacked(_ location: BlobLocation) async throws -> any BlobSource {
        BlobReader(
            io: io, threadPool: threadPool, file: try await openSegment(location.segment), byteCount: location.byteCount, baseOffset: location.offset)
    }

    private func openSegment(_ segment: UInt64) async throws -> OpenFile {
        if let open = openSegments.withLock({ $0.files[segment] }) { return open }
        let (io, target) = (self.io, segments.path(of: segment))
        let descriptor = try await threadPool.runIfActive { try io.openForReading(at: target) }
        let file = OpenFile(descriptor: descriptor, path: target, io: io)
        openSegments.withLock { open in
            guard !open.deleted.contains(segment) else { return }
            if open.files.count >= Self.openSegmentCountMax { open.files.removeAll(keepingCapacity: true) }
            open.files[segment] = file
        }
        return file
    }

    /// Closes the cached segment descriptors (readers holding one finish undisturbed): the
    /// maintenance round calls it, so an idle daemon holds no descriptors for its segments.
    public func closeIdleSegments() {
        openSegments.withLock { $0.files.removeAll() }
    }

    /// Forgets an open segment that is being deleted; readers holding it finish undisturbed.
    func closeSegment(_ segment: UInt64) {
        openSegments.withLock { open in
            open.files[segment] = nil
            open.deleted.insert(segment)
        }
    }

    /// Reads `range` of a blob into one buffer. A packed blob whose bytes are in the page cache is
    /// read right here, without a hop to the thread pool; anything else takes one hop.
    public func read(_ digest: BlobDigest, range: Range<Int64>) async throws -> ByteBuffer {
        precondition(range.lowerBound >= 0, "ranges start at or after the first byte")
        for attempt in 0..<2 {
            guard let location = try packedLocation(of: digest) else { break }
            guard range.upperBound <= location.byteCount else {
                throw BlobStoreError(.corrupt, "blob \(digest) has \(location.byteCount) bytes, \(range.upperBound) were expected")
            }
            do {
                return try await readPacked(location, range: range)
            } catch let error as BlobStoreError where error.kind == .notFound && attempt == 0 {
                continue
            }
        }
        let (io, target, count, offset) = (self.io, path(of: digest), Int(range.count), range.lowerBound)
        return try await threadPool.runIfActive {
            let descriptor = try io.openForReading(at: target)
            defer { io.close(descriptor) }
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            try Self.readFully(io, descriptor, target, into: &buffer, count: count, at: offset)
            return buffer
        }
    }

    /// Reads `range` of a packed blob at `location` into one buffer: right here when its pages are
    /// cached, otherwise with one hop to the thread pool.
    func readPacked(_ location: BlobLocation, range: Range<Int64>) async throws -> ByteBuffer {
        let file = try await openSegment(location.segment)
        let (io, count, offset) = (self.io, Int(range.count), location.offset + range.lowerBound)
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        let cached = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
            io.readIfCached(file.descriptor, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<count]), at: offset) ?? 0
        }
        if cached == count { return buffer }
        return try await threadPool.runIfActive {
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            try Self.readFully(io, file.descriptor, file.path, into: &buffer, count: count, at: offset)
            return buffer
        }
    }

    private static func readFully(
        _ io: any FileSystemIO, _ descriptor: Int32, _ path: String, into buffer: inout ByteBuffer, count: Int, at offset: Int64
    ) throws {
        var filled = 0
        while filled < count {
            let read = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count - filled) { raw in
                try io.read(
                    descriptor, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<(count - filled)]), at: offset + Int64(filled), path: path)
            }
            if read == 0 { throw BlobStoreError(.corrupt, "\(path) ended early at \(offset + Int64(filled))") }
            filled += read
        }
    }

    /// Size of a stored blob, or nil. A packed blob counts as stored only while its segment file
    /// still covers it.
    public func size(of digest: BlobDigest) async throws -> Int64? {
        if let location = try packedLocation(of: digest) { return try await segmentCovers(location) ? location.byteCount : nil }
        let (io, target) = (self.io, path(of: digest))
        return try await threadPool.runIfActive { try io.fileSize(at: target) }
    }

    /// Re-hashes a blob and compares the result with its name. Returns false on a mismatch.
    public func verify(_ digest: BlobDigest) async throws -> Bool {
        let reader = try await open(digest)
        var hasher = SHA256()
        try await reader.read(range: 0..<reader.byteCount, chunkByteCount: 1 << 20) { chunk in
            chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        }
        return BlobDigest(bytes: Array(hasher.finalize())) == digest
    }

    // MARK: Maintenance

    /// Deletes a blob's file. Only `collect` calls this, after the index says that nothing refers to
    /// the blob.
    func remove(_ digest: BlobDigest) async throws {
        let (io, target) = (self.io, path(of: digest))
        try await threadPool.runIfActive {
            do {
                try io.removeFile(at: target)
            } catch let error as BlobStoreError where error.kind == .notFound {
                return
            }
        }
    }

    /// Moves a blob that failed verification to `quarantine/`, where it is kept but never served.
    /// A packed blob's bytes are copied there and the index forgets its location.
    public func quarantine(_ digest: BlobDigest) async throws {
        if let locator, case .packed(let location) = try locator.placement(of: digest) {
            let reader = try await openPacked(location)
            let target = "\(root)/quarantine/\(digest.hex)"
            let io = self.io
            let descriptor = try await threadPool.runIfActive { try io.createFile(at: target) }
            do {
                var offset: Int64 = 0
                try await reader.read(range: 0..<reader.byteCount, chunkByteCount: 1 << 20) { chunk in
                    let at = offset
                    try await self.threadPool.runIfActive { try chunk.withUnsafeReadableBytes { try io.write(descriptor, $0, at: at, path: target) } }
                    offset += Int64(chunk.readableBytes)
                }
                try await threadPool.runIfActive {
                    try io.synchronize(descriptor, path: target)
                    try io.synchronizeDirectory(at: "\(self.root)/quarantine")
                }
                io.close(descriptor)
            } catch {
                io.close(descriptor)
                throw error
            }
            try await locator.forgetLocation(of: digest, at: location)
            return
        }
        let (io, source, target) = (self.io, path(of: digest), "\(root)/quarantine/\(digest.hex)")
        try await threadPool.runIfActive {
            try io.rename(from: source, to: target)
            try io.synchronizeDirectory(at: "\(self.root)/quarantine")
        }
    }

    /// Every blob digest on disk, in no particular order: for fsck and the orphan scan.
    public func allDigests() async throws -> [BlobDigest] {
        let (io, blobs) = (self.io, root + "/blobs")
        return try await threadPool.runIfActive {
            var digests = [BlobDigest]()
            for first in try io.listDirectory(at: blobs) where first.utf8.count == 2 {
                for second in try io.listDirectory(at: "\(blobs)/\(first)") where second.utf8.count == 2 {
                    for name in try io.listDirectory(at: "\(blobs)/\(first)/\(second)") {
                        if let digest = BlobDigest(hex: name) { digests.append(digest) }
                    }
                }
            }
            return digests
        }
    }

    /// Free bytes on the file system holding the store.
    public func availableBytes() async throws -> Int64 {
        let (io, root) = (self.io, self.root)
        return try await threadPool.runIfActive { try io.availableBytes(at: root) }
    }

    private func directoryPath(of digest: BlobDigest) -> String {
        let hex = digest.hex
        return "\(root)/blobs/\(hex.prefix(2))/\(hex.dropFirst(2).prefix(2))"
    }

    private func path(of digest: BlobDigest) -> String {
        let hex = digest.hex
        return "\(root)/blobs/\(hex.prefix(2))/\(hex.dropFirst(2).prefix(2))/\(hex)"
    }
}
