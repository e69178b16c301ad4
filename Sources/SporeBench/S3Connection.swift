import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Where the load goes and who it signs as.
struct Target: Sendable {
    let host: String
    let port: Int
    let accessKey: String
    let secretKey: String
    let region: String

    var hostHeader: String { "\(host):\(port)" }
}

/// A response as the load generator needs it: the status, the headers, and the body (kept only
/// when asked; otherwise only counted, so a 1 GiB GET costs no memory).
struct S3Response: Sendable {
    var status: Int = 0
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    var bodyByteCount = 0

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name }?.1 }
}

/// What to send as a body.
enum RequestBody: Sendable {
    case none
    case bytes([UInt8])
    /// `byteCount` bytes made from a shared random block, varied per object so nothing dedups.
    case generated(byteCount: Int64, variant: UInt64)
}

/// One keep-alive HTTP/1.1 connection, used for one request at a time.
final class S3Connection: @unchecked Sendable {
    // @unchecked: the collector's promise is only touched on the channel's event loop, and a
    // connection is driven by one task at a time.
    private let channel: any Channel
    private let collector: ResponseCollector
    let target: Target

    static func connect(_ target: Target, group: any EventLoopGroup) async throws -> S3Connection {
        let collector = ResponseCollector()
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
            .connect(host: target.host, port: target.port).get()
        return S3Connection(channel: channel, collector: collector, target: target)
    }

    private init(channel: any Channel, collector: ResponseCollector, target: Target) {
        self.channel = channel
        self.collector = collector
        self.target = target
    }

    func close() async { try? await channel.close() }

    /// Sends one signed request and waits for the whole response.
    func send(
        _ method: HTTPMethod, bucket: String, key: String? = nil, query: [(String, String)] = [], headers extra: [(String, String)] = [],
        body: RequestBody = .none, keepBody: Bool = false
    ) async throws -> S3Response {
        let request = S3RequestSpec(method: method, bucket: bucket, key: key, query: query, headers: extra, body: body, keepBody: keepBody)
        guard case .generated(let count, let variant) = body else {
            return try await channel.eventLoop.flatSubmit { self.start(request) }.get()
        }
        let promise = channel.eventLoop.makePromise(of: S3Response.self)
        let collector = self.collector
        let head = makeHead(request)
        try await channel.eventLoop.submit { collector.expect(promise, keepBody: keepBody) }.get()
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        var sent: Int64 = 0
        while sent < count {
            let piece = Int(min(Int64(PayloadBlock.chunkByteCount), count - sent))
            let buffer = PayloadBlock.chunk(offset: sent, variant: variant, byteCount: piece)
            // Waiting for each chunk's write is the backpressure: memory stays one chunk deep.
            try await channel.writeAndFlush(HTTPClientRequestPart.body(.byteBuffer(buffer))).get()
            sent += Int64(piece)
        }
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
        return try await promise.futureResult.get()
    }

    /// Starts one request with an in-memory body; call on the connection's event loop. The whole
    /// request leaves in one flush and the response completes the future on the same loop, so a
    /// small request costs the load generator no thread hop (issue 4: the client must not be the
    /// bottleneck).
    func start(_ request: S3RequestSpec) -> EventLoopFuture<S3Response> {
        channel.eventLoop.preconditionInEventLoop()
        let promise = channel.eventLoop.makePromise(of: S3Response.self)
        collector.expect(promise, keepBody: request.keepBody)
        channel.write(HTTPClientRequestPart.head(makeHead(request)), promise: nil)
        if case .bytes(let bytes) = request.body, !bytes.isEmpty {
            channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: bytes))), promise: nil)
        }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        return promise.futureResult
    }

    var eventLoop: any EventLoop { channel.eventLoop }

    private func makeHead(_ request: S3RequestSpec) -> HTTPRequestHead {
        var path = "/" + request.bucket
        if let key = request.key { path += "/" + SigV4Signer.encode(key, keepSlash: true) }
        let length: Int64
        switch request.body {
        case .none: length = 0
        case .bytes(let bytes): length = Int64(bytes.count)
        case .generated(let count, _): length = count
        }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: target.hostHeader)
        headers.add(name: "Content-Length", value: String(length))
        for (name, value) in request.headers { headers.add(name: name, value: value) }
        let signed = SigV4Signer.sign(method: request.method.rawValue, path: path, query: request.query, headers: request.headers, target: target)
        for (name, value) in signed { headers.add(name: name, value: value) }
        let queryText = SigV4Signer.canonicalQuery(request.query)
        var head = HTTPRequestHead(version: .http1_1, method: request.method, uri: path + (queryText.isEmpty ? "" : "?" + queryText))
        head.headers = headers
        return head
    }
}

/// One request, as `S3Connection.start` sends it.
struct S3RequestSpec: Sendable {
    var method: HTTPMethod
    var bucket: String
    var key: String?
    var query: [(String, String)] = []
    var headers: [(String, String)] = []
    var body: RequestBody = .none
    var keepBody = false
}

/// Turns response parts into an `S3Response` for the request in flight.
final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: every member is touched on the channel's event loop only.
    typealias InboundIn = HTTPClientResponsePart

    private var promise: EventLoopPromise<S3Response>?
    private var response = S3Response()
    private var keepBody = false

    func expect(_ promise: EventLoopPromise<S3Response>, keepBody: Bool) {
        self.promise = promise
        self.keepBody = keepBody
        response = S3Response()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            response.status = Int(head.status.code)
            response.headers = head.headers.map { ($0.name, $0.value) }
        case .body(let buffer):
            response.bodyByteCount += buffer.readableBytes
            if keepBody { response.body += buffer.readableBytesView }
        case .end:
            let finished = response
            let waiting = promise
            promise = nil
            waiting?.succeed(finished)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise?.fail(error)
        promise = nil
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise?.fail(ChannelError.ioOnClosedChannel)
        promise = nil
    }
}

/// Bodies from one random block: each chunk is the block with its first 16 bytes replaced by the
/// object's variant and the chunk's offset, so every object (and chunk) hashes differently while
/// no time goes into generating random data.
enum PayloadBlock {
    static let chunkByteCount = 1 << 20
    /// Filled from SplitMix64 seeded once: drawing each of the 1,048,576 bytes from the system
    /// generator took ≈ 0.4 s of CPU, paid by the first request of every workload, inside its
    /// timing (it cut put-4k's figure by a third for a server answering 5,000 PUTs in a second).
    /// `Workloads.run` touches the block before any timing starts.
    static let block: [UInt8] = {
        var state = UInt64.random(in: .min ... .max)
        var bytes = [UInt8](repeating: 0, count: chunkByteCount)
        bytes.withUnsafeMutableBytes { raw in
            for offset in stride(from: 0, to: chunkByteCount, by: 8) {
                state &+= 0x9E37_79B9_7F4A_7C15
                var word = state
                word = (word ^ (word >> 30)) &* 0xBF58_476D_1CE4_E5B9
                word = (word ^ (word >> 27)) &* 0x94D0_49BB_1331_11EB
                raw.storeBytes(of: word ^ (word >> 31), toByteOffset: offset, as: UInt64.self)
            }
        }
        return bytes
    }()

    static func chunk(offset: Int64, variant: UInt64, byteCount: Int) -> ByteBuffer {
        var buffer = ByteBuffer(bytes: block.prefix(byteCount))
        if byteCount >= 16 {
            buffer.setInteger(variant, at: 0)
            buffer.setInteger(UInt64(offset), at: 8)
        }
        return buffer
    }

    static func bytes(_ byteCount: Int, variant: UInt64) -> [UInt8] {
        var bytes = Array(block.prefix(byteCount))
        withUnsafeBytes(of: variant.bigEndian) { raw in
            for (index, byte) in raw.enumerated() where index < bytes.count { bytes[index] = byte }
        }
        return bytes
    }
}

/// SigV4 with `UNSIGNED-PAYLOAD`, the way SDKs sign over plain HTTP when told not to hash bodies.
enum SigV4Signer {
    static func sign(method: String, path: String, query: [(String, String)], headers: [(String, String)], target: Target) -> [(String, String)] {
        let (amzDate, date, key) = SigningClock.current(target)
        var signedHeaders = [("host", target.hostHeader), ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"), ("x-amz-date", amzDate)]
        for (name, value) in headers where name.lowercased().hasPrefix("x-amz-") || name.lowercased() == "content-md5" {
            signedHeaders.append((name.lowercased(), value))
        }
        signedHeaders.sort { $0.0 < $1.0 }
        let names = signedHeaders.map(\.0).joined(separator: ";")
        var canonical = "\(method)\n\(encode(path, keepSlash: true, alreadyEncoded: true))\n\(canonicalQuery(query))\n"
        for (name, value) in signedHeaders { canonical += "\(name):\(value)\n" }
        canonical += "\n\(names)\nUNSIGNED-PAYLOAD"
        let scope = "\(date)/\(target.region)/s3/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(hex(SHA256.hash(data: Array(canonical.utf8))))"
        let signature = hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        return [
            ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"), ("x-amz-date", amzDate),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=\(target.accessKey)/\(scope), SignedHeaders=\(names), Signature=\(signature)"),
        ]
    }

    static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { (encode($0.0), encode($0.1)) }
        let sorted = encoded.sorted { lhs, rhs in lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    static func encode(_ text: String, keepSlash: Bool = false, alreadyEncoded: Bool = false) -> String {
        if alreadyEncoded { return text }
        var output = ""
        for byte in text.utf8 {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                output.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                output += "%" + String(hexDigits[Int(byte >> 4)]).uppercased() + String(hexDigits[Int(byte & 0x0F)]).uppercased()
            }
        }
        return output
    }

    static let hexDigits = Array("0123456789abcdef")

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): return true
        default: return false
        }
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var text = ""
        for byte in bytes {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return text
    }
}

/// The request time and the day's signing key, recomputed once a second rather than per request
/// (a DateFormatter and four HMACs per request cost more than some servers' whole answer).
enum SigningClock {
    private struct Cached {
        var second: Int = -1
        var amzDate = ""
        var date = ""
        var secret = ""
        var key = SymmetricKey(size: .bits256)
    }

    private static let cache = Mutex(Cached())

    static func current(_ target: Target) -> (amzDate: String, date: String, key: SymmetricKey) {
        let now = time(nil)
        return cache.withLock { cached in
            if cached.second != now || cached.secret != target.secretKey {
                var parts = tm()
                var seconds = now
                gmtime_r(&seconds, &parts)
                func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
                let date = "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))"
                if date != cached.date || cached.secret != target.secretKey {
                    var key = SymmetricKey(data: Array("AWS4\(target.secretKey)".utf8))
                    for part in [date, target.region, "s3", "aws4_request"] {
                        key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
                    }
                    cached.key = key
                    cached.secret = target.secretKey
                }
                cached.second = now
                cached.date = date
                cached.amzDate = "\(date)T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
            }
            return (cached.amzDate, cached.date, cached.key)
        }
    }
}
