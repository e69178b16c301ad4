import Synchronization

/// Named limits of the hypha-rpc endpoint.
public enum RPCLimits {
    /// The largest WebSocket frame accepted (the client's own limit; its frames stay near 263 KB).
    public static let frameBytesMax = 1 << 20
    /// Messages larger than this go through the receiver's `message_cache` in chunks, as the
    /// client and the real server do (`CHUNK_SIZE` + 1 KiB).
    public static let chunkThresholdBytes = 262_144 + 1_024
    /// The size of one chunk.
    public static let chunkBytes = 262_144
    /// The largest message a client may assemble through `message_cache`.
    public static let assembledBytesMax = 16 << 20
    /// Messages one connection may be assembling at once.
    public static let assemblingCountMax = 4
    /// Bytes all connections together may hold in messages being assembled.
    public static let assemblyBytesTotalMax = 256 << 20
    /// Bytes of frames all connections together may hold in calls waiting or running.
    public static let callBytesTotalMax = 256 << 20
    /// Calls of one connection running at once; more wait for a slot.
    public static let inFlightCallsMax = 32
    /// Calls of one connection running or waiting; beyond, a call is rejected at once, so the
    /// reader never stops reading (pings must be answered).
    public static let callsQueuedMax = 256
    /// Open hypha-rpc connections; more are closed with 1013 (try again later).
    public static let connectionsMax = 512
    /// Seconds one frame may take to be written before the client counts as gone.
    public static let writeSeconds = 30
    /// A close frame's reason (control frames hold at most 125 bytes).
    public static let closeReasonBytesMax = 123
    /// Seconds to wait for the first message after the upgrade.
    public static let handshakeSeconds = 5
    /// A connection with no frame for this long is closed (Hypha: 600 s).
    public static let idleSeconds = 600
    /// Text frames longer than this are ignored, as Hypha ignores them.
    public static let textFrameCharactersMax = 1_000
}

/// One binary frame: msgpack `main` immediately followed by an optional msgpack `extra`, merged
/// into one map as the client does (`RPC._on_message`).
public struct RPCFrame: Sendable {
    public let fields: [(String, MessagePackValue)]

    public init(fields: [(String, MessagePackValue)]) { self.fields = fields }

    public init(decoding bytes: [UInt8]) throws(MessagePackError) {
        var decoder = MessagePackDecoder(bytes)
        guard case .map(let main) = try decoder.decode() else { throw MessagePackError("an RPC frame must start with a map") }
        var fields: [(String, MessagePackValue)] = []
        for (key, value) in main {
            guard case .string(let name) = key else { throw MessagePackError("RPC field names must be strings") }
            fields.append((name, value))
        }
        if !decoder.isAtEnd {
            guard case .map(let extra) = try decoder.decode() else { throw MessagePackError("the second part of an RPC frame must be a map") }
            for (key, value) in extra {
                guard case .string(let name) = key else { throw MessagePackError("RPC field names must be strings") }
                fields.removeAll { $0.0 == name }
                fields.append((name, value))
            }
            guard decoder.isAtEnd else { throw MessagePackError("an RPC frame has at most two parts") }
        }
        self.fields = fields
    }

    public subscript(name: String) -> MessagePackValue? { fields.first { $0.0 == name }?.1 }

    public var type: String? { self["type"]?.stringValue }
    public var to: String? { self["to"]?.stringValue }
    public var method: String? { self["method"]?.stringValue }
    public var session: String? { self["session"]?.stringValue }
    /// Whether the caller waits for an answer (a `promise`, short or long form).
    public var expectsAnswer: Bool { session != nil && self["promise"].map { !$0.isNil } == true }
    /// The heartbeat interval the caller asked for (`t`, or the long form's `interval`), when it
    /// is a usable number of seconds.
    public var heartbeatSeconds: Double? {
        guard let seconds = self["t"]?.doubleValue ?? self["promise"]?["interval"]?.doubleValue, seconds.isFinite else { return nil }
        return seconds
    }

    /// Positional arguments and keyword arguments: with `with_kwargs`, the last argument is the
    /// map of keywords (`RemoteFunction.__call__`).
    public var arguments: (positional: [MessagePackValue], keyword: [(String, MessagePackValue)]) {
        var positional = self["args"]?.arrayValue ?? []
        var keyword: [(String, MessagePackValue)] = []
        if self["with_kwargs"]?.boolValue == true, case .map(let pairs)? = positional.last {
            positional.removeLast()
            for (key, value) in pairs { if case .string(let name) = key { keyword.append((name, value)) } }
        }
        return (positional, keyword)
    }

    /// The frame as bytes: `main` with the routing fields, `extra` with the payload (`args`).
    public static func encode(main: [(String, MessagePackValue)], extra: [(String, MessagePackValue)]) -> [UInt8] {
        var out = MessagePackEncoder.encode(.map(main.map { (.string($0.0), $0.1) }))
        if !extra.isEmpty { MessagePackEncoder.encode(.map(extra.map { (.string($0.0), $0.1) }), into: &out) }
        return out
    }

    /// A call of a callback on the client (`<session>.resolve|reject|heartbeat`), or of its
    /// `message_cache`; `from` must be the address the client called.
    public static func call(
        from: String, to: String, method: String, parent: String? = nil, workspace: String? = nil, user: MessagePackValue? = nil,
        args: [MessagePackValue]?
    ) -> [UInt8] {
        var main: [(String, MessagePackValue)] = [
            ("type", .string("method")), ("from", .string(from)), ("to", .string(to)), ("method", .string(method)),
        ]
        if let parent { main.append(("parent", .string(parent))) }
        if let workspace { main.append(("ws", .string(workspace))) }
        if let user { main.append(("user", user)) }
        return encode(main: main, extra: args.map { [("args", .array($0))] } ?? [])
    }

    /// `bytes` (one encoded message) as the frames of the client's `message_cache` protocol:
    /// create, one set per chunk, process, sent without promises in this order (§4.8 of the
    /// protocol notes). `ws` and `user` are required on `process`.
    public static func chunked(_ bytes: [UInt8], key: String, from: String, to: String, workspace: String, user: MessagePackValue) -> [[UInt8]] {
        let prefix = "services.built-in.message_cache."
        var frames = [call(from: from, to: to, method: prefix + "create", workspace: workspace, user: user, args: [.string(key), .bool(false)])]
        var index = 0
        var start = 0
        while start < bytes.count {
            let end = min(start + RPCLimits.chunkBytes, bytes.count)
            frames.append(
                call(
                    from: from, to: to, method: prefix + "set", workspace: workspace, user: user,
                    args: [.string(key), .int(Int64(index)), .binary(Array(bytes[start..<end])), .bool(false)]
                ))
            index += 1
            start = end
        }
        frames.append(call(from: from, to: to, method: prefix + "process", workspace: workspace, user: user, args: [.string(key), .bool(false)]))
        return frames
    }
}

/// Bytes shared by every connection's `RPCAssembly`, so many clients together cannot hold more
/// than `RPCLimits.assemblyBytesTotalMax` in half-sent messages.
public final class RPCByteBudget: Sendable {
    private let used = Atomic<Int>(0)
    public let limit: Int

    public init(limit: Int) { self.limit = limit }

    public var inUse: Int { used.load(ordering: .relaxed) }

    public func reserve(_ count: Int) -> Bool {
        guard count > 0 else {
            release(-count)
            return true
        }
        let after = used.add(count, ordering: .relaxed).newValue
        guard after <= limit else {
            used.subtract(count, ordering: .relaxed)
            return false
        }
        return true
    }

    public func release(_ count: Int) {
        if count > 0 { used.subtract(count, ordering: .relaxed) }
    }
}

/// Messages a client sends in chunks, assembled by key (`message_cache.create/set/append/
/// process/remove` on the receiver). Bounded in count and bytes, per connection and overall.
public struct RPCAssembly: Sendable {
    private var pending: [String: [Int: [UInt8]]] = [:]
    private var byteCount: [String: Int] = [:]
    private let budget: RPCByteBudget

    public init(budget: RPCByteBudget) { self.budget = budget }

    /// Gives back what is still held (a connection that closes mid-message).
    public mutating func removeAll() {
        for key in Array(pending.keys) { remove(key) }
    }

    public mutating func create(_ key: String) throws(MessagePackError) {
        guard pending[key] != nil || pending.count < RPCLimits.assemblingCountMax else {
            throw MessagePackError("too many chunked messages at once")
        }
        // Creating a key again starts it over; what it held goes back to the budget.
        remove(key)
        pending[key] = [:]
        byteCount[key] = 0
    }

    public mutating func set(_ key: String, index: Int, _ chunk: [UInt8]) throws(MessagePackError) {
        guard pending[key] != nil else { throw MessagePackError("Message cache not found: \(key)") }
        guard index >= 0, index <= RPCLimits.assembledBytesMax / 1024 else { throw MessagePackError("chunk index out of range") }
        let delta = chunk.count - (pending[key]?[index]?.count ?? 0)
        let total = (byteCount[key] ?? 0) + delta
        guard total <= RPCLimits.assembledBytesMax else {
            remove(key)
            throw MessagePackError("a chunked message may be at most \(RPCLimits.assembledBytesMax) bytes")
        }
        guard budget.reserve(delta) else { throw MessagePackError("the server is assembling too many messages; try again") }
        pending[key]?[index] = chunk
        byteCount[key] = total
    }

    public mutating func append(_ key: String, _ chunk: [UInt8]) throws(MessagePackError) {
        try set(key, index: pending[key]?.count ?? 0, chunk)
    }

    /// The chunks joined in index order; the key is forgotten.
    public mutating func take(_ key: String) throws(MessagePackError) -> [UInt8] {
        guard let chunks = pending[key] else { throw MessagePackError("Message cache not found: \(key)") }
        remove(key)
        guard chunks.keys.sorted() == Array(0..<chunks.count) else { throw MessagePackError("chunked message \(key) has missing chunks") }
        return chunks.keys.sorted().flatMap { chunks[$0]! }
    }

    public mutating func remove(_ key: String) {
        pending[key] = nil
        budget.release(byteCount.removeValue(forKey: key) ?? 0)
    }
}
