import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// `spore-bench`: a compiled S3 load generator, so the client is not the bottleneck when spore and
/// a peer are compared (benchmarks/run.py drives it). Runs one workload against one endpoint and
/// prints one JSON object: operations, seconds, bytes and latency percentiles.
@main
struct Bench {
    struct Options {
        var endpoint = "127.0.0.1:9000"
        var accessKey = ""
        var secretKey = ""
        var region = "us-east-1"
        var bucket = "bench"
        var workload = ""
        var concurrency = 32
        var count = 2000
        var largeMiB = 1024
        var listKeys = 10_000
        /// GET and HEAD keys in a fixed pseudo-random order instead of in order of writing.
        var randomOrder = false
    }

    static func main() async {
        var options = Options()
        var arguments = CommandLine.arguments.dropFirst().makeIterator()
        while let flag = arguments.next() {
            guard let value = arguments.next() else { fail("missing value for \(flag)") }
            switch flag {
            case "--endpoint": options.endpoint = value
            case "--access-key": options.accessKey = value
            case "--secret-key": options.secretKey = value
            case "--region": options.region = value
            case "--bucket": options.bucket = value
            case "--workload": options.workload = value
            case "--concurrency": options.concurrency = Int(value) ?? options.concurrency
            case "--count": options.count = Int(value) ?? options.count
            case "--large-mib": options.largeMiB = Int(value) ?? options.largeMiB
            case "--list-keys": options.listKeys = Int(value) ?? options.listKeys
            case "--order":
                guard value == "random" || value == "sequential" else { fail("--order is random or sequential") }
                options.randomOrder = value == "random"
            default: fail("unknown option \(flag)")
            }
        }
        let parts = options.endpoint.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { fail("--endpoint must be HOST:PORT") }
        let target = Target(host: String(parts[0]), port: port, accessKey: options.accessKey, secretKey: options.secretKey, region: options.region)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        do {
            let result = try await Workloads(target: target, group: group, options: options).run(options.workload)
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } catch {
            fail("\(options.workload): \(error)")
        }
        try? await group.shutdownGracefully()
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("spore-bench: \(message)\n".utf8))
        exit(1)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
}

/// The workloads. Each leaves what the next needs (`put-4k` the objects `get-4k` reads …).
struct Workloads {
    let target: Target
    let group: any EventLoopGroup
    let options: Bench.Options

    var bucket: String { options.bucket }

    func run(_ name: String) async throws -> [String: Any] {
        precondition(PayloadBlock.block.count == PayloadBlock.chunkByteCount, "the payload block is made before any timing")
        let large = Int64(options.largeMiB) << 20
        switch name {
        case "setup":
            let connection = try await S3Connection.connect(target, group: group)
            let created = try await connection.send(.PUT, bucket: bucket)
            await connection.close()
            guard created.status == 200 || created.status == 409 else { throw BenchError(description: "CreateBucket answered \(created.status)") }
            return ["workload": name]
        case "put-large":
            return try await timed(name, operations: 1, bytes: large) { connection, _ in
                try await expect(200, connection.send(.PUT, bucket: bucket, key: "large-single", body: .generated(byteCount: large, variant: 1)))
            }
        case "put-large-multipart":
            return try await multipartPut(name, byteCount: large, partByteCount: 64 << 20, inFlight: 4)
        case "get-large":
            return try await timed(name, operations: 1, bytes: large) { connection, _ in
                let response = try await expect(200, connection.send(.GET, bucket: bucket, key: "large-single"))
                guard response.bodyByteCount == large else { throw BenchError(description: "short GET: \(response.bodyByteCount)") }
            }
        case "get-large-ranges":
            let quarter = large / 4
            return try await timed(name, operations: 4, bytes: large, concurrency: 4) { connection, index in
                let first = Int64(index) * quarter
                let response = try await expect(
                    206, connection.send(.GET, bucket: bucket, key: "large-single", headers: [("Range", "bytes=\(first)-\(first + quarter - 1)")]))
                guard response.bodyByteCount == quarter else { throw BenchError(description: "short range: \(response.bodyByteCount)") }
            }
        case "put-large-sse":
            // SSE-S3: the same body sealed in 64 KiB AES-256-GCM chunks, against put-large.
            return try await timed(name, operations: 1, bytes: large) { connection, _ in
                try await expect(
                    200,
                    connection.send(
                        .PUT, bucket: bucket, key: "large-sse", headers: [("x-amz-server-side-encryption", "AES256")],
                        body: .generated(byteCount: large, variant: 1)))
            }
        case "get-large-sse":
            return try await timed(name, operations: 1, bytes: large) { connection, _ in
                let response = try await expect(200, connection.send(.GET, bucket: bucket, key: "large-sse"))
                guard response.bodyByteCount == large else { throw BenchError(description: "short GET: \(response.bodyByteCount)") }
            }
        case "list-setup":
            let bucket = self.bucket
            return try await timedRequests(name, operations: options.listKeys, bytes: 0) { index in
                S3RequestSpec(method: .PUT, bucket: bucket, key: String(format: "list/d%03d/k%06d", index % 100, index), body: .bytes([]))
            } check: { response in
                try Self.expect(200, response)
            }
        case "list-flat":
            return try await listing(name, delimiter: nil)
        case "list-delimiter":
            return try await listing(name, delimiter: "/")
        case "list-4k":
            // One full listing of the 4 KiB objects put-4k wrote (the million-object run's LIST).
            return try await listing(name, delimiter: nil, prefix: "small-4k/", rounds: 1, expected: options.count)
        case "delete-batch":
            return try await deleteBatches(name)
        default:
            // put-4k, get-64k, head-0, delete-4k …
            let pieces = name.split(separator: "-")
            guard pieces.count == 2, let size = Self.sizes[String(pieces[1])] else { throw BenchError(description: "unknown workload \(name)") }
            return try await small(name, operation: String(pieces[0]), size: size, label: String(pieces[1]))
        }
    }

    static let sizes = ["0": 0, "4k": 4 << 10, "64k": 64 << 10]

    private func small(_ name: String, operation: String, size: Int, label: String) async throws -> [String: Any] {
        let count = options.count
        let plainKey: @Sendable (Int) -> String = { index in "small-\(label)/\(index)" }
        // Multiplying by a prime that does not divide the count permutes 0..<count: every key
        // once, in an order with no locality.
        let randomOrder = options.randomOrder && operation != "put" && operation != "delete"
        let permuted: @Sendable (Int) -> String = { index in
            let position = (UInt64(index) &* 2_654_435_761) % UInt64(count)
            return plainKey(Int(position))
        }
        let key = randomOrder ? permuted : plainKey
        let bucket = self.bucket
        switch operation {
        case "put":
            return try await timedRequests(name, operations: count, bytes: Int64(count * size)) { index in
                S3RequestSpec(method: .PUT, bucket: bucket, key: key(index), body: .bytes(PayloadBlock.bytes(size, variant: UInt64(index + 1))))
            } check: { response in
                try Self.expect(200, response)
            }
        case "get":
            return try await timedRequests(name, operations: count, bytes: Int64(count * size)) { index in
                S3RequestSpec(method: .GET, bucket: bucket, key: key(index))
            } check: { response in
                try Self.expect(200, response)
                guard response.bodyByteCount == size else { throw BenchError(description: "GET returned \(response.bodyByteCount) bytes") }
            }
        case "head":
            return try await timedRequests(name, operations: count, bytes: 0) { index in
                S3RequestSpec(method: .HEAD, bucket: bucket, key: key(index))
            } check: { response in
                try Self.expect(200, response)
            }
        case "delete":
            return try await timedRequests(name, operations: count, bytes: 0) { index in
                S3RequestSpec(method: .DELETE, bucket: bucket, key: key(index))
            } check: { response in
                try Self.expect(204, response)
            }
        default:
            throw BenchError(description: "unknown operation \(operation)")
        }
    }

    private func listing(
        _ name: String, delimiter: String?, prefix: String = "list/", rounds: Int = 10, expected: Int? = nil
    ) async throws -> [String: Any] {
        let connection = try await S3Connection.connect(target, group: group)
        defer { Task { await connection.close() } }
        var latencies = [Double]()
        var seen = 0
        let started = ContinuousClock.now
        // Ten full listings, page by page, as a sync tool would walk the bucket.
        for _ in 0..<rounds {
            var token: String?
            repeat {
                var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", "1000")]
                if let delimiter { query.append(("delimiter", delimiter)) }
                if let token { query.append(("continuation-token", token)) }
                let begin = ContinuousClock.now
                let response = try await expect(200, connection.send(.GET, bucket: bucket, query: query, keepBody: true))
                latencies.append(Self.milliseconds(ContinuousClock.now - begin))
                // Byte searches, not Foundation string splitting: parsing a 1000-key page with
                // `components(separatedBy:)` cost the client more than the fastest server's answer.
                seen += Self.occurrences(of: "<Key>", in: response.body) + Self.occurrences(of: "<CommonPrefixes>", in: response.body)
                token = Self.element("NextContinuationToken", in: response.body)
            } while token != nil
        }
        let expected = (expected ?? (delimiter == nil ? options.listKeys : 100)) * rounds
        guard seen == expected else { throw BenchError(description: "listed \(seen) entries, expected \(expected)") }
        return summary(name, operations: rounds, bytes: 0, seconds: Self.seconds(ContinuousClock.now - started), latencies: latencies)
    }

    private func deleteBatches(_ name: String) async throws -> [String: Any] {
        let connection = try await S3Connection.connect(target, group: group)
        defer { Task { await connection.close() } }
        var latencies = [Double]()
        let started = ContinuousClock.now
        var index = 0
        while index < options.listKeys {
            let batch = (index..<min(options.listKeys, index + 1000)).map { String(format: "list/d%03d/k%06d", $0 % 100, $0) }
            var xml = "<Delete><Quiet>true</Quiet>"
            for key in batch { xml += "<Object><Key>\(key)</Key></Object>" }
            xml += "</Delete>"
            let body = Array(xml.utf8)
            let md5 = Data(Insecure.MD5.hash(data: body)).base64EncodedString()
            let begin = ContinuousClock.now
            let response = try await expect(
                200,
                connection.send(
                    .POST, bucket: bucket, query: [("delete", "")], headers: [("Content-MD5", md5), ("Content-Type", "application/xml")],
                    body: .bytes(body), keepBody: true
                ))
            latencies.append(Self.milliseconds(ContinuousClock.now - begin))
            guard !String(decoding: response.body, as: UTF8.self).contains("<Error>") else {
                throw BenchError(description: "DeleteObjects reported errors")
            }
            index += batch.count
        }
        return summary(name, operations: options.listKeys, bytes: 0, seconds: Self.seconds(ContinuousClock.now - started), latencies: latencies)
    }

    private func multipartPut(_ name: String, byteCount: Int64, partByteCount: Int64, inFlight: Int) async throws -> [String: Any] {
        let control = try await S3Connection.connect(target, group: group)
        let started = ContinuousClock.now
        let created = try await expect(200, control.send(.POST, bucket: bucket, key: "large-multipart", query: [("uploads", "")], keepBody: true))
        guard let uploadID = Self.element("UploadId", in: created.body) else { throw BenchError(description: "no UploadId") }
        let partCount = Int((byteCount + partByteCount - 1) / partByteCount)
        let workers = min(inFlight, partCount)
        var connections = [S3Connection]()
        for _ in 0..<workers { connections.append(try await S3Connection.connect(target, group: group)) }
        // Worker w uploads parts w+1, w+1+workers, …: `inFlight` parts are always in the air.
        let etags = try await withThrowingTaskGroup(of: [(Int, String)].self) { tasks in
            for (worker, connection) in connections.enumerated() {
                tasks.addTask {
                    var done = [(Int, String)]()
                    var number = worker + 1
                    while number <= partCount {
                        let length = min(partByteCount, byteCount - Int64(number - 1) * partByteCount)
                        let response = try await expect(
                            200,
                            connection.send(
                                .PUT, bucket: bucket, key: "large-multipart", query: [("partNumber", String(number)), ("uploadId", uploadID)],
                                body: .generated(byteCount: length, variant: UInt64(1000 + number))
                            ))
                        done.append((number, response.header("etag") ?? ""))
                        number += workers
                    }
                    return done
                }
            }
            var all = [Int: String]()
            for try await done in tasks { for (number, etag) in done { all[number] = etag } }
            return all
        }
        for connection in connections { await connection.close() }
        var xml = "<CompleteMultipartUpload>"
        for number in 1...partCount { xml += "<Part><PartNumber>\(number)</PartNumber><ETag>\(etags[number] ?? "")</ETag></Part>" }
        xml += "</CompleteMultipartUpload>"
        let completed = try await expect(
            200,
            control.send(
                .POST, bucket: bucket, key: "large-multipart", query: [("uploadId", uploadID)], body: .bytes(Array(xml.utf8)), keepBody: true))
        guard !String(decoding: completed.body, as: UTF8.self).contains("<Error>") else { throw BenchError(description: "complete failed") }
        await control.close()
        return summary(name, operations: 1, bytes: byteCount, seconds: Self.seconds(ContinuousClock.now - started), latencies: [])
    }

    /// Runs `operation` for indexes 0..<operations on `concurrency` connections, timing each call.
    private func timed(
        _ name: String, operations: Int, bytes: Int64, concurrency: Int? = nil,
        _ operation: @escaping @Sendable (S3Connection, Int) async throws -> Void
    ) async throws -> [String: Any] {
        let workers = min(concurrency ?? options.concurrency, max(1, operations))
        var connections = [S3Connection]()
        for _ in 0..<workers { connections.append(try await S3Connection.connect(target, group: group)) }
        let started = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { tasks in
            for (worker, connection) in connections.enumerated() {
                tasks.addTask {
                    var own = [Double]()
                    var index = worker
                    while index < operations {
                        let begin = ContinuousClock.now
                        try await operation(connection, index)
                        own.append(Self.milliseconds(ContinuousClock.now - begin))
                        index += workers
                    }
                    return own
                }
            }
            var all = [Double]()
            for try await own in tasks { all += own }
            return all
        }
        let seconds = Self.seconds(ContinuousClock.now - started)
        for connection in connections { await connection.close() }
        return summary(name, operations: operations, bytes: bytes, seconds: seconds, latencies: latencies)
    }

    /// Like `timed`, for requests with in-memory bodies: each connection drives its own requests
    /// from its event loop (build, send, check, next), so the load generator spends no thread hops
    /// or task switches per request and two cores go to the servers, not to the client.
    private func timedRequests(
        _ name: String, operations: Int, bytes: Int64,
        _ request: @escaping @Sendable (Int) -> S3RequestSpec, check: @escaping @Sendable (S3Response) throws -> Void
    ) async throws -> [String: Any] {
        let workers = min(options.concurrency, max(1, operations))
        var connections = [S3Connection]()
        for _ in 0..<workers { connections.append(try await S3Connection.connect(target, group: group)) }
        let started = ContinuousClock.now
        let futures = connections.enumerated().map { worker, connection in
            LoopWorker(connection: connection, first: worker, stride: workers, end: operations, request: request, check: check).run()
        }
        let latencies = try await EventLoopFuture.whenAllSucceed(futures, on: group.next()).get().flatMap { $0 }
        let seconds = Self.seconds(ContinuousClock.now - started)
        for connection in connections { await connection.close() }
        return summary(name, operations: operations, bytes: bytes, seconds: seconds, latencies: latencies)
    }

    private func summary(_ name: String, operations: Int, bytes: Int64, seconds: Double, latencies: [Double]) -> [String: Any] {
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return [
            "workload": name, "operations": operations, "bytes": bytes, "seconds": seconds,
            "ops_per_second": Double(operations) / seconds, "mib_per_second": Double(bytes) / seconds / 1_048_576,
            "p50_ms": percentile(0.50), "p99_ms": percentile(0.99),
        ]
    }

    @discardableResult
    private func expect(_ status: Int, _ response: S3Response) throws -> S3Response {
        try Self.expect(status, response)
    }

    @discardableResult
    static func expect(_ status: Int, _ response: S3Response) throws -> S3Response {
        guard response.status == status else {
            throw BenchError(description: "expected \(status), got \(response.status): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
        }
        return response
    }

    static func occurrences(of needle: String, in body: [UInt8]) -> Int {
        let pattern = Array(needle.utf8)
        var count = 0
        var from = 0
        while let found = find(pattern, in: body, from: from) {
            count += 1
            from = found + pattern.count
        }
        return count
    }

    static func element(_ name: String, in body: [UInt8]) -> String? {
        guard let open = find(Array("<\(name)>".utf8), in: body, from: 0) else { return nil }
        let start = open + name.utf8.count + 2
        guard let end = find(Array("</\(name)>".utf8), in: body, from: start) else { return nil }
        return String(decoding: body[start..<end], as: UTF8.self)
    }

    static func find(_ needle: [UInt8], in body: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, body.count >= needle.count else { return nil }
        var index = from
        let last = body.count - needle.count
        while index <= last {
            if body[index] == first && body[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func milliseconds(_ duration: Duration) -> Double { seconds(duration) * 1000 }
}

/// One connection's share of a `timedRequests` run, driven on the connection's event loop: the
/// next request is built and sent from the callback of the previous response.
final class LoopWorker: @unchecked Sendable {
    // @unchecked: after `run`, every member is touched on the connection's event loop only.
    private let connection: S3Connection
    private let stride: Int
    private let end: Int
    private let request: @Sendable (Int) -> S3RequestSpec
    private let check: @Sendable (S3Response) throws -> Void
    private let promise: EventLoopPromise<[Double]>
    private var index: Int
    private var latencies = [Double]()

    init(
        connection: S3Connection, first: Int, stride: Int, end: Int,
        request: @escaping @Sendable (Int) -> S3RequestSpec, check: @escaping @Sendable (S3Response) throws -> Void
    ) {
        self.connection = connection
        self.index = first
        self.stride = stride
        self.end = end
        self.request = request
        self.check = check
        self.promise = connection.eventLoop.makePromise()
        latencies.reserveCapacity(end / max(1, stride) + 1)
    }

    /// Starts the worker; the future holds each request's latency in milliseconds.
    func run() -> EventLoopFuture<[Double]> {
        connection.eventLoop.execute { self.next() }
        return promise.futureResult
    }

    private func next() {
        guard index < end else { return promise.succeed(latencies) }
        let begin = NIODeadline.now()
        connection.start(request(index)).whenComplete { result in
            do {
                try self.check(result.get())
            } catch {
                return self.promise.fail(error)
            }
            self.latencies.append(Double((NIODeadline.now() - begin).nanoseconds) / 1e6)
            self.index += self.stride
            self.next()
        }
    }
}
