import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// What the operations endpoints ask the daemon.
public struct OperationsProbe: Sendable {
    /// Whether the daemon can serve: the index is open and the disk takes writes.
    public var isReady: @Sendable () async -> (ready: Bool, detail: String)
    /// The Prometheus text exposition of every metric.
    public var metricsText: @Sendable () async -> String

    public init(isReady: @escaping @Sendable () async -> (ready: Bool, detail: String), metricsText: @escaping @Sendable () async -> String) {
        self.isReady = isReady
        self.metricsText = metricsText
    }
}

/// The second listener: `/s3/…` serves the S3 API (for clients that can reach one port only),
/// `/share/<token>` serves share links, `/health/live`, `/health/ready` and `/metrics` serve
/// operations, and everything else goes to the
/// Hypha-style API.
public struct HTTPFrontResponder<Fallback: HTTPResponder>: HTTPResponder where Fallback.Context == SporeRequestContext {
    public typealias Context = SporeRequestContext
    /// Where the S3 API is mounted on this listener.
    public static var s3Prefix: String { "/s3" }

    let s3: S3Service
    let probe: OperationsProbe
    let share: ShareResponder?
    let fallback: Fallback

    public init(s3: S3Service, probe: OperationsProbe, share: ShareResponder? = nil, fallback: Fallback) {
        self.s3 = s3
        self.probe = probe
        self.share = share
        self.fallback = fallback
    }

    public func respond(to request: Request, context: SporeRequestContext) async throws -> Response {
        let path = request.head.path ?? "/"
        let route = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        if route == Self.s3Prefix || route.hasPrefix(Self.s3Prefix + "/") {
            return await s3.respond(to: request, context: context, pathPrefix: Self.s3Prefix)
        }
        if let share, route.hasPrefix(ShareResponder.pathPrefix) {
            return await share.respond(to: request, route: route, context: context)
        }
        switch (request.method, route) {
        case (.get, "/health/live"), (.head, "/health/live"):
            return Self.text("ok\n")
        case (.get, "/health/ready"), (.head, "/health/ready"):
            let (ready, detail) = await probe.isReady()
            return Self.text(detail + "\n", status: ready ? .ok : .serviceUnavailable)
        case (.get, "/metrics"):
            var response = Self.text(await probe.metricsText())
            response.headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return response
        default:
            return try await fallback.respond(to: request, context: context)
        }
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}

/// Builds the application of the second listener.
public enum HTTPListener {
    public static func makeApplication<Fallback: HTTPResponder>(
        responder: HTTPFrontResponder<Fallback>, host: String, port: Int, logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol where Fallback.Context == SporeRequestContext {
        Application(
            responder: responder,
            server: .http1(configuration: .init(additionalChannelHandlers: [ExpectContinueHandler()])),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: onServerRunning,
            logger: logger
        )
    }
}

/// Answers 404 in the Hypha API's JSON shape: the fallback until a route matches.
public struct NotFoundResponder: HTTPResponder {
    public typealias Context = SporeRequestContext
    public init() {}

    public func respond(to request: Request, context: SporeRequestContext) async throws -> Response {
        Response(
            status: .notFound, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"detail":"Not Found"}"#))
        )
    }
}
