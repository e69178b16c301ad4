import Index
import Synchronization

/// View and download counts, gathered in memory and written to the index in batches by a
/// service (`flush`), so that a download costs no fsync of its own. Answers add what is not yet
/// in the record, so callers see their own counts at once. A crash loses at most the counts of
/// the last flush interval, never a file (docs/durability.md).
///
/// Each flush is a numbered batch, and a record remembers the last batch written into it, so a
/// reader adds exactly the counts its record does not hold yet: the pending ones, and those of a
/// batch in flight only if the record it read predates that batch.
public final class ArtifactCounters: Sendable {
    /// Artifacts with pending counts before a flush is due regardless of the interval: bounds the
    /// memory a burst of traffic can hold.
    public static let pendingArtifactCountMax = 10_000

    typealias Deltas = [String: (views: Double, downloads: Double)]

    private struct State {
        var pending: Deltas = [:]
        var inFlight: [(batch: UInt64, deltas: Deltas)] = []
        var lastBatch: UInt64
    }

    private let store: ArtifactStore
    private let state: Mutex<State>

    /// `firstBatch` should exceed every batch number written before (the daemon passes the clock's
    /// milliseconds), so batches of an earlier run are never mistaken for pending ones.
    init(store: ArtifactStore, firstBatch: UInt64) {
        self.store = store
        state = Mutex(State(lastBatch: firstBatch))
    }

    func addView(_ id: String, _ amount: Double = 1) { add(id, views: amount, downloads: 0) }

    func addDownloads(_ id: String, _ amount: Double) {
        guard amount != 0 else { return }
        add(id, views: 0, downloads: amount)
    }

    private func add(_ id: String, views: Double, downloads: Double) {
        state.withLock { state in
            var current = state.pending[id] ?? (0, 0)
            current.views += views
            current.downloads += downloads
            state.pending[id] = current
        }
    }

    /// The unwritten counts as they are now, for answering about many artifacts under one lock
    /// (a listing of a thousand children).
    struct Snapshot {
        fileprivate let pending: Deltas
        fileprivate let inFlight: [(batch: UInt64, deltas: Deltas)]

        /// What a record that holds batches up to `recordBatch` does not hold yet: the pending
        /// counts, and those of every batch after it that is still known (in flight, or the last
        /// written).
        func unwritten(_ id: String, recordBatch: UInt64) -> (views: Double, downloads: Double) {
            if pending.isEmpty && inFlight.isEmpty { return (0, 0) }
            var total = pending[id] ?? (0, 0)
            for flight in inFlight where flight.batch > recordBatch {
                if let delta = flight.deltas[id] {
                    total.views += delta.views
                    total.downloads += delta.downloads
                }
            }
            return total
        }
    }

    /// Copies on write: taking one costs a lock and two retains.
    func snapshot() -> Snapshot { state.withLock { Snapshot(pending: $0.pending, inFlight: $0.inFlight) } }

    func unwritten(_ id: String, recordBatch: UInt64) -> (views: Double, downloads: Double) {
        snapshot().unwritten(id, recordBatch: recordBatch)
    }

    /// Drops the unwritten counts of an artifact (reset_stats, delete).
    func forget(_ id: String) {
        state.withLock { state in
            state.pending[id] = nil
            for index in state.inFlight.indices { state.inFlight[index].deltas[id] = nil }
        }
    }

    /// Whether enough is pending that a flush should not wait for its interval.
    public var isFull: Bool { state.withLock { $0.pending.count >= Self.pendingArtifactCountMax } }

    /// Writes every pending count in one commit. Counts of a failed write go back to pending.
    public func flush() async throws {
        let (batch, deltas) = state.withLock { state -> (UInt64, Deltas) in
            state.lastBatch += 1
            let taken = state.pending
            state.pending.removeAll(keepingCapacity: true)
            state.inFlight.append((state.lastBatch, taken))
            return (state.lastBatch, taken)
        }
        do {
            try await store.addCounts(deltas, batch: batch)
        } catch {
            state.withLock { state in
                state.inFlight.removeAll { $0.batch == batch }
                for (id, delta) in deltas {
                    var current = state.pending[id] ?? (0, 0)
                    current.views += delta.views
                    current.downloads += delta.downloads
                    state.pending[id] = current
                }
            }
            throw error
        }
        // A reader may still hold a record read just before this commit: the batch stays known
        // (and is ignored for every record that holds it) until the next flush is written.
        state.withLock { state in state.inFlight.removeAll { $0.batch < batch } }
    }
}
