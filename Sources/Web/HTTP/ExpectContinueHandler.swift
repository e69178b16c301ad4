import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` with `100 Continue` when, and only when, the handler starts to
/// read the body.
///
/// botocore, the AWS CLI and curl send the header on uploads and then wait up to a second for the
/// interim response. A request that is refused before its body is read (bad signature, no access)
/// gets its final answer without the `100`, so the client never sends the body; the connection is
/// then closed after that answer, because the unsent body would otherwise be expected next.
public final class ExpectContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    /// Sent down the pipeline by `ContinueOnFirstRead` when the handler starts reading the body.
    public struct SendContinue: Sendable {}

    private var awaitingContinue = false
    private var closeAfterResponse = false

    public init() {}

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            awaitingContinue = head.headerFields[.expect]?.lowercased() == "100-continue"
        }
        context.fireChannelRead(data)
    }

    public func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is SendContinue else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        if awaitingContinue {
            awaitingContinue = false
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        }
        promise?.succeed()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response) where awaitingContinue && response.status.code >= 200:
            awaitingContinue = false
            closeAfterResponse = true
            response.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(response)), promise: promise)
        case .end where closeAfterResponse:
            closeAfterResponse = false
            let written = context.eventLoop.makePromise(of: Void.self)
            let channel = context.channel
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
            if let promise { written.futureResult.cascade(to: promise) }
            context.write(data, promise: written)
        default:
            context.write(data, promise: promise)
        }
    }
}

/// A request body that, the first time it is read, tells `ExpectContinueHandler` to send
/// `100 Continue`.
public struct ContinueOnFirstRead: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    public let base: RequestBody
    public let channel: (any Channel)?

    public init(base: RequestBody, channel: (any Channel)?) {
        self.base = base
        self.channel = channel
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        var channel: (any Channel)?

        public mutating func next() async throws -> ByteBuffer? {
            if let channel {
                self.channel = nil
                channel.triggerUserOutboundEvent(ExpectContinueHandler.SendContinue(), promise: nil)
            }
            return try await base.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), channel: channel) }
}
