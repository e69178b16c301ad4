import Dispatch
import Synchronization

/// Where view templates render: off Swift's cooperative threads (a render is CPU work that may
/// take up to its step budget, and must not stall the requests sharing those threads), at most
/// `concurrentRendersMax` at a time, with at most `waitingRendersMax` waiting; more is refused.
final class TemplateRenderGate: Sendable {
    static let concurrentRendersMax = 2
    static let waitingRendersMax = 64

    struct Busy: Error {}

    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Void, any Error>] = []
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "spore.view-templates", attributes: .concurrent)

    /// Runs `body` holding one of the slots: loading a page's templates and rendering them.
    func withSlot<Value: Sendable>(_ body: @Sendable () async throws -> Value) async throws -> Value {
        try await acquire()
        defer { release() }
        return try await body()
    }

    /// Runs CPU work on the gate's own threads (call it inside `withSlot`).
    func offPool<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    private func acquire() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome: Result<Void, any Error>? = state.withLock { state in
                if state.running < Self.concurrentRendersMax {
                    state.running += 1
                    return .success(())
                }
                guard state.waiting.count < Self.waitingRendersMax else { return .failure(Busy()) }
                state.waiting.append(continuation)
                return nil
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            if state.waiting.isEmpty {
                state.running -= 1
                return nil
            }
            // The slot passes to the next waiter.
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
