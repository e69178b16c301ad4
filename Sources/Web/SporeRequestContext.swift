import Hummingbird
import Logging
import NIOCore

/// The per-request context of both listeners: Hummingbird's core storage plus the peer address
/// (for `aws:SourceIp` conditions and logs).
public struct SporeRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
