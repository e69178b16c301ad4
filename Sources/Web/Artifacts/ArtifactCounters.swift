import Index
import Synchronization

/// View and download counts, gathered in memory and written to the index in batches by a
/// service (`flush`), so that a download costs no fsync of its own. Answers add what is still
/// pending, so callers see their own counts at once. A crash loses at most the counts of the last
/// flush interval, never a file (docs/durability.md).
public final class ArtifactCounters: Sendable {
    /// Artifacts with pending counts before a flush is due regardless of the interval: bounds the
    /// memory a burst of traffic can hold.
    public static let pendingArtifactCountMax = 10_000

    private let store: ArtifactStore
    private let deltas = Mutex<[String: (views: Double, downloads: Double)]>([:])

    init(store: ArtifactStore) { self.store = store }

    func addView(_ id: String, _ amount: Double = 1) { add(id, views: amount, downloads: 0) }

    func addDownloads(_ id: String, _ amount: Double) {
        guard amount != 0 else { return }
        add(id, views: 0, downloads: amount)
    }

    private func add(_ id: String, views: Double, downloads: Double) {
        deltas.withLock { pending in
            var current = pending[id] ?? (0, 0)
            current.views += views
            current.downloads += downloads
            pending[id] = current
        }
    }

    /// What is counted but not yet written for an artifact.
    func pending(_ id: String) -> (views: Double, downloads: Double) { deltas.withLock { $0[id] ?? (0, 0) } }

    /// Drops the pending counts of an artifact (reset_stats, delete).
    func forget(_ id: String) { _ = deltas.withLock { $0.removeValue(forKey: id) } }

    /// Whether enough is pending that a flush should not wait for its interval.
    public var isFull: Bool { deltas.withLock { $0.count >= Self.pendingArtifactCountMax } }

    /// Writes every pending count in one commit. Counts taken out are put back if the write fails.
    public func flush() async throws {
        let taken = deltas.withLock { pending -> [String: (views: Double, downloads: Double)] in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        do {
            try await store.addCounts(taken)
        } catch {
            deltas.withLock { pending in
                for (id, delta) in taken {
                    var current = pending[id] ?? (0, 0)
                    current.views += delta.views
                    current.downloads += delta.downloads
                    pending[id] = current
                }
            }
            throw error
        }
    }
}
