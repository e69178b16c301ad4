import Index
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Tells systemd what the daemon is doing: `READY=1` once both listeners accept and the index is
/// open, `STATUS=` lines, `WATCHDOG=1` while the event loops and the index writer are responsive,
/// and `STOPPING=1` when a graceful shutdown starts. It is the last service of the group, so it
/// hears about the shutdown first.
struct SystemdService: Service {
    /// The index writer counts as stuck when queued work has waited a whole watchdog period (two
    /// ping intervals), or this long when there is no watchdog.
    static let writerStallNanosecondsDefault: UInt64 = 10_000_000_000

    let notifier: SystemdNotifier
    let readiness: Readiness
    let catalog: Catalog
    let status: @Sendable () -> String
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown { await readiness.wait() }
        guard readiness.isReady, !Task.isCancelledOrShuttingDown else { return }
        notifier.notify("READY=1\nSTATUS=\(status())")
        logger.info("ready", metadata: ["status": "\(status())"])
        let interval = notifier.watchdogIntervalNanoseconds ?? 30_000_000_000
        while !Task.isCancelledOrShuttingDown {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(nanoseconds: interval) }
            if Task.isCancelledOrShuttingDown { break }
            if notifier.watchdogIntervalNanoseconds != nil {
                if await isHealthy() {
                    notifier.notify("WATCHDOG=1")
                } else {
                    logger.error("watchdog: not pinging systemd, the daemon looks stuck")
                }
            }
            notifier.notify("STATUS=\(status())")
        }
        notifier.notify("STOPPING=1\nSTATUS=draining requests and closing the index")
    }

    /// The event loops answer and the index writer is not stuck.
    func isHealthy() async -> Bool {
        let threshold = notifier.watchdogIntervalNanoseconds.map { $0 * 2 } ?? Self.writerStallNanosecondsDefault
        if catalog.writer.isStalled(thresholdNanoseconds: threshold) { return false }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let probe = loop.submit { true }
        let deadline = loop.scheduleTask(in: .seconds(5)) { false }
        defer { deadline.cancel() }
        return (try? await probe.get()) ?? false
    }
}
