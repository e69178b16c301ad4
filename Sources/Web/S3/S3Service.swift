import Access
import BlobStore
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Logging
import NIOCore
import Objects

/// The S3 face: turns HTTP requests into object-service and catalog operations.
public final class S3Service: Sendable {
    public let objects: ObjectService
    public let authenticator: Authenticator
    public let credentials: any CredentialStore
    public let configuration: S3Configuration
    let logger: Logger
    let access = AccessDecider()
    let admin: AdminHandler?
    /// Failed signatures and admin calls, per address and key; shared with the other faces.
    public let throttle: AuthThrottle

    public var catalog: Catalog { objects.catalog }
    public var blobs: any BlobStorage { objects.blobs }
    public var clock: any WallClock { objects.clock }
    public var disk: DiskMonitor { objects.disk }
    var settings: ObjectSettings { objects.settings }

    public init(
        objects: ObjectService, credentials: any CredentialStore, configuration: S3Configuration, logger: Logger, admin: AdminHandler? = nil,
        authPolicy: AuthFailureScores.Policy = .init()
    ) {
        let clock = objects.clock
        self.throttle = AuthThrottle(policy: authPolicy, logger: logger) { clock.nowMilliseconds() }
        self.objects = objects
        self.admin = admin
        self.credentials = credentials
        self.configuration = configuration
        self.logger = logger
        self.authenticator = Authenticator(credentials: credentials, clock: objects.clock)
    }

    /// Answers one request. Never throws: every failure becomes an S3 error response.
    /// `pathPrefix` is stripped first (the `/s3` mount on the HTTP listener). The request's log
    /// line and metrics are the `RequestObserver`'s; this only names the operation and resource.
    /// `secureTransport`: whether the listener the request came through speaks TLS (default: the
    /// S3 listener's own setting).
    public func respond(to request: Request, context: SporeRequestContext, pathPrefix: String = "", secureTransport: Bool? = nil) async -> Response {
        await answer(
            request, context: context, pathPrefix: pathPrefix, requestID: context.requestID,
            secureTransport: secureTransport ?? configuration.listenerIsSecure
        ) { parsed, resolved in
            let key = parsed.keyBytes.map { String(decoding: $0.prefix(Self.loggedKeyByteCountMax), as: UTF8.self) }
            context.labels.set(operation: resolved.name, resource: (parsed.bucket ?? "-") + (key.map { "/" + $0 } ?? ""))
        }
    }

    /// Keys are cut to this many bytes in log lines.
    static let loggedKeyByteCountMax = 128

    private func answer(
        _ request: Request, context: SporeRequestContext, pathPrefix: String, requestID: String, secureTransport: Bool,
        identified: (S3Request, S3Operation) -> Void
    ) async -> Response {
        let path = request.head.path ?? "/"
        var resource = path
        var parsed: S3Request?
        do {
            let host = request.head.authority ?? ""
            var s3 = try S3Request(
                method: request.method, path: path, host: host, headers: request.headers, domain: configuration.domain,
                pathPrefix: pathPrefix
            )
            s3.eventLoop = context.channel.eventLoop
            resource = s3.resource
            parsed = s3
            if request.method == .options {
                var response = try preflight(s3)
                Self.addCommonHeaders(&response.headers, requestID: requestID)
                return response
            }
            let operation = S3Operation.resolve(s3)
            identified(s3, operation)
            let address = context.remoteAddress?.ipAddress
            var authentication = try await authenticateThrottled(s3, address: address, isAdminCall: s3.rawPath.hasPrefix(AdminRequest.pathPrefix))
            authentication.action = operation.action(s3)
            authentication.sourceIP = address
            authentication.secureTransport = secureTransport
            if s3.rawPath.hasPrefix(AdminRequest.pathPrefix) {
                var response = try await administer(s3, request, authentication)
                Self.addCommonHeaders(&response.headers, requestID: requestID)
                return response
            }
            var http = request
            if request.headers.value(.expect) != nil {
                http.body = RequestBody(asyncSequence: ContinueOnFirstRead(base: request.body, channel: context.channel))
            }
            var response = try await dispatch(operation, s3, http, authentication)
            Self.addCommonHeaders(&response.headers, requestID: requestID)
            decorateCORS(&response, s3)
            return response
        } catch {
            let s3Error = S3Error.from(error)
            if s3Error.status.code >= 500, s3Error.status != .notImplemented {
                logger.error("request failed", metadata: ["method": "\(request.method)", "error": "\(error)", "request-id": "\(requestID)"])
            }
            var response = Self.errorResponse(s3Error, resource: resource, requestID: requestID, isHead: request.method == .head)
            // Browsers only show an error's body to the page when it carries the CORS headers too.
            if let parsed, request.method != .options { decorateCORS(&response, parsed) }
            return response
        }
    }

    private func dispatch(_ operation: S3Operation, _ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        switch operation {
        case .listBuckets: return try listBuckets(request, auth)
        case .createBucket: return try await createBucket(request, http, auth)
        case .headBucket: return try headBucket(request, auth)
        case .deleteBucket: return try await deleteBucket(request, auth)
        case .getBucketLocation: return try getBucketLocation(request, auth)
        case .getBucketVersioning: return try getBucketVersioning(request, auth)
        case .putBucketVersioning: return try await putBucketVersioning(request, http, auth)
        case .listObjects: return try listObjects(request, auth, version: 1)
        case .listObjectsV2: return try listObjects(request, auth, version: 2)
        case .deleteObjects: return try await deleteObjects(request, http, auth)
        case .putObject: return try await putObject(request, http, auth)
        case .getObject: return try await getObject(request, auth, isHead: false)
        case .getPrefixZip: return try await getPrefixZip(request, http, auth)
        case .headObject: return try await getObject(request, auth, isHead: true)
        case .deleteObject: return try await deleteObject(request, auth)
        case .copyObject: return try await copyObject(request, auth)
        case .createMultipartUpload: return try await createMultipartUpload(request, auth)
        case .uploadPart: return try await uploadPart(request, http, auth)
        case .uploadPartCopy: return try await uploadPartCopy(request, auth)
        case .completeMultipartUpload: return try await completeMultipartUpload(request, http, auth)
        case .abortMultipartUpload: return try await abortMultipartUpload(request, auth)
        case .listParts: return try listParts(request, auth)
        case .listMultipartUploads: return try listMultipartUploads(request, auth)
        case .listObjectVersions: return try listObjectVersions(request, auth)
        case .putObjectTagging: return try await putObjectTagging(request, http, auth)
        case .getObjectTagging: return try getObjectTagging(request, auth)
        case .deleteObjectTagging: return try await deleteObjectTagging(request, auth)
        case .putBucketTagging: return try await putBucketTagging(request, http, auth)
        case .getBucketTagging: return try getBucketTagging(request, auth)
        case .deleteBucketTagging: return try await deleteBucketTagging(request, auth)
        case .getBucketACL: return try getBucketACL(request, auth)
        case .putBucketACL: return try await putBucketACL(request, http, auth)
        case .getObjectACL: return try getObjectACL(request, auth)
        case .putObjectACL: return try await putObjectACL(request, http, auth)
        case .getBucketPolicy: return try getBucketPolicy(request, auth)
        case .putBucketPolicy: return try await putBucketPolicy(request, http, auth)
        case .deleteBucketPolicy: return try await deleteBucketPolicy(request, auth)
        case .getBucketPolicyStatus: return try getBucketPolicyStatus(request, auth)
        case .getPublicAccessBlock: return try getPublicAccessBlock(request, auth)
        case .putPublicAccessBlock: return try await putPublicAccessBlock(request, http, auth)
        case .deletePublicAccessBlock: return try await deletePublicAccessBlock(request, auth)
        case .getOwnershipControls: return try getOwnershipControls(request, auth)
        case .putOwnershipControls: return try await putOwnershipControls(request, http, auth)
        case .deleteOwnershipControls: return try await deleteOwnershipControls(request, auth)
        case .getBucketCORS: return try getBucketCORS(request, auth)
        case .putBucketCORS: return try await putBucketCORS(request, http, auth)
        case .deleteBucketCORS: return try await deleteBucketCORS(request, auth)
        case .postObject: return try await postObject(request, http, auth)
        case .putBucketLifecycle: return try await putBucketLifecycle(request, http, auth)
        case .getBucketLifecycle: return try getBucketLifecycle(request, auth)
        case .deleteBucketLifecycle: return try await deleteBucketLifecycle(request, auth)
        case .getObjectAttributes: return try await getObjectAttributes(request, auth)
        case .putObjectLockConfiguration: return try await putObjectLockConfiguration(request, http, auth)
        case .getObjectLockConfiguration: return try getObjectLockConfiguration(request, auth)
        case .putObjectRetention: return try await putObjectRetention(request, http, auth)
        case .getObjectRetention: return try getObjectRetention(request, auth)
        case .putObjectLegalHold: return try await putObjectLegalHold(request, http, auth)
        case .getObjectLegalHold: return try getObjectLegalHold(request, auth)
        case .putBucketEncryption: return try await putBucketEncryption(request, http, auth)
        case .getBucketEncryption: return try getBucketEncryption(request, auth)
        case .deleteBucketEncryption: return try await deleteBucketEncryption(request, auth)
        case .getObjectTorrent:
            _ = try authorizedBucket(request, auth)
            throw S3Error("NoSuchKey", .notFound, "This object has no torrent.", fields: [("Key", try request.objectKey().value)])
        case .getBucketDefault(let name): return try getBucketDefault(request, auth, name)
        case .notImplemented(let name): throw S3Error.notImplemented(name)
        case .methodNotAllowed: throw S3Error.methodNotAllowed()
        }
    }

    /// Authenticates through the failure throttle: a refused address or key is answered
    /// `SlowDown` before any work; a failed signature is counted (and its answer slowed once there
    /// are many); a good one clears the counts.
    private func authenticateThrottled(_ request: S3Request, address: String?, isAdminCall: Bool) async throws -> Authentication {
        let subjects = Self.throttleSubjects(request, address: address)
        if let wait = throttle.refusal(subjects) { throw S3Error.slowDown(retryAfterMilliseconds: wait) }
        do {
            let authentication = try authenticator.authenticate(request)
            // A good signature clears the counts, except a non-root one on the admin API: that is
            // counted as a failure (administer), and clearing it first would undo the count.
            if !authentication.principal.isAnonymous, !(isAdminCall && !authentication.principal.isRoot) { throttle.succeeded(subjects) }
            return authentication
        } catch let error as S3Error where error.code == "SignatureDoesNotMatch" || error.code == "InvalidAccessKeyId" {
            let verdict = throttle.failed(subjects, kind: "s3-signature")
            await AuthThrottle.pause(verdict)
            if case .refuse(let wait) = verdict { throw S3Error.slowDown(retryAfterMilliseconds: wait) }
            throw error
        }
    }

    /// The address, and the key from that address: keys are public (they appear in presigned URLs),
    /// so a stranger's bad signatures must not get a key refused for its owner elsewhere; and a
    /// client with one good key cannot clear the count of another it is guessing.
    static func throttleSubjects(_ request: S3Request, address: String?) -> [String] {
        guard let address else { return [] }
        let key = Authenticator.claimedAccessKey(request).map { "key:\($0)@\(address)" }
        return ["ip:" + address] + (key.map { [$0] } ?? [])
    }

    /// Runs an admin call: root only, answered in JSON.
    private func administer(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        guard auth.principal.isRoot else {
            // A valid key that is not root probing the admin API counts as a failure too.
            let subjects = auth.sourceIP.map { ip in ["ip:" + ip] + (auth.principal.accessKey.map { ["key:\($0)@\(ip)"] } ?? []) } ?? []
            let verdict = throttle.failed(subjects, kind: "admin")
            await AuthThrottle.pause(verdict)
            if case .refuse(let wait) = verdict { throw S3Error.slowDown(retryAfterMilliseconds: wait) }
            throw S3Error.accessDenied("The admin API needs the root credentials.")
        }
        guard let admin else { throw S3Error.notImplemented("admin API") }
        let body = try await verifiedBody(http, request, auth)
        var query = [String: String]()
        for item in request.query { query[item.name] = item.value ?? "" }
        let call = AdminRequest(
            method: request.method.rawValue, command: String(request.rawPath.dropFirst(AdminRequest.pathPrefix.count)), query: query, body: body
        )
        let reply = try await admin(call)
        return Response(
            status: HTTPResponse.Status(code: reply.status), headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: reply.json))
        )
    }

    // MARK: Access

    /// The bucket named in the request, if the caller may perform the request's action on it (and
    /// on the request's key, when there is one).
    func authorizedBucket(_ request: S3Request, _ auth: Authentication) throws -> BucketRecord {
        guard let name = request.bucket else { throw S3Error.methodNotAllowed() }
        guard let bucket = try catalog.buckets.bucket(named: name) else { throw S3Error.noSuchBucket(name) }
        try authorize(auth, bucket, request: request)
        return bucket
    }

    /// Checks the request's action on `bucket` (and `key`, defaulting to the request's key; an
    /// existing object's ACL, owner and tags count for object actions).
    func authorize(
        _ auth: Authentication, _ bucket: BucketRecord, request: S3Request, key: String? = nil, action: String? = nil,
        object: ObjectVersion? = nil, prefix: String? = nil, bucketLevel: Bool = false
    ) throws {
        // `x-amz-expected-bucket-owner`: the caller's guard against writing into someone else's bucket.
        if let expected = request.header("x-amz-expected-bucket-owner"), expected != Principal.canonicalID(forUser: bucket.owner) {
            throw S3Error.accessDenied()
        }
        var query = AccessDecider.Query(
            principal: auth.principal, action: action ?? auth.action, bucket: bucket,
            key: bucketLevel ? nil : key ?? request.keyBytes.map { String(decoding: $0, as: UTF8.self) }
        )
        query.objectACL = object?.acl
        query.objectOwner = object?.owner
        if bucket.policy != nil {
            query.context = Self.conditionContext(request, auth: auth, object: object)
        } else if let listed = request.queryValue("prefix") {
            // Without a policy only a scoped key's listing check reads the context; building all
            // of it (a dozen header lookups) cost every request, root's included.
            query.context["s3:prefix"] = listed
        }
        if let prefix { query.context["s3:prefix"] = prefix }
        if query.context["s3:prefix"] == nil, query.action.hasPrefix("s3:ListBucket") { query.context["s3:prefix"] = "" }
        guard access.allows(query) else { throw S3Error.accessDenied() }
    }

    /// Headers a policy condition may name (`s3:x-amz-acl` …), besides the listing parameters.
    static let conditionHeaders = [
        "x-amz-acl", "x-amz-copy-source", "x-amz-metadata-directive", "x-amz-server-side-encryption", "x-amz-storage-class",
        "x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp", "x-amz-grant-write-acp", "x-amz-grant-full-control",
        "x-amz-content-sha256", "x-amz-object-ownership", "x-amz-server-side-encryption-customer-algorithm",
        "x-amz-server-side-encryption-aws-kms-key-id",
    ]

    /// The condition keys of a request, lowercased as policies are matched.
    static func conditionContext(_ request: S3Request, auth: Authentication, object: ObjectVersion?) -> [String: String] {
        var context = [String: String]()
        if let prefix = request.queryValue("prefix") { context["s3:prefix"] = prefix }
        if let delimiter = request.queryValue("delimiter") { context["s3:delimiter"] = delimiter }
        if let maxKeys = request.queryValue("max-keys") { context["s3:max-keys"] = maxKeys }
        if let versionID = request.queryValue("versionId") { context["s3:versionid"] = versionID }
        if let ip = auth.sourceIP { context["aws:sourceip"] = ip }
        context["aws:securetransport"] = auth.secureTransport ? "true" : "false"
        if let user = auth.principal.isAnonymous ? nil : auth.principal.user { context["aws:username"] = user }
        if let referer = request.header("referer") { context["aws:referer"] = referer }
        if let agent = request.header("user-agent") { context["aws:useragent"] = agent }
        for header in conditionHeaders {
            if let value = request.header(header) { context["s3:" + header] = value }
        }
        if let tagging = request.header("x-amz-tagging"), let tags = try? TagSet.parseHeader(tagging) {
            for (name, value) in tags { context["s3:requestobjecttag/" + name.lowercased()] = value }
            context["s3:requestobjecttagkeys"] = tags.map(\.name).joined(separator: ",")
        }
        for (name, value) in object?.tags ?? [] { context["s3:existingobjecttag/" + name.lowercased()] = value }
        return context
    }

    /// Authorizes reading an object that may not exist. As on AWS, a missing key is answered
    /// NoSuchKey only to callers who could list it; anyone else gets AccessDenied and learns nothing.
    func authorizeRead(_ auth: Authentication, _ bucket: BucketRecord, request: S3Request, object: ObjectVersion?) throws {
        do {
            try authorize(auth, bucket, request: request, object: object)
        } catch let error as S3Error where object == nil && error.code == "AccessDenied" {
            let key = request.keyBytes.map { String(decoding: $0, as: UTF8.self) }
            guard (try? authorize(auth, bucket, request: request, action: "s3:ListBucket", prefix: key ?? "", bucketLevel: true)) != nil else {
                throw error
            }
        }
    }

    func requireSigned(_ auth: Authentication) throws {
        if auth.principal.isAnonymous { throw S3Error.accessDenied() }
    }

    /// For actions no ACL or policy can grant: the principal must be signed, unscoped and writable.
    func requireFullKey(_ auth: Authentication) throws {
        try requireSigned(auth)
        if !auth.principal.scopes.isEmpty || auth.principal.isReadOnly { throw S3Error.accessDenied() }
    }

    // MARK: Responses

    static let requestIDField = HTTPField.Name("x-amz-request-id")!
    static let hostIDField = HTTPField.Name("x-amz-id-2")!

    static func addCommonHeaders(_ headers: inout HTTPFields, requestID: String) {
        headers[requestIDField] = requestID
        headers[hostIDField] = requestID
        headers[.server] = "spore"
    }

    static func errorResponse(_ error: S3Error, resource: String, requestID: String, isHead: Bool) -> Response {
        var headers = HTTPFields()
        addCommonHeaders(&headers, requestID: requestID)
        for (name, value) in error.headers { headers[name] = value }
        if isHead {
            headers[.contentLength] = "0"
            return Response(status: error.status, headers: headers)
        }
        headers[.contentType] = "application/xml"
        let body = ByteBuffer(bytes: error.document(resource: resource, requestID: requestID))
        return Response(status: error.status, headers: headers, body: ResponseBody(byteBuffer: body))
    }

    static func xmlResponse(_ xml: XMLWriter, status: HTTPResponse.Status = .ok, headers: HTTPFields = HTTPFields()) -> Response {
        var headers = headers
        headers[.contentType] = "application/xml"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: xml.bytes)))
    }

    /// Reads a small request body whole (XML documents), refusing more than `limit` bytes.
    static func collectBody(_ request: Request, limit: Int) async throws -> [UInt8] {
        var request = request
        do {
            var buffer = try await request.collectBody(upTo: limit)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw S3Error.invalidRequest("The request body exceeds \(limit) bytes.")
        }
    }
}
