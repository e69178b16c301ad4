import BlobStore
import Crypto
import HTTPTypes
import Hummingbird
import Index
import NIOCore
import SporeJSON

@testable import Access
@testable import HTTPSupport
@testable import Objects
@testable import S3API

/// A request head as text, the way the fuzz targets of the S3 face take their input: a request line
/// (`METHOD TARGET`), `Name: value` header lines (`Host` becomes the authority, as HTTP/1.1 gives it),
/// then after a blank line the body. Lines end with `\n` or `\r\n`. Header names that are not HTTP
/// tokens are dropped and values are legalized, as the HTTP decoder would; an unknown method is GET.
struct RequestHead {
    var method: HTTPRequest.Method = .get
    var target = "/"
    var host = "s3.test"
    var headers = HTTPFields()
    var body: [UInt8] = []

    init(_ bytes: [UInt8]) {
        var lines = [ArraySlice<UInt8>]()
        var start = 0
        var bodyStart = bytes.count
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                var line = bytes[start..<index]
                if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                start = index + 1
                if line.isEmpty && !lines.isEmpty {
                    bodyStart = start
                    break
                }
                lines.append(line)
            }
            index += 1
        }
        if bodyStart == bytes.count, start < bytes.count { lines.append(bytes[start...]) }
        body = Array(bytes[bodyStart...])
        guard let requestLine = lines.first else { return }
        let words = requestLine.split(separator: UInt8(ascii: " "), maxSplits: 1, omittingEmptySubsequences: false)
        method = HTTPRequest.Method(String(decoding: words[0], as: UTF8.self)) ?? .get
        if words.count > 1 {
            var text = String(decoding: words[1], as: UTF8.self)
            if let version = text.firstRange(of: " HTTP/") { text = String(text[..<version.lowerBound]) }
            target = text
        }
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = String(decoding: line[..<colon], as: UTF8.self).trimmingSpaces()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces()
            if name.lowercased() == "host" {
                host = value
                continue
            }
            guard let fieldName = HTTPField.Name(name) else { continue }
            headers.append(HTTPField(name: fieldName, value: value))
        }
    }

    /// Parses the head as the S3 face does: virtual hosts under `s3.test`, the `/s3` mount.
    func s3Request() -> S3Request? {
        try? S3Request(method: method, path: target, host: host, headers: headers, domain: "s3.test", pathPrefix: "/s3")
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(Substring(self).trimmingSpaces())
    }
}

/// The fixed world the S3 targets run in: two keys and a clock at 2026-01-01T00:00:00Z, the date
/// the seeds are signed for.
enum S3World {
    static let secret = "fuzz-secret-key"
    static let credentials = StaticCredentialStore([
        Credential(accessKey: "AKIAFUZZ", secretKey: secret, user: "fuzz", isRoot: false),
        Credential(accessKey: "ROOTFUZZ", secretKey: secret, user: "root", isRoot: true),
    ])
    static let nowMilliseconds: Int64 = 1_767_225_600_000
    static let authenticator = Authenticator(credentials: credentials, clock: ManualWallClock(milliseconds: nowMilliseconds))
}

enum S3Targets {
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "s3-request", maxLength: 4096, run: s3Request),
        FuzzTarget(name: "sigv4", maxLength: 4096, run: signatures),
        FuzzTarget(name: "aws-chunked", maxLength: 8192, run: awsChunked),
        FuzzTarget(name: "xml", maxLength: 8192, run: xml),
        FuzzTarget(name: "lifecycle-xml", maxLength: 8192, run: lifecycleXML),
        FuzzTarget(name: "cors-xml", maxLength: 8192, run: corsXML),
        FuzzTarget(name: "bucket-policy", maxLength: 20 * 1024 + 16, run: bucketPolicy),
        FuzzTarget(name: "post-policy", maxLength: 8192, run: postPolicy),
        FuzzTarget(name: "multipart-form", maxLength: 8192, run: multipartForm),
    ]

    /// The request router and everything read from the request line and headers before a handler
    /// runs: path and query decoding, the operation, the key, the claimed access key, checksum,
    /// range, tagging, copy-source and date headers, ids in the query, and authentication.
    static func s3Request(_ bytes: [UInt8]) {
        let head = RequestHead(bytes)
        guard let request = head.s3Request() else { return }
        let operation = S3Operation.resolve(request)
        _ = operation.action(request)
        _ = try? request.objectKey()
        _ = request.resource
        _ = request.signingPaths
        _ = Authenticator.claimedAccessKey(request)
        _ = try? ChecksumHeaders.parse(request)
        if let contentType = request.headers[.contentType] { _ = MultipartFormReader.boundary(contentType) }
        for size: Int64 in [0, 1, 1000, Int64.max] {
            _ = try? ByteRange.parse(request.headers[.range], size: size)
            _ = try? S3Service.copyRange(request.header("x-amz-copy-source-range"), size: size)
        }
        if let tagging = request.header("x-amz-tagging") { _ = try? TagSet.parseHeader(tagging) }
        if let source = request.header("x-amz-copy-source") { _ = try? CopySource(header: source) }
        for algorithm in [nil] + ChecksumAlgorithm.allCases.map(Optional.some) {
            _ = try? S3Service.checksumType(request.header("x-amz-checksum-type"), algorithm: algorithm)
        }
        for name in ["date", "x-amz-date", "if-modified-since", "if-unmodified-since", "x-amz-copy-source-if-modified-since", "expires"] {
            guard let value = request.header(name) else { continue }
            _ = Timestamp.parseHTTPDate(value)
            _ = Timestamp.parseAmzDate(value)
            _ = Timestamp.parseISO8601(value)
        }
        for name in ["versionId", "uploadId", "partNumber", "max-keys", "continuation-token"] {
            guard let value = request.queryValue(name) else { continue }
            _ = VersionID(parsing: value)
            _ = UploadID(parsing: value)
            _ = Base64.decode(value)
            _ = try? S3Service.boundedInteger(request, name, defaultValue: 1000, maximum: 1000)
        }
        _ = try? S3Service.encodingType(request)
        do {
            let authentication = try S3World.authenticator.authenticate(request)
            fuzzNote("\(operation): \(authentication.principal), payload \(authentication.payload)")
        } catch {
            fuzzNote("\(operation): \(error)")
        }
    }

    /// SigV4 and SigV2: the canonical request, query, URI and header values, the string to sign,
    /// and the authenticator over them. A request whose signature is wrong only because of its
    /// value is signed again with the right one and authenticated again, so what follows the
    /// signature check (payload modes, then the aws-chunked body with its chained signatures) is
    /// reached too.
    static func signatures(_ bytes: [UInt8]) {
        let head = RequestHead(bytes)
        guard let request = head.s3Request() else { return }
        for path in request.signingPaths { _ = SigV4.canonicalURI(decodedPath: path) }
        let query = SigV4.canonicalQuery(request.query, excluding: "X-Amz-Signature")
        var canonicalHeaders = [(name: String, value: String)]()
        for field in request.headers { canonicalHeaders.append((field.name.canonicalName, SigV4.canonicalHeaderValue(field.value))) }
        let canonical = SigV4.canonicalRequest(
            method: request.method.rawValue, canonicalURI: SigV4.canonicalURI(decodedPath: request.decodedPath), canonicalQuery: query,
            headers: canonicalHeaders, signedHeaders: canonicalHeaders.map(\.name).joined(separator: ";"),
            payloadHash: request.header("x-amz-content-sha256") ?? SigV4.unsignedPayload)
        _ = SigV4.stringToSign(amzDate: "20260101T000000Z", scope: "20260101/us-east-1/s3/aws4_request", canonicalRequest: canonical)
        _ = SigV2.stringToSign(request: request, dateOrExpires: request.headers[.date] ?? "")
        _ = SigV2.canonicalResource(request, encodedPath: request.rawPath)

        let authentication: Authentication
        do {
            authentication = try S3World.authenticator.authenticate(request)
            fuzzNote("signed: \(authentication.principal)")
        } catch let error as S3Error where error.code == "SignatureDoesNotMatch" {
            guard let resigned = resign(head, error: error), let request = resigned.s3Request() else { return }
            do {
                authentication = try S3World.authenticator.authenticate(request)
                fuzzNote("signed again: \(authentication.principal)")
            } catch {
                fuzzNote("signed again, still refused: \(error)")
                return
            }
        } catch {
            fuzzNote("refused: \(error)")
            return
        }
        switch authentication.payload {
        case .signedChunks(let seed, let key, let amzDate, let scope, let trailer):
            let signer = AWSChunkedDecoder.Signer(key: key, amzDate: amzDate, scope: scope, seedSignature: seed)
            decodeChunked(head.body, signer: signer, expectsTrailer: trailer, pieces: [head.body.count / 2])
        case .unsignedChunks(let trailer):
            decodeChunked(head.body, signer: nil, expectsTrailer: trailer, pieces: [head.body.count / 2])
        case .sha256, .unsigned:
            break
        }
    }

    /// The head with the signature the authenticator computed in place of the one sent.
    private static func resign(_ head: RequestHead, error: S3Error) -> RequestHead? {
        let fields = Dictionary(error.fields, uniquingKeysWith: { first, _ in first })
        guard let stringToSign = fields["StringToSign"] else { return nil }
        var head = head
        let lines = stringToSign.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.first == Substring(SigV4.algorithm), lines.count == 4 {
            let scope = lines[2].split(separator: "/", omittingEmptySubsequences: false)
            guard scope.count == 4 else { return nil }
            let key = SigV4.signingKey(secret: S3World.secret, date: String(scope[0]), region: String(scope[1]), service: "s3")
            let signature = SigV4.signature(key: key, stringToSign: stringToSign)
            if let authorization = head.headers[.authorization] {
                let parts = authorization.split(separator: ",", omittingEmptySubsequences: false).map { part in
                    let trimmed = part.drop { $0 == " " }
                    return trimmed.hasPrefix("Signature=") ? part.prefix { $0 == " " } + "Signature=" + signature : String(part)
                }
                head.headers[.authorization] = parts.joined(separator: ",")
            } else {
                head.target = replacingQueryValue(head.target, name: "X-Amz-Signature", with: signature)
            }
        } else {
            let signature = SigV2.signature(secret: S3World.secret, stringToSign: stringToSign)
            if let authorization = head.headers[.authorization], let colon = authorization.lastIndex(of: ":") {
                head.headers[.authorization] = authorization[...colon] + signature
            } else {
                head.target = replacingQueryValue(head.target, name: "Signature", with: PercentEncoding.encode(signature))
            }
        }
        return head
    }

    private static func replacingQueryValue(_ target: String, name: String, with value: String) -> String {
        guard let mark = target.firstIndex(of: "?") else { return target }
        let items = target[target.index(after: mark)...].split(separator: "&", omittingEmptySubsequences: false).map { item in
            let itemName = item.prefix { $0 != "=" }
            return PercentEncoding.decodeString(itemName, plusIsSpace: true) == name ? itemName + "=" + value : String(item)
        }
        return target[...mark] + items.joined(separator: "&")
    }

    /// The aws-chunked decoder, unsigned and signed (with the trailer or without), over the body
    /// cut into pieces the input chooses: it must give payload bytes or an error, never more
    /// payload than it was given.
    static func awsChunked(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let mode = input.byte()
        let cuts = [Int(input.byte()), Int(input.byte())]
        let body = input.rest()
        let signer =
            mode & 1 == 0
            ? nil
            : AWSChunkedDecoder.Signer(
                key: SymmetricKey(data: [UInt8](repeating: 7, count: 32)), amzDate: "20260101T000000Z",
                scope: "20260101/us-east-1/s3/aws4_request", seedSignature: String(repeating: "0", count: 64))
        decodeChunked(body, signer: signer, expectsTrailer: mode & 2 != 0, pieces: cuts)
    }

    private static func decodeChunked(_ body: [UInt8], signer: AWSChunkedDecoder.Signer?, expectsTrailer: Bool, pieces cuts: [Int]) {
        var decoder = AWSChunkedDecoder(signer: signer, expectsTrailer: expectsTrailer)
        var produced = 0
        do {
            for piece in body.pieces(cuts) {
                for payload in try decoder.decode(ByteBuffer(bytes: piece)) { produced += payload.readableBytes }
            }
            // What a call that throws had decoded is dropped with the request, so the count holds only
            // while every call returned.
            fuzzCheck(decoder.decodedByteCount == Int64(produced), "decodedByteCount \(decoder.decodedByteCount) but \(produced) produced")
            try decoder.finish()
            for name in ["x-amz-checksum-crc32", "x-amz-checksum-sha256", "x-amz-trailer-signature"] { _ = decoder.trailer(name) }
            fuzzNote("aws-chunked: \(produced) payload bytes, trailers \(decoder.trailers)")
        } catch {
            fuzzNote("aws-chunked: \(error) after \(produced) payload bytes")
        }
        fuzzCheck(produced <= body.count, "the aws-chunked decoder produced \(produced) bytes from \(body.count)")
    }

    /// The XML reader under every S3 request body: the document, its serialization read back, and
    /// the tag-set document.
    static func xml(_ bytes: [UInt8]) {
        if let root = try? XMLReader.parse(bytes) {
            fuzzNote("xml: <\(root.name)> with \(root.children.count) children")
            walk(root, depth: 0)
            let text = root.serialized()
            fuzzCheck((try? XMLReader.parse(Array(text.utf8))) != nil, "a parsed document serialized to XML that does not parse: \(text)")
        }
        _ = try? TagSet.parse(bytes, countMax: Limits.objectTagCountMax)
    }

    private static func walk(_ element: XMLElement, depth: Int) {
        _ = element.value("Key")
        _ = element.children("Object")
        for child in element.children { walk(child, depth: depth + 1) }
    }

    /// The lifecycle configuration document, and the rules rendered back and read again.
    static func lifecycleXML(_ bytes: [UInt8]) {
        let rules: [LifecycleRule]
        do {
            rules = try LifecycleDocument.parse(bytes)
        } catch {
            return fuzzNote("lifecycle: \(error)")
        }
        fuzzNote("lifecycle: \(rules.count) rules")
        let rendered = LifecycleDocument.render(rules).bytes
        fuzzCheck(
            (try? LifecycleDocument.parse(rendered)) != nil,
            "lifecycle rules rendered to a document that does not parse: \(String(decoding: rendered, as: UTF8.self))")
    }

    /// The CORS configuration document and the preflight matching over it.
    static func corsXML(_ bytes: [UInt8]) {
        let configuration: CORSConfiguration
        do {
            configuration = try CORSConfiguration.parse(bytes)
        } catch {
            return fuzzNote("cors: \(error)")
        }
        fuzzNote("cors: \(configuration.rules.count) rules")
        for origin in ["https://a.example", "http://x", "", "*", "https://sub.a.example:8443"] {
            for method in ["GET", "PUT", "DELETE", "OPTIONS"] {
                _ = configuration.match(origin: origin, method: method, requestHeaders: ["content-type", "x-amz-date", "*"])
            }
        }
    }

    /// A bucket policy: parsed for bucket `b`, then evaluated for a few requests (wildcards,
    /// conditions, principals) and checked for public access.
    static func bucketPolicy(_ bytes: [UInt8]) {
        _ = PolicyJSON.parse(bytes)
        let policy: BucketPolicy
        do {
            policy = try BucketPolicy(json: bytes, bucket: "b")
        } catch {
            return fuzzNote("bucket policy: \(error)")
        }
        fuzzNote("bucket policy: \(policy.statements.count) statements")
        _ = policy.isPublic
        let contexts: [[String: String]] = [
            [:],
            ["aws:sourceip": "10.1.2.3", "s3:prefix": "a/b", "aws:securetransport": "true", "s3:max-keys": "10"],
            ["aws:sourceip": "::ffff:192.168.0.1", "s3:delimiter": "/", "aws:referer": "https://x", "s3:x-amz-acl": "public-read"],
        ]
        for (action, resource) in [
            ("s3:GetObject", "arn:aws:s3:::b/a/b.txt"), ("s3:ListBucket", "arn:aws:s3:::b"), ("s3:PutObject", "arn:aws:s3:::b/"),
        ] {
            for context in contexts {
                for user: String? in [nil, "fuzz"] {
                    let request = BucketPolicy.Request(
                        action: action, resource: resource, user: user, canonicalID: user.map { "id-\($0)" }, context: context)
                    _ = policy.evaluate(request)
                    _ = policy.evaluate(request, ignorePublic: true)
                }
            }
        }
    }

    /// A POST policy: the JSON document (and the base64 form the `policy` field carries), then the
    /// check of a form's fields against it.
    static func postPolicy(_ bytes: [UInt8]) {
        _ = try? PostPolicy.parse(base64: String(decoding: bytes, as: UTF8.self))
        let policy: PostPolicy
        do {
            policy = try PostPolicy.parse(json: bytes)
        } catch {
            return fuzzNote("post policy: \(error)")
        }
        fuzzNote("post policy: \(policy.conditions.count) conditions")
        _ = policy.contentLengthRange
        let forms: [[String: String]] = [
            ["bucket": "b", "key": "uploads/a.txt"],
            ["bucket": "b", "key": "k", "content-type": "image/png, text/plain", "x-amz-meta-a": "1", "success_action_status": "201"],
            ["bucket": "b", "key": "", "policy": "p", "x-ignore-me": "x", "acl": "public-read"],
        ]
        for fields in forms {
            for now: Int64 in [0, S3World.nowMilliseconds, Int64.max] { try? policy.check(fields: fields, nowMilliseconds: now) }
        }
    }

    /// A `multipart/form-data` body as the S3 POST handler reads it: the first line is the
    /// Content-Type (its boundary, or `XyZ`), the next two bytes are the lengths of the first two reads
    /// of the body, the rest is the body. Small fields are read whole, the file part streamed; the reader never produces more
    /// bytes than it read.
    static func multipartForm(_ bytes: [UInt8]) {
        let (typeLine, rest) = bytes.split(atFirst: UInt8(ascii: "\n")) ?? ([], bytes)
        let boundary = MultipartFormReader.boundary(String(decoding: typeLine, as: UTF8.self)) ?? "XyZ"
        guard !boundary.isEmpty else { return }
        var input = FuzzInput(rest)
        let cuts = [Int(input.byte()), Int(input.byte())]
        let body = input.rest()
        let pieces = body.pieces(cuts)
        runSynchronously {
            let reader = MultipartFormReader(body: RequestBody(asyncSequence: Pieces(pieces: pieces)), boundary: boundary)
            var produced = 0
            do {
                try await reader.start()
                var fields = 0
                while let part = try await reader.nextPart() {
                    fuzzNote("form part \(part.name)")
                    if part.name.lowercased() == "file" {
                        for try await chunk in FormFileBody(reader: reader) { produced += chunk.readableBytes }
                        fuzzNote("form file: \(produced) bytes in all")
                        break
                    }
                    guard fields < MultipartFormReader.fieldCountMax else { break }
                    fields += 1
                    produced += try await reader.readField().count
                    try await reader.endPart()
                }
            } catch {
                fuzzNote("form: \(error)")
            }
            fuzzCheck(produced <= body.count, "the form reader produced \(produced) bytes from \(body.count)")
        }
    }
}

/// A request body delivered in the given pieces, without suspending.
struct Pieces: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let pieces: [[UInt8]]

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<[UInt8]>
        mutating func next() async -> ByteBuffer? {
            remaining.popFirst().map { ByteBuffer(bytes: $0) }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: pieces[...]) }
}
