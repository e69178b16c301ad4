import Synchronization

/// A counting gate for async callers: at most `capacity` holders at once; the others wait, in
/// arrival order, without a thread. This is how a bounded queue pushes back on its producers:
/// a request that would overfill it waits for room instead of growing it.
public final class AdmissionGate: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
        var waiterHead = 0
    }

    public let capacity: Int
    private let state: Mutex<State>

    public init(capacity: Int) {
        precondition(capacity > 0, "a gate admits someone")
        self.capacity = capacity
        state = Mutex(State(available: capacity))
    }

    /// Waits until a place is free and takes it.
    public func enter() async {
        let admitted = state.withLock { state -> Bool in
            guard state.available > 0 else { return false }
            state.available -= 1
            return true
        }
        if admitted { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                // Room may have appeared between the first check and now.
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Frees a place: hands it straight to the longest waiter, if any.
    public func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiterHead < state.waiters.count {
                let waiter = state.waiters[state.waiterHead]
                state.waiterHead += 1
                if state.waiterHead == state.waiters.count {
                    state.waiters.removeAll(keepingCapacity: true)
                    state.waiterHead = 0
                }
                return waiter
            }
            state.available += 1
            precondition(state.available <= capacity, "a gate was left more often than entered")
            return nil
        }
        next?.resume()
    }

    /// Callers waiting for a place (for metrics and tests).
    var waiterCount: Int { state.withLock { $0.waiters.count - $0.waiterHead } }
}
