import Foundation
import HTTPTypes
import Hummingbird
import Index
import NIOCore

/// The Hypha-style HTTP API on the second listener: `/{workspace}/files/…`, the multipart
/// endpoints, and the `s3-storage` (and token) service functions under `/{workspace}/services/…`.
/// Files live in the workspace bucket under `{workspace}/`, so S3 clients see the same bytes.
public struct HyphaResponder: HTTPResponder {
    public typealias Context = SporeRequestContext

    /// Most files or directories one listing returns.
    static let listLengthMax = 10_000
    /// Largest JSON body of a service call or a multipart completion.
    static let jsonBodyByteCountMax = 4 << 20

    let s3: S3Service
    let configuration: HyphaConfiguration
    let sealer: SecretSealer

    public init(s3: S3Service, configuration: HyphaConfiguration, sealer: SecretSealer) {
        self.s3 = s3
        self.configuration = configuration
        self.sealer = sealer
    }

    var bucket: String { configuration.workspaceBucket }

    public func respond(to request: Request, context: SporeRequestContext) async throws -> Response {
        let origin = request.headers[.origin]
        if request.method == .options, let origin {
            return Self.preflight(request, origin: origin)
        }
        var response: Response
        do {
            response = try await route(request, context: context)
        } catch let error as HyphaError {
            response = error.response
        } catch {
            let s3Error = S3Error.from(error)
            response = HyphaError(status: s3Error.status, detail: s3Error.message).response
        }
        // Any page may call the API with a token it holds (as Hypha allows every origin); cookies
        // are never sent cross-origin, since credentials are not allowed.
        if let origin {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlExposeHeaders] = "ETag, Content-Range, Content-Length"
            response.headers[.vary] = "Origin"
        }
        return response
    }

    static func preflight(_ request: Request, origin: String) -> Response {
        var headers = HTTPFields()
        headers[.accessControlAllowOrigin] = origin
        headers[.accessControlAllowMethods] = "GET, HEAD, PUT, POST, DELETE"
        if let requested = request.headers[.accessControlRequestHeaders] { headers[.accessControlAllowHeaders] = requested }
        headers[.accessControlMaxAge] = "600"
        headers[.vary] = "Origin"
        return Response(status: .noContent, headers: headers)
    }

    private func route(_ request: Request, context: SporeRequestContext) async throws -> Response {
        let target = request.head.path ?? "/"
        let rawPath = String(target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        let query = Self.query(of: target)
        let segments = rawPath.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).dropFirst()
        guard let first = segments.first, !first.isEmpty, let workspace = PercentEncoding.decodeString(first, plusIsSpace: false),
            WorkspaceRecord.isValidName(workspace)
        else { throw HyphaError(status: .notFound, detail: "Not Found", shape: .detailOnly) }
        let section = segments.dropFirst().first.map(String.init)
        let rest = segments.count > 2 ? String(segments[segments.startIndex + 2]) : nil
        let caller = try authenticate(request, query: query)
        // The workspace bucket appears with the first use of the API, so S3-only users never see it.
        try await WorkspaceDirectory(catalog: s3.catalog, bucket: bucket).ensureBucket(
            owner: configuration.signer.user, nowMilliseconds: s3.clock.nowMilliseconds()
        )

        switch (request.method, section) {
        case (.post, "create-multipart-upload"):
            return try await createMultipartUpload(workspace, caller: caller, query: query)
        case (.post, "complete-multipart-upload"):
            return try await completeMultipartUpload(workspace, caller: caller, request: request)
        case (.post, "files") where rest == "create-multipart-upload":
            return try await createMultipartUpload(workspace, caller: caller, query: query)
        case (.post, "files") where rest == "complete-multipart-upload":
            return try await completeMultipartUpload(workspace, caller: caller, request: request)
        case (_, "files"):
            guard let path = PercentEncoding.decodeString(rest ?? "", plusIsSpace: false) else { throw HyphaError.badRequest("Invalid path") }
            return try await files(workspace, path: path, caller: caller, request: request, context: context, query: query)
        case (.get, "services") where rest == nil:
            var headers = HTTPFields()
            headers[.location] = "/\(first)/services/"
            return Response(status: .temporaryRedirect, headers: headers)
        case (_, "services"):
            return try await services(workspace, rest: rest ?? "", caller: caller, request: request, query: query)
        default:
            throw HyphaError(status: .notFound, detail: "Not Found", shape: .detailOnly)
        }
    }

    // MARK: Callers and workspaces

    /// The caller's token: `Authorization: Bearer` (or Basic with the token as password, or the bare
    /// token), the `access_token` cookie, or `?token=`. No token is an anonymous caller; a bad one
    /// is 401.
    func authenticate(_ request: Request, query: [String: String]) throws -> HyphaCaller {
        guard let token = Self.token(request, query: query) else { return HyphaCaller(token: nil) }
        do {
            let decoded = try HyphaToken.decode(token, secret: configuration.jwtSecret, nowSeconds: s3.clock.nowMilliseconds() / 1000)
            return HyphaCaller(token: decoded)
        } catch .expired {
            throw HyphaError.unauthorized("The token has expired.")
        } catch .badSignature {
            throw HyphaError.unauthorized("Signature verification failed.")
        } catch .malformed(let reason) {
            throw HyphaError.unauthorized(reason)
        }
    }

    static func token(_ request: Request, query: [String: String]) -> String? {
        if let authorization = request.headers[.authorization], !authorization.isEmpty {
            if authorization.hasPrefix("Bearer ") { return authorization.dropFirst(7).trimmingSpaces() }
            if let password = RequestFields.basicPassword(authorization) { return password }
            return authorization
        }
        if let cookies = request.headers[.cookie] {
            for cookie in cookies.split(separator: ";") {
                let pair = cookie.trimmingSpaces()
                if pair.hasPrefix("access_token=") { return String(pair.dropFirst("access_token=".count)) }
            }
        }
        if let token = query["token"], !token.isEmpty { return token }
        return nil
    }

    func workspaceRecord(_ workspace: String) -> WorkspaceRecord? {
        guard let bytes = try? s3.catalog.bucketSetting(bucket: bucket, WorkspaceRecord.settingName(workspace)) else { return nil }
        return WorkspaceRecord(decoding: bytes)
    }

    /// Whether the workspace exists, with its record (read once). Personal workspaces
    /// (`ws-user-…`) and `public` always exist; others once created.
    func lookupWorkspace(_ workspace: String) -> (exists: Bool, record: WorkspaceRecord?) {
        let record = workspaceRecord(workspace)
        return (workspace.hasPrefix("ws-user-") || workspace == "public" || record != nil, record)
    }

    func workspaceExists(_ workspace: String) -> Bool { lookupWorkspace(workspace).exists }

    /// Checks that the workspace exists and that the caller has `needed` on it, with Hypha's
    /// messages; answers the caller's permission.
    @discardableResult
    func require(_ needed: WorkspacePermission, on workspace: String, caller: HyphaCaller) throws -> WorkspacePermission {
        let (exists, record) = lookupWorkspace(workspace)
        guard exists else { throw HyphaError.notFound("Workspace does not exists: \(workspace)") }
        guard let permission = caller.permission(workspace, record: record), permission >= needed else {
            throw HyphaError.forbidden("Permission denied: \(workspace)")
        }
        if needed >= .readWrite, record?.isReadOnly == true {
            throw HyphaError.forbidden("Permission denied: workspace (\(workspace)) is read-only")
        }
        return permission
    }

    // MARK: Helpers

    static func query(of target: String) -> [String: String] {
        guard let mark = target.firstIndex(of: "?") else { return [:] }
        var result = [String: String]()
        for item in target[target.index(after: mark)...].split(separator: "&") {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentEncoding.decodeString(parts[0], plusIsSpace: true) else { continue }
            result[name] = PercentEncoding.decodeString(parts.count > 1 ? parts[1] : "", plusIsSpace: true) ?? ""
        }
        return result
    }

    /// A workspace-relative path as an object key, refusing `.`/`..` segments (Hypha normalizes
    /// them with `safe_join`; spore refuses rather than guess).
    func key(_ workspace: String, _ path: String) throws -> String {
        let trimmed = path.hasPrefix("/") ? String(path.drop { $0 == "/" }) : path
        let segments = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.contains(where: { $0 == "." || $0 == ".." }) else { throw HyphaError.badRequest("Invalid path: \(path)") }
        let key = workspace + "/" + trimmed
        guard key.utf8.count <= ObjectKey.byteCountMax else { throw HyphaError.badRequest("Path too long: \(path)") }
        return key
    }

    static func collectJSON(_ request: Request) async throws -> Any? {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: jsonBodyByteCountMax)
        } catch {
            throw HyphaError.badRequest("The request body is too large.")
        }
        guard buffer.readableBytes > 0 else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView), options: [.fragmentsAllowed]) else {
            throw HyphaError.badRequest("Invalid JSON body.")
        }
        return object
    }
}
