import Hummingbird
import Logging
import NIOCore

/// The per-request context of both listeners: Hummingbird's core storage plus the peer address
/// (for `aws:SourceIp` conditions and logs).
public struct SporeRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The connection, to signal `ExpectContinueHandler` when the body is first read.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.channel = source.channel
    }
}

extension SocketAddress {
    /// The address without the port, as `aws:SourceIp` conditions compare it.
    var ipAddress: String? {
        switch self {
        case .v4(let address): return address.host
        case .v6(let address): return address.host
        default: return nil
        }
    }
}
