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

    /// A counter from a random start, put through SplitMix64's finaliser (a bijection): ids look
    /// random and never repeat within a process, without a `getrandom` call per request (which
    /// was 1 % of a small HEAD's CPU).
    public static func makeRequestID() -> String {
        var value = requestCounter.wrappingAdd(1, ordering: .relaxed).newValue
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        value ^= value >> 31
        return String(unsafeUninitializedCapacity: 16) { buffer in
            for index in 0..<16 {
                let digit = UInt8(truncatingIfNeeded: value >> UInt64(60 - 4 * index)) & 0xF
                buffer[index] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "A") + digit - 10
            }
            return 16
        }
    }

    private static let requestCounter = Atomic<UInt64>(UInt64.random(in: 0...UInt64.max))
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
