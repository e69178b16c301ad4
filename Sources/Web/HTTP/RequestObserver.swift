import HTTPTypes
import Hummingbird
import Logging
import SporeJSON
import Synchronization

/// The one place where every request of every listener is logged and counted: each face's
/// responder runs inside `observe`, which times it, adds `X-Request-Id`, writes one log line and
/// records the face's request metrics. Faces only say what the request was (`RequestLabels`).
public struct RequestObserver: Sendable {
    public static let requestIDField = HTTPField.Name("x-request-id")!
    /// Resources are cut to this many bytes in log lines.
    public static let loggedResourceByteCountMax = 160

    public let face: String
    public let logger: Logger
    public let metrics: RequestMetrics

    /// `face` names the metrics (`spore_<face>_requests_total` …) and appears in every log line.
    public init(face: String, logger: Logger) {
        self.face = face
        self.logger = logger
        self.metrics = RequestMetrics.shared(face: face)
    }

    public func observe(_ request: Request, context: SporeRequestContext, _ answer: () async -> Response) async -> Response {
        let started = ContinuousClock.now
        var response = await answer()
        response.headers[Self.requestIDField] = context.requestID
        let elapsed = ContinuousClock.now - started
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        let received = request.headers.value(.contentLength).flatMap { Int64($0) } ?? 0
        let sent = response.headers.value(.contentLength).flatMap { Int64($0) } ?? 0
        let labels = context.labels.current
        RequestTotals.shared.count(status: response.status.code)
        metrics.record(operation: labels.operation, status: response.status.code, nanoseconds: nanoseconds, receivedBytes: received, sentBytes: sent)
        logger.info(
            "request",
            metadata: [
                "face": "\(face)", "operation": "\(labels.operation)",
                "resource": "\(String(decoding: labels.resource.utf8.prefix(Self.loggedResourceByteCountMax), as: UTF8.self))",
                "status": "\(response.status.code)", "bytes-in": "\(received)", "bytes-out": "\(sent)",
                "duration-ms": "\(nanoseconds / 1_000_000)", "request-id": "\(context.requestID)",
            ]
        )
        return response
    }
}

/// Serves a responder inside a `RequestObserver`; a responder that throws answers 500 with the
/// request id in the log, never a connection without an answer.
public struct ObservedResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == SporeRequestContext {
    public typealias Context = SporeRequestContext
    public let inner: Inner
    public let observer: RequestObserver

    public init(_ inner: Inner, observer: RequestObserver) {
        self.inner = inner
        self.observer = observer
    }

    public func respond(to request: Request, context: SporeRequestContext) async throws -> Response {
        await observer.observe(request, context: context) {
            do {
                return try await inner.respond(to: request, context: context)
            } catch {
                observer.logger.error("request failed", metadata: ["error": "\(error)", "request-id": "\(context.requestID)"])
                return JSONResponse.make(["detail": "Internal Server Error"], status: .internalServerError)
            }
        }
    }
}

/// Requests answered by every listener since the daemon started, and how many failed with a 5xx:
/// the console's status page draws request rates from these.
public final class RequestTotals: Sendable {
    public static let shared = RequestTotals()

    private let requests = Atomic<Int64>(0)
    private let failures = Atomic<Int64>(0)

    func count(status: Int) {
        requests.add(1, ordering: .relaxed)
        if status >= 500 { failures.add(1, ordering: .relaxed) }
    }

    public var requestCount: Int64 { requests.load(ordering: .relaxed) }
    public var failureCount: Int64 { failures.load(ordering: .relaxed) }
}
