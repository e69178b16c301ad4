import Synchronization

/// Counts listeners that accept connections, so that systemd hears `READY=1` only when all do.
final class Readiness: Sendable {
    private let expected: Int
    private let state = Mutex<(started: Int, waiters: [CheckedContinuation<Void, Never>])>((0, []))

    init(listenerCount: Int) {
        precondition(listenerCount > 0, "something listens")
        expected = listenerCount
    }

    func listenerStarted() {
        let resumed = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.started += 1
            guard state.started == expected else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        resumed.forEach { $0.resume() }
    }

    var isReady: Bool { state.withLock { $0.started >= expected } }

    func wait() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.started >= expected { return true }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
