import Access
import BlobStore
import Crypto
import HTTPSupport
import HTTPTypes
import Index
import Objects
import Synchronization

/// How the body of an authenticated request must be checked as it is read.
public enum PayloadCheck: Sendable, Equatable {
    /// `UNSIGNED-PAYLOAD`, SigV2, or a request without a body to check.
    case unsigned
    /// `x-amz-content-sha256` names the SHA-256 of the body (lowercase hex).
    case sha256(String)
    /// `aws-chunked` with a signature on every chunk (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD…`).
    case signedChunks(seedSignature: String, signingKey: SymmetricKey, amzDate: String, scope: String, trailer: Bool)
    /// `aws-chunked` without chunk signatures (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`).
    case unsignedChunks(trailer: Bool)

    public static func == (lhs: PayloadCheck, rhs: PayloadCheck) -> Bool {
        switch (lhs, rhs) {
        case (.unsigned, .unsigned): return true
        case (.sha256(let a), .sha256(let b)): return a == b
        case (.signedChunks(let a, _, _, _, let x), .signedChunks(let b, _, _, _, let y)): return a == b && x == y
        case (.unsignedChunks(let x), .unsignedChunks(let y)): return x == y
        default: return false
        }
    }
}

/// The outcome of authentication, and what the request wants to do.
public struct Authentication: Sendable {
    public let principal: Principal
    public let payload: PayloadCheck
    /// The S3 action (`s3:GetObject` …) the request needs; set when the operation is known.
    public var action = ""
    /// The client's address, for `aws:SourceIp` conditions.
    public var sourceIP: String?
    /// Whether the request came over TLS (`aws:SecureTransport`).
    public var secureTransport = false

    public init(principal: Principal, payload: PayloadCheck) {
        self.principal = principal
        self.payload = payload
    }
}

/// Verifies S3 request signatures.
public final class Authenticator: Sendable {
    /// How far the request time may be from the server's (AWS: 15 minutes).
    /// Cached signing keys before the cache is cleared (one per key, day and region).
    static let signingKeyCacheCountMax = 1024

    let credentials: any CredentialStore
    let clock: any WallClock
    private let signingKeys = Mutex<[String: SigningKey]>([:])

    /// A signing key, and an HMAC already keyed with it: copying the keyed state saves the key
    /// set-up (two SHA-256 blocks and the pads) on every request signed with the same key.
    struct SigningKey: Sendable {
        let key: SymmetricKey
        let keyedMAC: HMAC<SHA256>
    }

    public init(credentials: any CredentialStore, clock: any WallClock) {
        self.credentials = credentials
        self.clock = clock
    }

    /// The access key a request says it is signed with, before anything is verified (what the
    /// failure throttle counts); nil for anonymous requests.
    public static func claimedAccessKey(_ request: S3Request) -> String? {
        let claimed: Substring?
        if let authorization = request.headers.value(.authorization) {
            // Byte-wise: this runs before every signed request (a Character-wise split of the
            // header was 8 % of a small HEAD's CPU).
            if authorization.utf8.starts(with: Self.sigV4Prefix.utf8) {
                claimed = Self.credentialAccessKey(in: authorization)
            } else if authorization.utf8.starts(with: Self.sigV2Prefix.utf8) {
                let body = authorization.utf8.dropFirst(Self.sigV2Prefix.utf8.count)
                claimed = authorization[body.startIndex..<(body.firstIndex(of: UInt8(ascii: ":")) ?? body.endIndex)]
            } else {
                claimed = nil
            }
        } else if let credential = request.queryValue("X-Amz-Credential") {
            claimed = credential.prefix { $0 != "/" }
        } else {
            claimed = request.queryValue("AWSAccessKeyId").map { Substring($0) }
        }
        guard let claimed, !claimed.isEmpty else { return nil }
        return String(claimed.prefix(Self.claimedAccessKeyByteCountMax))
    }

    static let sigV4Prefix = SigV4.algorithm + " "
    static let sigV2Prefix = "AWS "

    /// The key of the first space-separated field starting `Credential=`, up to `/`, `,` or a
    /// space: what a split on spaces would find, without building the fields.
    static func credentialAccessKey(in authorization: String) -> Substring? {
        let bytes = authorization.utf8
        let marker = "Credential=".utf8
        var fieldStart = bytes.startIndex
        while fieldStart != bytes.endIndex {
            let field = bytes[fieldStart...]
            if field.starts(with: marker) {
                let start = bytes.index(fieldStart, offsetBy: marker.count)
                let end =
                    bytes[start...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: " ") } ?? bytes.endIndex
                return authorization[start..<end]
            }
            guard let space = field.firstIndex(of: UInt8(ascii: " ")) else { return nil }
            fieldStart = bytes.index(after: space)
        }
        return nil
    }

    static let claimedAccessKeyByteCountMax = 128

    /// Authenticates a request, or throws the S3 error AWS would answer with.
    public func authenticate(_ request: S3Request) throws -> Authentication {
        if let authorization = request.headers.value(.authorization) {
            if authorization.utf8.starts(with: Self.sigV4Prefix.utf8) {
                return try verifyHeaderV4(request, authorization: authorization)
            }
            if authorization.utf8.starts(with: Self.sigV2Prefix.utf8) {
                return try verifyHeaderV2(request, authorization: authorization)
            }
            throw S3Error.invalidArgument("Unsupported Authorization Type", name: "Authorization", value: authorization)
        }
        if request.queryValue("X-Amz-Algorithm") != nil || request.queryValue("X-Amz-Signature") != nil {
            return try verifyQueryV4(request)
        }
        if request.queryValue("Signature") != nil || request.queryValue("AWSAccessKeyId") != nil {
            return try verifyQueryV2(request)
        }
        return Authentication(principal: .anonymous, payload: .unsigned)
    }

    // MARK: SigV4, Authorization header

    private struct HeaderFields {
        var accessKey: String
        var date: String
        var region: String
        var service: String
        var signedHeaders: [String]
        var signature: String
    }

    private func parseAuthorizationV4(_ authorization: String) throws -> HeaderFields {
        var text = authorization
        // Over the raw bytes: this runs for every signed request, and the Substring-based
        // version (split, trim, a String per part) was 3–4 % of a small HEAD's CPU.
        let found = text.withUTF8 { Self.authorizationFieldsV4($0, skipping: SigV4.algorithm.utf8.count + 1) }
        guard let credential = found.credential, let signedHeaders = found.signedHeaders, let signature = found.signature else {
            throw S3Error.authorizationHeaderMalformed(
                "The authorization header is malformed; it must contain Credential, SignedHeaders and Signature.")
        }
        guard credential.count == 5, credential[4] == "aws4_request" else {
            throw S3Error.authorizationHeaderMalformed(
                "The authorization header is malformed; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."
            )
        }
        return HeaderFields(
            accessKey: credential[0], date: credential[1], region: credential[2], service: credential[3], signedHeaders: signedHeaders,
            signature: signature)
    }

    /// The `Credential` (split on `/`, empty parts kept), `SignedHeaders` (split on `;`, empty
    /// parts dropped) and `Signature` of an `AWS4-HMAC-SHA256` header, from its comma-separated
    /// `name=value` parts (spaces and tabs around a part ignored; a later part wins).
    static func authorizationFieldsV4(
        _ bytes: UnsafeBufferPointer<UInt8>, skipping prefixByteCount: Int
    ) -> (credential: [String]?, signedHeaders: [String]?, signature: String?) {
        var credential: [String]?
        var signedHeaders: [String]?
        var signature: String?
        var partStart = min(prefixByteCount, bytes.count)
        while partStart < bytes.count {
            var partEnd = partStart
            while partEnd < bytes.count, bytes[partEnd] != UInt8(ascii: ",") { partEnd += 1 }
            defer { partStart = partEnd + 1 }
            var start = partStart
            var end = partEnd
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while start < end, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            guard let equals = (start..<end).first(where: { bytes[$0] == UInt8(ascii: "=") }) else { continue }
            let name = UnsafeBufferPointer(rebasing: bytes[start..<equals])
            let value = UnsafeBufferPointer(rebasing: bytes[(equals + 1)..<end])
            if name.elementsEqual("Credential".utf8) {
                credential = split(value, on: UInt8(ascii: "/"), omittingEmpty: false)
            } else if name.elementsEqual("SignedHeaders".utf8) {
                signedHeaders = split(value, on: UInt8(ascii: ";"), omittingEmpty: true)
            } else if name.elementsEqual("Signature".utf8) {
                signature = String(decoding: value, as: UTF8.self)
            }
        }
        return (credential, signedHeaders, signature)
    }

    private static func split(_ bytes: UnsafeBufferPointer<UInt8>, on separator: UInt8, omittingEmpty: Bool) -> [String] {
        var pieces = [String]()
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == separator {
            if !omittingEmpty || index > start { pieces.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)) }
            start = index + 1
        }
        return pieces
    }

    private func verifyHeaderV4(_ request: S3Request, authorization: String) throws -> Authentication {
        let fields = try parseAuthorizationV4(authorization)
        guard let credential = credentials.credential(forAccessKey: fields.accessKey) else { throw S3Error.invalidAccessKeyID() }
        let amzDate: String
        let requestMilliseconds: Int64
        if let (value, parsed) = request.headers[values: Self.amzDateField].lazy.compactMap({ value in
            (Timestamp.parseAmzDate(value) ?? Timestamp.parseHTTPDate(value)).map { (value, $0) }
        }).first {
            // botocore sends the ISO basic form; a client may add an RFC 1123 x-amz-date beside it.
            amzDate = Timestamp.parseAmzDate(value) != nil ? value : Timestamp.amzDate(milliseconds: parsed)
            requestMilliseconds = parsed
        } else if let value = request.headers.value(.date), let parsed = Timestamp.parseHTTPDate(value) {
            amzDate = Timestamp.amzDate(milliseconds: parsed)
            requestMilliseconds = parsed
        } else {
            throw S3Error.accessDenied("AWS authentication requires a valid Date or x-amz-date header")
        }
        try checkSkew(requestMilliseconds)
        guard fields.service == "s3" else {
            throw S3Error.authorizationHeaderMalformed(
                "The authorization header is malformed; incorrect service \"\(fields.service)\". This endpoint belongs to \"s3\".")
        }
        guard amzDate.hasPrefix(fields.date) else {
            throw S3Error.authorizationHeaderMalformed(
                "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.")
        }
        guard fields.signedHeaders.contains("host") else { throw S3Error.signatureDoesNotMatch() }
        guard let payloadHash = request.headers.value(Self.contentSHA256Field) else {
            throw S3Error.invalidRequest("Missing required header for this request: x-amz-content-sha256")
        }
        let scope = "\(fields.date)/\(fields.region)/\(fields.service)/aws4_request"
        let signing = signingState(credential, date: fields.date, region: fields.region)
        let key = signing.key
        try verifySignature(request, key: signing, provided: fields.signature, accessKey: credential.accessKey) { path in
            let canonical = SigV4.canonicalRequest(
                method: request.method.rawValue, canonicalURI: SigV4.canonicalURI(decodedPath: path),
                canonicalQuery: SigV4.canonicalQuery(request.query), headers: canonicalHeaders(request, fields.signedHeaders),
                signedHeaders: fields.signedHeaders.joined(separator: ";"), payloadHash: payloadHash
            )
            return (canonical, SigV4.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonical))
        }
        let principal = credential.principal
        return Authentication(
            principal: principal,
            payload: try payloadCheck(payloadHash, seedSignature: fields.signature, key: key, amzDate: amzDate, scope: scope)
        )
    }

    private func payloadCheck(_ payloadHash: String, seedSignature: String, key: SymmetricKey, amzDate: String, scope: String) throws -> PayloadCheck
    {
        switch payloadHash {
        case SigV4.unsignedPayload:
            return .unsigned
        case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD":
            return .signedChunks(seedSignature: seedSignature, signingKey: key, amzDate: amzDate, scope: scope, trailer: false)
        case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER":
            return .signedChunks(seedSignature: seedSignature, signingKey: key, amzDate: amzDate, scope: scope, trailer: true)
        case "STREAMING-UNSIGNED-PAYLOAD-TRAILER":
            return .unsignedChunks(trailer: true)
        default:
            guard payloadHash.utf8.count == 64, Hex.decode(payloadHash) != nil else {
                throw S3Error.invalidArgument(
                    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-… or a valid sha256 value.", name: "x-amz-content-sha256",
                    value: payloadHash)
            }
            return .sha256(payloadHash.lowercased())
        }
    }

    // MARK: SigV4, presigned (query)

    /// Longest validity of a presigned URL (AWS: 7 days).

    private func verifyQueryV4(_ request: S3Request) throws -> Authentication {
        guard request.queryValue("X-Amz-Algorithm") == SigV4.algorithm else {
            throw S3Error.authorizationQueryParametersError("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
        }
        guard let credentialText = request.queryValue("X-Amz-Credential"), let amzDate = request.queryValue("X-Amz-Date"),
            let signedHeadersText = request.queryValue("X-Amz-SignedHeaders"), let signature = request.queryValue("X-Amz-Signature"),
            let expiresText = request.queryValue("X-Amz-Expires")
        else {
            throw S3Error.authorizationQueryParametersError(
                "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
            )
        }
        let scope = Substring(credentialText).splitting(onASCII: UInt8(ascii: "/"), omittingEmptySubsequences: false).map(String.init)
        guard scope.count == 5, scope[4] == "aws4_request" else {
            throw S3Error.authorizationQueryParametersError(
                "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."
            )
        }
        guard let expires = Int(expiresText) else {
            throw S3Error.authorizationQueryParametersError("X-Amz-Expires should be a number")
        }
        guard expires >= 0 else { throw S3Error.accessDenied("X-Amz-Expires must be non-negative") }
        guard expires <= Limits.presignExpirySecondsMax else {
            throw S3Error.accessDenied("X-Amz-Expires must be less than a week (in seconds) that is 604800")
        }
        guard let requestMilliseconds = Timestamp.parseAmzDate(amzDate) else {
            throw S3Error.authorizationQueryParametersError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
        }
        guard let credential = credentials.credential(forAccessKey: scope[0]) else { throw S3Error.invalidAccessKeyID() }
        let now = clock.nowMilliseconds()
        if requestMilliseconds - now > Limits.clockSkewMillisecondsMax {
            throw S3Error.accessDenied("Request is not valid yet")
        }
        if now > requestMilliseconds + Int64(expires) * 1000 {
            throw S3Error.accessDenied("Request has expired")
        }
        let signedHeaders = Substring(signedHeadersText).splitting(onASCII: UInt8(ascii: ";")).map(String.init)
        guard signedHeaders.contains("host") else { throw S3Error.signatureDoesNotMatch() }
        let payloadHash = request.queryValue("X-Amz-Content-Sha256") ?? request.headers.value(Self.contentSHA256Field) ?? SigV4.unsignedPayload
        let scopeText = "\(scope[1])/\(scope[2])/\(scope[3])/aws4_request"
        let key = signingState(credential, date: scope[1], region: scope[2])
        try verifySignature(request, key: key, provided: signature, accessKey: credential.accessKey) { path in
            let canonical = SigV4.canonicalRequest(
                method: request.method.rawValue, canonicalURI: SigV4.canonicalURI(decodedPath: path),
                canonicalQuery: SigV4.canonicalQuery(request.query, excluding: "X-Amz-Signature"),
                headers: canonicalHeaders(request, signedHeaders), signedHeaders: signedHeaders.joined(separator: ";"), payloadHash: payloadHash
            )
            return (canonical, SigV4.stringToSign(amzDate: amzDate, scope: scopeText, canonicalRequest: canonical))
        }
        let principal = credential.principal
        let check: PayloadCheck = payloadHash.utf8.count == 64 && Hex.decode(payloadHash) != nil ? .sha256(payloadHash.lowercased()) : .unsigned
        return Authentication(principal: principal, payload: check)
    }

    /// Checks a SigV4 signature over each path the request may have been signed for.
    private func verifySignature(
        _ request: S3Request, key: SigningKey, provided: String, accessKey: String,
        stringToSign: ([UInt8]) -> (canonical: String, stringToSign: String)
    ) throws {
        var last: (canonical: String, stringToSign: String)?
        for path in request.signingPaths {
            let candidate = stringToSign(path)
            if SigV4.constantTimeEqual(SigV4.signature(keyedMAC: key.keyedMAC, stringToSign: candidate.stringToSign), provided) { return }
            if last == nil { last = candidate }
        }
        throw S3Error.signatureDoesNotMatch(fields: Self.mismatchFields(accessKey, last?.stringToSign ?? "", provided, last?.canonical ?? ""))
    }

    // MARK: SigV2

    private func verifyHeaderV2(_ request: S3Request, authorization: String) throws -> Authentication {
        let body = authorization.dropFirst(4)
        guard let colon = body.lastIndex(of: ":") else {
            throw S3Error.invalidArgument(
                "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature", name: "Authorization", value: authorization)
        }
        let accessKey = String(body[..<colon])
        let signature = String(body[body.index(after: colon)...])
        guard let credential = credentials.credential(forAccessKey: accessKey) else { throw S3Error.invalidAccessKeyID() }
        let dateMilliseconds: Int64
        let missingDate = S3Error.accessDenied("AWS authentication requires a valid Date or x-amz-date header")
        if let value = request.headers[Self.amzDateField] {
            // When x-amz-date is present it is the date that counts, and it must be valid.
            guard let parsed = Timestamp.parseHTTPDate(value) ?? Timestamp.parseAmzDate(value) else { throw missingDate }
            dateMilliseconds = parsed
        } else if let value = request.headers.value(.date), let parsed = Timestamp.parseHTTPDate(value) {
            dateMilliseconds = parsed
        } else {
            throw missingDate
        }
        guard dateMilliseconds >= 0 else { throw missingDate }
        try checkSkew(dateMilliseconds)
        let dateForSigning = request.headers[Self.amzDateField] != nil ? "" : (request.headers.value(.date) ?? "")
        try verifyV2(request, dateOrExpires: dateForSigning, credential: credential, signature: signature)
        return Authentication(
            principal: credential.principal,
            payload: try v2PayloadCheck(request)
        )
    }

    private func verifyQueryV2(_ request: S3Request) throws -> Authentication {
        guard let accessKey = request.queryValue("AWSAccessKeyId"), let signature = request.queryValue("Signature"),
            let expiresText = request.queryValue("Expires")
        else {
            throw S3Error.accessDenied("Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
        }
        guard let expires = Int64(expiresText) else {
            throw S3Error.accessDenied("Invalid date (should be seconds since epoch): \(expiresText)")
        }
        guard let credential = credentials.credential(forAccessKey: accessKey) else { throw S3Error.invalidAccessKeyID() }
        // Any Int64 parses: one too large for milliseconds lies past every clock (it once trapped here).
        let (expiresMilliseconds, overflow) = expires.multipliedReportingOverflow(by: 1000)
        if overflow ? expires < 0 : clock.nowMilliseconds() > expiresMilliseconds { throw S3Error.accessDenied("Request has expired") }
        try verifyV2(request, dateOrExpires: expiresText, credential: credential, signature: signature)
        return Authentication(
            principal: credential.principal,
            payload: try v2PayloadCheck(request)
        )
    }

    /// Checks a SigV2 signature over the path as sent and, for requests that passed a proxy which
    /// re-encoded the path, over the path re-encoded with AWS's rules.
    private func verifyV2(_ request: S3Request, dateOrExpires: String, credential: Credential, signature: String) throws {
        var stringToSign = ""
        var paths = [request.rawPath, SigV4.canonicalURI(decodedPath: request.decodedPath)]
        if !request.mountPrefix.isEmpty { paths.append(request.mountPrefix + request.rawPath) }
        // botocore signs bucket-level requests over `/bucket/` even when it sends `/bucket`.
        if request.keyBytes == nil, !request.rawPath.hasSuffix("/") { paths.append(request.rawPath + "/") }
        for path in paths {
            stringToSign = SigV2.stringToSign(request: request, dateOrExpires: dateOrExpires, encodedPath: path)
            if SigV4.constantTimeEqual(SigV2.signature(secret: credential.secretKey, stringToSign: stringToSign), signature) { return }
        }
        throw S3Error.signatureDoesNotMatch(fields: [
            ("AWSAccessKeyId", credential.accessKey), ("StringToSign", stringToSign), ("SignatureProvided", signature),
        ])
    }

    /// SigV2 does not sign the payload, but a client may still send `x-amz-content-sha256`.
    private func v2PayloadCheck(_ request: S3Request) throws -> PayloadCheck {
        guard let value = request.headers.value(Self.contentSHA256Field), value.utf8.count == 64, Hex.decode(value) != nil else { return .unsigned }
        return .sha256(value.lowercased())
    }

    // MARK: Helpers

    static let amzDateField = HTTPField.Name("x-amz-date")!
    static let contentSHA256Field = HTTPField.Name("x-amz-content-sha256")!

    private func checkSkew(_ requestMilliseconds: Int64) throws {
        let now = clock.nowMilliseconds()
        if abs(now - requestMilliseconds) > Limits.clockSkewMillisecondsMax {
            throw S3Error.requestTimeTooSkewed(
                requestTime: Timestamp.httpDate(milliseconds: requestMilliseconds), serverTime: Timestamp.httpDate(milliseconds: now)
            )
        }
    }

    private func canonicalHeaders(_ request: S3Request, _ names: [String]) -> [(name: String, value: String)] {
        names.map { name in
            if name == "host" { return (name, request.host) }
            guard let fieldName = HTTPField.Name(name) else { return (name, "") }
            let values = request.headers[values: fieldName].map(SigV4.canonicalHeaderValue)
            return (name, values.joined(separator: ","))
        }
    }

    func signingKey(_ credential: Credential, date: String, region: String) -> SymmetricKey {
        signingState(credential, date: date, region: region).key
    }

    func signingState(_ credential: Credential, date: String, region: String) -> SigningKey {
        let cacheKey = "\(credential.accessKey)\u{0}\(credential.secretKey)\u{0}\(date)\u{0}\(region)"
        if let key = signingKeys.withLock({ $0[cacheKey] }) { return key }
        let symmetric = SigV4.signingKey(secret: credential.secretKey, date: date, region: region, service: "s3")
        let key = SigningKey(key: symmetric, keyedMAC: HMAC<SHA256>(key: symmetric))
        signingKeys.withLock { cache in
            if cache.count >= Self.signingKeyCacheCountMax { cache.removeAll() }
            cache[cacheKey] = key
        }
        return key
    }

    private static func mismatchFields(_ accessKey: String, _ stringToSign: String, _ provided: String, _ canonical: String) -> [(String, String)] {
        [
            ("AWSAccessKeyId", accessKey), ("StringToSign", stringToSign), ("SignatureProvided", provided),
            ("StringToSignBytes", Array(stringToSign.utf8).map { String($0, radix: 16) }.joined(separator: " ")),
            ("CanonicalRequest", canonical),
        ]
    }
}

extension S3Error {
    static func authorizationQueryParametersError(_ message: String) -> S3Error {
        S3Error("AuthorizationQueryParametersError", .badRequest, message)
    }
}
