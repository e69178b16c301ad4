import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The per-request context of every listener: Hummingbird's core storage, the peer address (for
/// `aws:SourceIp` conditions and logs), the request id, and what the face that answered learnt
/// about the request (for the one log line and the metrics `RequestObserver` writes).
public struct SporeRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The connection, to signal `ExpectContinueHandler` when the body is first read.
    public let channel: any Channel
    /// Sixteen upper-case hex digits, unique enough to find one request in the logs; sent back as
    /// `X-Request-Id` (and as `x-amz-request-id` by the S3 face).
    public let requestID: String
    /// Filled in by the face that answers.
    public let labels: RequestLabels

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.channel = source.channel
        self.requestID = Self.makeRequestID()
        self.labels = RequestLabels()
    }

    public static func makeRequestID() -> String {
        let value = UInt64.random(in: 0...UInt64.max)
        let hex = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// What a face tells the request log about a request it answered: the operation (`PutObject`,
/// `files.PUT`, `artifact-manager.commit` …) and the resource (bucket and key, workspace and path).
/// A reference, because Hummingbird hands responders their context by value.
public final class RequestLabels: Sendable {
    public struct Values: Sendable {
        public var operation = "Unknown"
        public var resource = "-"
    }

    private let values = Mutex(Values())

    public init() {}

    public func set(operation: String, resource: String? = nil) {
        values.withLock {
            $0.operation = operation
            if let resource { $0.resource = resource }
        }
    }

    public var current: Values { values.withLock { $0 } }
}
