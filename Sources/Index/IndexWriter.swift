import CLMDB
import Foundation
import Synchronization

/// The single writer of the index: one thread that owns every LMDB write transaction.
///
/// Callers hand it closures; the thread takes all that are waiting (up to
/// `batchOperationCountMax`), runs each in a nested transaction of one parent transaction and
/// commits the parent once, so a burst of small writes shares one fsync (group commit). A closure
/// that throws rolls back only its own nested transaction. Callers resume only after the parent
/// commit is durable. `MDB_MAP_FULL` grows the map and runs the batch again.
// @unchecked Sendable: the queue and state are guarded by `condition`; transactions never leave
// the writer thread.
public final class IndexWriter: @unchecked Sendable {
    /// Most closures committed together in one transaction.
    public static let batchOperationCountMax = 1024
    /// Most writes queued or being committed at once. A caller past it waits for room (back
    /// pressure on the requests that produce writes) instead of growing the queue; four full
    /// batches keep the writer busy while the next ones gather.
    public static let queueLengthMax = 4 * batchOperationCountMax

    /// Counters for metrics.
    public struct Statistics: Sendable {
        public var batchCount: UInt64 = 0
        public var operationCount: UInt64 = 0
        public var commitNanosecondsTotal: UInt64 = 0
        public var mapGrowthCount: UInt64 = 0
    }

    private let environment: LMDBEnvironment
    private let mapByteCountMax: Int
    private let condition = NSCondition()
    private var queue: [PendingWrite] = []
    private var isStopping = false
    private var thread: Thread?
    private let exited = DispatchSemaphore(value: 0)
    private let statistics = Mutex(Statistics())
    /// Monotonic nanoseconds at which the writer last finished a batch or went idle: the watchdog
    /// compares it with the queue to tell a stuck writer from an idle one.
    private let heartbeat = Atomic<UInt64>(0)
    /// Test hook: when set, the writer blocks before each batch until it is cleared.
    private let pauseRequested = Atomic<Bool>(false)
    /// Whether a batch is being committed right now.
    private let isBusy = Atomic<Bool>(false)
    /// Bounds the queue: one place per write from `write` until its batch has committed.
    private let admission = AdmissionGate(capacity: IndexWriter.queueLengthMax)

    init(environment: LMDBEnvironment, mapByteCountMax: Int) {
        self.environment = environment
        self.mapByteCountMax = mapByteCountMax
        let thread = Thread { [unowned self] in self.runLoop() }
        thread.name = "spore-index-writer"
        self.thread = thread
        heartbeat.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
        thread.start()
    }

    /// Runs `body` in a write transaction and returns its result once it is durable.
    public func write<Result: Sendable>(
        _ body: @escaping @Sendable (borrowing LMDBTransaction) throws -> Result
    ) async throws -> Result {
        await admission.enter()
        defer { admission.leave() }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            let box = ResultBox<Result>()
            let pending = PendingWrite(
                run: { transaction in
                    do {
                        box.result = .success(try body(transaction))
                        return .succeeded
                    } catch let error as LMDBError where error.isMapFull {
                        return .mapFull
                    } catch {
                        box.result = .failure(error)
                        return .failed
                    }
                },
                complete: { commitError in
                    if let commitError {
                        continuation.resume(throwing: commitError)
                    } else if let result = box.result {
                        continuation.resume(with: result)
                    } else {
                        continuation.resume(throwing: LMDBError(code: MDB_PANIC, operation: "write produced no result"))
                    }
                }
            )
            if !enqueue(pending) { continuation.resume(throwing: IndexError.closed) }
        }
    }

    private func enqueue(_ pending: PendingWrite) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !isStopping else { return false }
        queue.append(pending)
        condition.signal()
        return true
    }

    /// Marks the writer as stopping; returns false if it already was.
    private func requestStop() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let wasStopping = isStopping
        isStopping = true
        condition.signal()
        return !wasStopping
    }

    /// Finishes the writes already queued, refuses new ones and stops the thread.
    public func shutdown() async {
        guard requestStop() else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.exited.wait()
                continuation.resume()
            }
        }
    }

    public var currentStatistics: Statistics { statistics.withLock { $0 } }

    /// Writers waiting for room in the queue.
    public var waitingWriterCount: Int { admission.waiterCount }

    /// Whether the writer looks stuck: work is queued and no batch finished for `thresholdNanoseconds`.
    public func isStalled(thresholdNanoseconds: UInt64) -> Bool {
        let pending = isBusy.load(ordering: .relaxed) || hasQueuedWrites()
        let last = heartbeat.load(ordering: .relaxed)
        return pending && DispatchTime.now().uptimeNanoseconds &- last > thresholdNanoseconds
    }

    /// Test hook for the watchdog: blocks (or releases) the writer thread before its next batch.
    public func setPausedForTesting(_ paused: Bool) {
        pauseRequested.store(paused, ordering: .relaxed)
    }

    private func hasQueuedWrites() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return !queue.isEmpty
    }

    // MARK: The writer thread

    private func runLoop() {
        while true {
            condition.lock()
            while queue.isEmpty && !isStopping {
                heartbeat.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
                condition.wait()
            }
            if queue.isEmpty && isStopping {
                condition.unlock()
                break
            }
            let count = min(queue.count, Self.batchOperationCountMax)
            let batch = Array(queue.prefix(count))
            queue.removeFirst(count)
            isBusy.store(true, ordering: .relaxed)
            condition.unlock()
            while pauseRequested.load(ordering: .relaxed) { usleep(10_000) }
            commit(batch)
            heartbeat.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
            isBusy.store(false, ordering: .relaxed)
        }
        exited.signal()
    }

    private func commit(_ batch: [PendingWrite]) {
        let started = DispatchTime.now().uptimeNanoseconds
        while true {
            switch attempt(batch) {
            case .committed:
                statistics.withLock {
                    $0.batchCount += 1
                    $0.operationCount += UInt64(batch.count)
                    $0.commitNanosecondsTotal += DispatchTime.now().uptimeNanoseconds &- started
                }
                batch.forEach { $0.complete(nil) }
                return
            case .mapFull:
                let grown = environment.mapByteCount * 2
                guard grown <= mapByteCountMax else {
                    let error = LMDBError(code: MDB_MAP_FULL, operation: "index map is full at its limit of \(mapByteCountMax) bytes")
                    batch.forEach { $0.complete(error) }
                    return
                }
                do {
                    try environment.growMap(to: grown)
                    statistics.withLock { $0.mapGrowthCount += 1 }
                } catch {
                    batch.forEach { $0.complete(error) }
                    return
                }
            case .failed(let error):
                batch.forEach { $0.complete(error) }
                return
            }
        }
    }

    private enum Attempt {
        case committed
        case mapFull
        case failed(LMDBError)
    }

    private func attempt(_ batch: [PendingWrite]) -> Attempt {
        var parent: OpaquePointer?
        let beginCode = mdb_txn_begin(environment.handle, nil, 0, &parent)
        if beginCode == MDB_MAP_RESIZED || beginCode == MDB_MAP_FULL { return .mapFull }
        guard beginCode == MDB_SUCCESS, let parent else {
            return .failed(LMDBError(code: beginCode, operation: "mdb_txn_begin(write)"))
        }
        for pending in batch {
            var child: OpaquePointer?
            let childCode = mdb_txn_begin(environment.handle, parent, 0, &child)
            guard childCode == MDB_SUCCESS, let child else {
                mdb_txn_abort(parent)
                return childCode == MDB_MAP_FULL ? .mapFull : .failed(LMDBError(code: childCode, operation: "mdb_txn_begin(nested)"))
            }
            switch pending.run(LMDBTransaction(handle: child, isReadOnly: false)) {
            case .succeeded:
                let code = mdb_txn_commit(child)
                if code != MDB_SUCCESS {
                    mdb_txn_abort(parent)
                    return code == MDB_MAP_FULL ? .mapFull : .failed(LMDBError(code: code, operation: "mdb_txn_commit(nested)"))
                }
            case .failed:
                mdb_txn_abort(child)
            case .mapFull:
                mdb_txn_abort(child)
                mdb_txn_abort(parent)
                return .mapFull
            }
        }
        let code = mdb_txn_commit(parent)
        if code == MDB_SUCCESS { return .committed }
        return code == MDB_MAP_FULL ? .mapFull : .failed(LMDBError(code: code, operation: "mdb_txn_commit"))
    }
}

private enum RunOutcome {
    case succeeded
    case failed
    case mapFull
}

private struct PendingWrite {
    let run: (borrowing LMDBTransaction) -> RunOutcome
    let complete: (LMDBError?) -> Void
}

// @unchecked Sendable: written and read only on the writer thread, before `complete` resumes the
// caller, which happens-after through the continuation.
private final class ResultBox<Value>: @unchecked Sendable {
    var result: Result<Value, any Error>?
}
