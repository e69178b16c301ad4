import CoreMetrics
import Synchronization

/// Request counters, latency and traffic of one face, through swift-metrics (the daemon bootstraps
/// a Prometheus backend; without one they cost next to nothing): `spore_<face>_requests_total`
/// by operation and status, `spore_<face>_request_duration_seconds` by operation, and the bytes
/// received and sent.
public final class RequestMetrics: Sendable {
    /// Distinct (operation, status) series one face may create: operations come from a fixed set
    /// in each face, but a bound keeps a bug from turning request data into unbounded series.
    public static let seriesCountMax = 2048
    /// The operation label once a face has made `seriesCountMax` series.
    public static let overflowOperation = "Other"

    private struct Instruments: Sendable {
        let requests: Counter
        let duration: Timer
    }

    public let face: String
    private let instruments = Mutex<[String: Instruments]>([:])
    private let received: Counter
    private let sent: Counter

    public init(face: String) {
        self.face = face
        received = Counter(label: "spore_\(face)_received_bytes_total")
        sent = Counter(label: "spore_\(face)_sent_bytes_total")
    }

    private static let registry = Mutex<[String: RequestMetrics]>([:])

    /// One set of instruments per face for the whole process, made on first use (after the daemon
    /// has bootstrapped the metrics backend).
    public static func shared(face: String) -> RequestMetrics {
        registry.withLock { made in
            if let found = made[face] { return found }
            let metrics = RequestMetrics(face: face)
            made[face] = metrics
            return metrics
        }
    }

    public func record(operation: String, status: Int, nanoseconds: Int64, receivedBytes: Int64, sentBytes: Int64) {
        let instrument = instruments.withLock { cache in
            var operation = operation
            var key = "\(operation) \(status)"
            if let found = cache[key] { return found }
            if cache.count >= Self.seriesCountMax {
                operation = Self.overflowOperation
                key = "\(operation) \(status)"
                if let found = cache[key] { return found }
            }
            let made = Instruments(
                requests: Counter(label: "spore_\(face)_requests_total", dimensions: [("operation", operation), ("status", String(status))]),
                duration: Timer(
                    label: "spore_\(face)_request_duration_seconds", dimensions: [("operation", operation)], preferredDisplayUnit: .seconds)
            )
            cache[key] = made
            return made
        }
        instrument.requests.increment()
        instrument.duration.recordNanoseconds(nanoseconds)
        if receivedBytes > 0 { received.increment(by: receivedBytes) }
        if sentBytes > 0 { sent.increment(by: sentBytes) }
    }
}
