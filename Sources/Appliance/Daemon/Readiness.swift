import Synchronization

/// Counts listeners that accept connections, so that systemd hears `READY=1` only when all do.
final class Readiness: Sendable {
    private let expected: Int
    private let state = Mutex<(started: Int, waiters: [(id: UInt64, continuation: CheckedContinuation<Void, Never>)])>((0, []))

    init(listenerCount: Int) {
        precondition(listenerCount > 0, "something listens")
        expected = listenerCount
    }

    func listenerStarted() {
        let resumed = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.started += 1
            guard state.started == expected else { return [] }
            defer { state.waiters = [] }
            return state.waiters.map(\.continuation)
        }
        resumed.forEach { $0.resume() }
    }

    var isReady: Bool { state.withLock { $0.started >= expected } }

    /// Returns once every listener has started, or when the task is cancelled (a listener that
    /// failed to start makes the service group cancel everything; waiting on would keep the
    /// daemon from ever exiting).
    func wait() async {
        let id = UInt64.random(in: 0...UInt64.max)
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    if state.started >= expected || Task.isCancelled { return true }
                    state.waiters.append((id, continuation))
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            cancelled?.resume()
        }
    }
}
