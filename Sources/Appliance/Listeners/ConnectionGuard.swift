import HTTPSupport
import HTTPTypes
import HummingbirdCore
import HummingbirdTLS
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOSSL
import Synchronization

/// The named limits of a listener's connections.
struct ConnectionLimits: Sendable, Equatable {
    /// Open connections per listener; past it new ones get a 503 and are closed.
    var connectionCountMax = 4096
    /// Open connections from one client address (a NAT of many clients counts as one).
    var connectionsPerAddressMax = 512
    /// From accepting a connection to its first request's complete headers (slowloris).
    var headerTimeoutSeconds: Int64 = 30
    /// From the end of a response to the next request's complete headers (idle keep-alive).
    var idleTimeoutSeconds: Int64 = 60
    /// Without a byte of a request body arriving, the connection is closed.
    var bodyTimeoutSeconds: Int64 = 60
    /// Header fields of one request, and their total size (the decoder refuses more).
    static let headerFieldCountMax = 128
    static let headerListByteCountMax = 64 * 1024
}

/// Counts open connections per listener and per client address: a value type, tested without I/O.
struct ConnectionCounts: Sendable, Equatable {
    enum Refusal: String, Sendable, Equatable {
        case listenerFull = "listener_full"
        case addressFull = "address_full"
    }

    private(set) var total = 0
    private(set) var perAddress: [String: Int] = [:]

    mutating func admit(_ address: String, limits: ConnectionLimits) -> Refusal? {
        if total >= limits.connectionCountMax { return .listenerFull }
        if perAddress[address, default: 0] >= limits.connectionsPerAddressMax { return .addressFull }
        total += 1
        perAddress[address, default: 0] += 1
        return nil
    }

    mutating func release(_ address: String) {
        guard let count = perAddress[address] else {
            assertionFailure("a connection is released once, after it was admitted")
            return
        }
        total -= 1
        perAddress[address] = count > 1 ? count - 1 : nil
        assert(total >= 0 && perAddress.count <= total, "counts stay consistent")
    }
}

/// The connections of one listener: the counts behind a lock, and their metrics.
final class ConnectionLimiter: Sendable {
    let listener: String
    let limits: ConnectionLimits
    let logger: Logger
    private let counts = Mutex(ConnectionCounts())
    private let open: Gauge
    private let refusedFull: Counter
    private let refusedAddress: Counter
    private let timedOut: [String: Counter]
    /// When an address was last logged as refused, so a flood is logged once a minute.
    private let lastLogged = Mutex<[String: Int64]>([:])
    static let refusalLogIntervalNanoseconds: Int64 = 60_000_000_000
    static let loggedAddressCountMax = 1024

    init(listener: String, limits: ConnectionLimits, logger: Logger) {
        self.listener = listener
        self.limits = limits
        self.logger = logger
        open = Gauge(label: "spore_connections_open", dimensions: [("listener", listener)])
        refusedFull = Counter(label: "spore_connections_refused_total", dimensions: [("listener", listener), ("reason", "listener_full")])
        refusedAddress = Counter(label: "spore_connections_refused_total", dimensions: [("listener", listener), ("reason", "address_full")])
        var timers = [String: Counter]()
        for reason in ["header", "idle", "body"] {
            timers[reason] = Counter(label: "spore_connections_timed_out_total", dimensions: [("listener", listener), ("phase", reason)])
        }
        timedOut = timers
    }

    func admit(_ address: String) -> ConnectionCounts.Refusal? {
        let (refusal, total) = counts.withLock { counts in (counts.admit(address, limits: limits), counts.total) }
        open.record(total)
        switch refusal {
        case .listenerFull?: refusedFull.increment()
        case .addressFull?: refusedAddress.increment()
        case nil: return nil
        }
        let now = Int64(DispatchTimeNanoseconds.now())
        let shouldLog = lastLogged.withLock { logged in
            if let last = logged[address], now - last < Self.refusalLogIntervalNanoseconds { return false }
            if logged.count >= Self.loggedAddressCountMax { logged.removeAll() }
            logged[address] = now
            return true
        }
        if shouldLog {
            logger.warning(
                "connections refused", metadata: ["listener": "\(listener)", "client": "\(address)", "reason": "\(refusal!.rawValue)"])
        }
        return refusal
    }

    func release(_ address: String) {
        let total = counts.withLock { counts in
            counts.release(address)
            return counts.total
        }
        open.record(total)
    }

    func countTimeout(_ phase: String) { timedOut[phase]?.increment() }
}

enum DispatchTimeNanoseconds {
    static func now() -> UInt64 { UInt64(NIODeadline.now().uptimeNanoseconds) }
}

/// The first handler of every connection (after TLS, before HTTP): admits it against the
/// listener's limits (a refused one gets `503 SlowDown` and is closed) and gives the first
/// request's headers `headerTimeoutSeconds` to arrive, counted from the accept, so a slowloris
/// client trickling bytes (or a TLS handshake that never ends) is closed with a `408`. It sees raw
/// bytes, so it also counts connections upgraded to WebSocket, which leave the HTTP handlers.
final class AdmissionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let limiter: ConnectionLimiter
    private let refusalBody: @Sendable (ConnectionCounts.Refusal) -> (contentType: String, body: String)
    private var address: String?
    private var deadline: Scheduled<Void>?
    /// The last bytes seen while looking for the end of the first request's headers.
    private var tail: [UInt8] = []
    private var headerBytes = 0
    private var headersDone = false
    private var refused = false

    init(limiter: ConnectionLimiter, refusalBody: @escaping @Sendable (ConnectionCounts.Refusal) -> (contentType: String, body: String)) {
        self.limiter = limiter
        self.refusalBody = refusalBody
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        if let refusal = limiter.admit(address) {
            refused = true
            let (type, text) = refusalBody(refusal)
            let response =
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: \(type)\r\nContent-Length: \(text.utf8.count)\r\nRetry-After: 1\r\nConnection: close\r\n\r\n\(text)"
            Self.answerAndClose(context: context, wrapOutboundOut(context.channel.allocator.buffer(string: response)))
            return
        }
        self.address = address
        let limiter = self.limiter
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(limiter.limits.headerTimeoutSeconds)) { [weak self] in
            guard let self, !self.headersDone else { return }
            limiter.countTimeout("header")
            self.timeOut(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) { finish() }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    private func finish() {
        deadline?.cancel()
        deadline = nil
        if let address {
            limiter.release(address)
            self.address = nil
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A refused connection's request is never served.
        guard !refused else { return }
        if !headersDone {
            let buffer = unwrapInboundIn(data)
            headerBytes += buffer.readableBytes
            tail.append(contentsOf: buffer.readableBytesView)
            if Self.containsHeaderEnd(tail) {
                headersDone = true
                deadline?.cancel()
                deadline = nil
                tail = []
            } else {
                tail = Array(tail.suffix(3))
            }
        }
        context.fireChannelRead(data)
    }

    static func containsHeaderEnd(_ bytes: [UInt8]) -> Bool {
        let end: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4 else { return false }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && Array(bytes[index..<index + 4]) == end { return true }
        return false
    }

    private func timeOut(context: ChannelHandlerContext) {
        let response = "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        Self.answerAndClose(context: context, wrapOutboundOut(context.channel.allocator.buffer(string: response)))
    }

    /// Seconds an answer before a close may take to leave: behind TLS a write waits for a
    /// handshake that may never finish, and the connection must close anyway.
    static let closeBackstopSeconds: Int64 = 2

    /// Writes a last answer and closes once it is written, or after the backstop at the latest.
    static func answerAndClose(context: ChannelHandlerContext, _ data: NIOAny) {
        let loop = context.eventLoop.assumeIsolated()
        let backstop = loop.scheduleTask(in: .seconds(closeBackstopSeconds)) { context.close(promise: nil) }
        context.writeAndFlush(data).assumeIsolated().whenComplete { _ in
            backstop.cancel()
            context.close(promise: nil)
        }
    }
}

/// After the HTTP decoder: a keep-alive connection may idle `idleTimeoutSeconds` between a response
/// and the next request's headers (then `408` and close), and while the server waits for more of a
/// request body, the client has `bodyTimeoutSeconds` to send some (then the connection is closed;
/// the handler reading it sees the body end early and stores nothing).
final class RequestTimeouts: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limiter: ConnectionLimiter
    private var deadline: Scheduled<Void>?
    private var inRequestBody = false
    private var closed = false

    init(limiter: ConnectionLimiter) {
        self.limiter = limiter
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            deadline?.cancel()
            deadline = nil
            let length = head.headerFields.value(.contentLength).flatMap { Int64($0) }
            // The body's clock runs only while its reader waits for bytes (see `read`): a body
            // the server is not reading yet (an upload queued behind others) is not stalled.
            inRequestBody = (length ?? 0) > 0 || head.headerFields.value(.transferEncoding) != nil
        case .body:
            deadline?.cancel()
            deadline = nil
        case .end:
            inRequestBody = false
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        if inRequestBody, deadline == nil, !closed {
            arm(context: context, seconds: limiter.limits.bodyTimeoutSeconds, phase: "body")
        }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head(let head) = unwrapOutboundIn(data), head.status == .switchingProtocols {
            // Upgraded to WebSocket: its own pings keep it alive; no HTTP timer applies any more.
            closed = true
            deadline?.cancel()
            deadline = nil
        } else if case .end = unwrapOutboundIn(data), !inRequestBody, !closed {
            arm(context: context, seconds: limiter.limits.idleTimeoutSeconds, phase: "idle")
        }
        context.write(data, promise: promise)
    }

    private func arm(context: ChannelHandlerContext, seconds: Int64, phase: String) {
        deadline?.cancel()
        let limiter = self.limiter
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(seconds)) { [weak self] in
            guard let self, !self.closed else { return }
            limiter.countTimeout(phase)
            self.closed = true
            guard phase == "idle" else {
                context.close(promise: nil)
                return
            }
            var head = HTTPResponse(status: .requestTimeout)
            head.headerFields[.connection] = "close"
            head.headerFields[.contentLength] = "0"
            context.write(self.wrapOutboundOut(.head(head)), promise: nil)
            AdmissionGuard.answerAndClose(context: context, self.wrapOutboundOut(.end(nil)))
        }
    }
}

/// At the end of the pipeline: a request the HTTP decoder cannot parse closes the connection. The
/// plain HTTP/1.1 channel answers such a request itself (400); the WebSocket-upgradable one turns
/// NIO's error handling off and would leave the connection open, holding a descriptor, forever
/// (found by the soak test's bad-request share).
final class ParseErrorCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }
}

/// A listener's child channel with the admission guard in front of its HTTP handlers.
struct GuardedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let limiter: ConnectionLimiter
    let refusalBody: @Sendable (ConnectionCounts.Refusal) -> (contentType: String, body: String)
    var closesOnParseErrors = false

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(AdmissionGuard(limiter: limiter, refusalBody: refusalBody))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }.flatMapThrowing { value in
            // After the decoder the base added: errors travel towards the tail.
            if closesOnParseErrors { try channel.pipeline.syncOperations.addHandler(ParseErrorCloser(), position: .last) }
            return value
        }
    }

    func handle(value: Base.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// How listeners' child channels are put together: the admission guard first, TLS around it when
/// configured, the decoder's header limits, and each listener's refusal in its own error shape.
enum ListenerChannels {
    static let decoderLimits = HTTP1Channel.Configuration.DecoderConfiguration(
        maxHeaderFieldSize: ConnectionLimits.headerListByteCountMax, maxHeaderListSize: ConnectionLimits.headerListByteCountMax,
        maxHeaderFieldCount: ConnectionLimits.headerFieldCountMax)

    static func guarded<Base: ServerChildChannel>(
        _ base: Base, limiter: ConnectionLimiter, tls: TLSConfiguration?,
        refusal: @escaping @Sendable (ConnectionCounts.Refusal) -> (contentType: String, body: String), closesOnParseErrors: Bool = false
    ) throws -> any ServerChildChannel {
        let guarded = GuardedChannel(base: base, limiter: limiter, refusalBody: refusal, closesOnParseErrors: closesOnParseErrors)
        guard let tls else { return guarded }
        return try TLSChannel(guarded, tlsConfiguration: tls)
    }

    /// The S3 listener: plain HTTP/1.1 with `100-continue`, request timeouts and the guard.
    static func s3Server(limiter: ConnectionLimiter, tls: TLSConfiguration?) -> HTTPServerBuilder {
        HTTPServerBuilder { handler in
            let base = HTTP1Channel(
                responder: handler,
                configuration: .init(
                    additionalChannelHandlers: [ExpectContinueHandler(), RequestTimeouts(limiter: limiter)], idleTimeout: nil,
                    httpDecoderConfiguration: decoderLimits))
            return try guarded(base, limiter: limiter, tls: tls, refusal: s3Refusal)
        }
    }

    @Sendable static func s3Refusal(_ refusal: ConnectionCounts.Refusal) -> (contentType: String, body: String) {
        let message = refusal == .listenerFull ? "The server has too many connections open." : "Too many connections from your address."
        return ("application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code><Message>\(message)</Message></Error>")
    }

    @Sendable static func jsonRefusal(_ refusal: ConnectionCounts.Refusal) -> (contentType: String, body: String) {
        let message = refusal == .listenerFull ? "The server has too many connections open." : "Too many connections from your address."
        return ("application/json", "{\"error\": \"SlowDown\", \"detail\": \"\(message)\"}")
    }
}
