import Artifacts
import Index
import Logging
import ServiceLifecycle

/// Writes the artifact view and download counts gathered in memory to the index, every
/// `intervalMilliseconds` (sooner when many artifacts have counts pending), and once more on
/// shutdown. A crash loses at most one interval of counts (docs/durability.md).
struct ArtifactStatisticsService: Service {
    static let intervalMilliseconds: UInt64 = 2000
    /// How often the service looks whether the pending set is full.
    static let checkIntervalMilliseconds: UInt64 = 100

    let counters: ArtifactCounters
    let store: ArtifactStore
    let logger: Logger
    /// Staged-file entries of finished sessions deleted per sweep (one commit each).
    static let retiredSweepCountMax = 1000

    func run() async throws {
        var waited: UInt64 = 0
        while !Task.isCancelledOrShuttingDown {
            try? await Task.sleep(nanoseconds: Self.checkIntervalMilliseconds * 1_000_000)
            waited += Self.checkIntervalMilliseconds
            guard waited >= Self.intervalMilliseconds || counters.isFull else { continue }
            waited = 0
            await flush()
        }
        await flush()
    }

    private func flush() async {
        do {
            try await counters.flush()
        } catch {
            logger.warning("artifact statistics flush failed; counts kept for the next one", metadata: ["error": "\(error)"])
        }
        // Finished staging sessions leave their entries behind (so commits stay constant-time);
        // they go here, a bounded batch at a time.
        do {
            while try await store.sweepRetired(limit: Self.retiredSweepCountMax) == Self.retiredSweepCountMax, !Task.isCancelledOrShuttingDown {}
        } catch {
            logger.warning("sweeping finished staging sessions failed", metadata: ["error": "\(error)"])
        }
    }
}
