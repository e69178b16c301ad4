import HTTPSupport
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import HyphaAPI
import HyphaRPC
import Logging
import NIOCore
import NIOSSL
import S3API
import SporeJSON
import WebConsole

/// What the operations endpoints ask the daemon.
struct OperationsProbe: Sendable {
    /// Whether the daemon can serve: the index is open and the disk takes writes.
    var isReady: @Sendable () async -> (ready: Bool, detail: String)
    /// The Prometheus text exposition of every metric.
    var metricsText: @Sendable () async -> String
}

/// The second listener: `/s3/…` serves the S3 API (for clients that can reach one port only),
/// `/share/<token>` serves share links, `/health/live`, `/health/ready` and `/metrics` serve
/// operations, `/`, `/console/…` and `/api/…` serve the web console, and everything else goes to
/// the Hypha-style API. Each part is served inside its
/// face's `RequestObserver`, so every request of this listener has a request id, a log line and
/// its face's metrics.
struct HTTPFrontResponder<Hypha: HTTPResponder, ConsoleUI: HTTPResponder>: HTTPResponder
where Hypha.Context == SporeRequestContext, ConsoleUI.Context == SporeRequestContext {
    typealias Context = SporeRequestContext

    let s3: S3Service
    let probe: OperationsProbe
    let share: ShareResponder
    let hypha: Hypha
    let console: ConsoleUI
    /// Whether this listener speaks TLS (`aws:SecureTransport` for `/s3`).
    let isSecure: Bool
    let observers: Observers

    struct Observers: Sendable {
        let s3: RequestObserver
        let share: RequestObserver
        let operations: RequestObserver
        let hypha: RequestObserver
        let console: RequestObserver

        init(logger: Logger) {
            s3 = RequestObserver(face: "s3", logger: logger)
            share = RequestObserver(face: "share", logger: logger)
            operations = RequestObserver(face: "operations", logger: logger)
            hypha = RequestObserver(face: "hypha", logger: logger)
            console = RequestObserver(face: "console", logger: logger)
        }
    }

    func respond(to request: Request, context: SporeRequestContext) async throws -> Response {
        let path = request.head.path ?? "/"
        let route = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        let proxy = HyphaConfiguration.s3ProxyPath
        if route == proxy || route.hasPrefix(proxy + "/") {
            return Self.sandboxed(
                await observers.s3.observe(request, context: context) {
                    await s3.respond(to: request, context: context, pathPrefix: proxy, secureTransport: isSecure)
                })
        }
        if route.hasPrefix(ShareResponder.pathPrefix) {
            return Self.sandboxed(
                await observers.share.observe(request, context: context) {
                    await share.respond(to: request, route: route, context: context)
                })
        }
        if let operation = Self.operation(request.method, route) {
            context.labels.set(operation: operation, resource: route)
            return await observers.operations.observe(request, context: context) { await operations(request, route: route) }
        }
        if ConsoleFace.serves(route: route) {
            return await observers.console.observe(request, context: context) {
                do {
                    return try await console.respond(to: request, context: context)
                } catch {
                    return JSONResponse.make(["error": "InternalError", "message": "Internal Server Error"], status: .internalServerError)
                }
            }
        }
        return Self.sandboxed(
            await observers.hypha.observe(request, context: context) {
                do {
                    return try await hypha.respond(to: request, context: context)
                } catch {
                    return JSONResponse.make(["detail": "Internal Server Error"], status: .internalServerError)
                }
            })
    }

    /// Everything this listener serves besides the console is content users control (objects
    /// through `/s3`, share links, workspace and artifact files, view sites). It shares the
    /// console's origin, so it is served as a sandboxed document: its scripts still run (view
    /// sites need them) but in an opaque origin, which can neither read the console's answers nor
    /// send its `SameSite=Strict` session cookie.
    static var userContentPolicy: String {
        "sandbox allow-scripts allow-forms allow-popups allow-popups-to-escape-sandbox allow-downloads allow-modals"
    }

    static func sandboxed(_ response: Response) -> Response {
        var response = response
        if response.headers[.contentSecurityPolicy] == nil { response.headers[.contentSecurityPolicy] = userContentPolicy }
        response.headers[HTTPField.Name("x-content-type-options")!] = "nosniff"
        return response
    }

    static func operation(_ method: HTTPRequest.Method, _ route: String) -> String? {
        switch (method, route) {
        case (.get, "/health/live"), (.head, "/health/live"): return "HealthLive"
        case (.get, "/health/ready"), (.head, "/health/ready"): return "HealthReady"
        case (.get, "/metrics"): return "Metrics"
        default: return nil
        }
    }

    private func operations(_ request: Request, route: String) async -> Response {
        switch route {
        case "/health/live":
            return Self.text("ok\n")
        case "/health/ready":
            let (ready, detail) = await probe.isReady()
            return Self.text(detail + "\n", status: ready ? .ok : .serviceUnavailable)
        default:
            var response = Self.text(await probe.metricsText())
            response.headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return response
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
enum HTTPListener {
    static func makeApplication<Hypha: HTTPResponder, ConsoleUI: HTTPResponder>(
        responder: HTTPFrontResponder<Hypha, ConsoleUI>, rpc: RPCEndpoint, host: String, port: Int, tls: TLSConfiguration?,
        limiter: ConnectionLimiter, logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol where Hypha.Context == SporeRequestContext, ConsoleUI.Context == SporeRequestContext {
        // `/ws` upgrades to hypha-rpc; every other request stays plain HTTP/1.1.
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: .init(
                additionalChannelHandlers: [ExpectContinueHandler(), RequestTimeouts(limiter: limiter)], idleTimeout: nil,
                httpDecoderConfiguration: ListenerChannels.decoderLimits),
            ws: .init(maxFrameSize: RPCLimits.frameBytesMax, autoPing: .enabled(timePeriod: .seconds(30)))
        )
        let server = HTTPServerBuilder { handler in
            let base = HTTP1WebSocketUpgradeChannel(responder: handler, configuration: configuration) { request, _, _ in
                guard request.method == .get, RPCEndpoint.accepts(path: request.path) else { return .dontUpgrade }
                return .upgrade([:]) { inbound, outbound, context in
                    await rpc.handle(inbound: inbound, outbound: outbound, logger: context.logger)
                }
            }
            return try ListenerChannels.guarded(
                base, limiter: limiter, tls: tls, refusal: ListenerChannels.jsonRefusal, closesOnParseErrors: true)
        }
        return Application(
            responder: responder,
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: onServerRunning,
            logger: logger
        )
    }
}
