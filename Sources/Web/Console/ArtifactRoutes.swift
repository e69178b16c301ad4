import Access
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import SporeJSON

/// A read of the artifact manager on behalf of a console caller. The composition root answers it
/// through the Hypha face's own service path, so the gallery shows exactly what the caller's
/// Hypha identity may read (a token's own, or for a key session the Hypha user of the same name;
/// root administers every workspace).
public struct ConsoleArtifactCall: Sendable {
    public let user: String
    public let isRoot: Bool
    /// A scoped or read-only key: it only reads its personal workspace's artifacts.
    public let isLimited: Bool
    /// The Hypha-style token the session signed in with, if it did.
    public let token: String?
    public let function: String
    public let arguments: JSONValue
    public let workspace: String
}

/// A failed artifact call: the status and message the Hypha API would answer.
public struct ConsoleArtifactFailure: Error, Sendable {
    public let status: Int
    public let message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }
}

public typealias ConsoleArtifactGateway = @Sendable (ConsoleArtifactCall) async throws -> JSONValue

/// `/api/artifacts…`: the gallery's reads (collections and their children, one artifact, its
/// files), never a write: changing artifacts stays with the Hypha API and its clients.
struct ArtifactRoutes {
    let face: ConsoleFace

    static let listCountMax: Int64 = 1000

    func register(on router: Router<SporeRequestContext>) {
        router.get("/api/artifacts") { request, context in
            let query = ConsoleRequest.query(request)
            var arguments: JSONObject = ["limit": .int(try ConsoleRequest.int(query["limit"], name: "limit", range: 1...Self.listCountMax) ?? 100)]
            if let parent = query["parent"], !parent.isEmpty { arguments["parent_id"] = .string(parent) }
            if let offset = try ConsoleRequest.int(query["offset"], name: "offset", range: 0...1_000_000) { arguments["offset"] = .int(offset) }
            if query["stage"] == "true" { arguments["stage"] = true }
            return try await call(request, context, "list", arguments, workspace: query["workspace"])
        }
        router.get("/api/artifacts/item") { request, context in
            let query = ConsoleRequest.query(request)
            var arguments: JSONObject = ["artifact_id": .string(try Self.required(query, "id"))]
            if let version = query["version"], !version.isEmpty { arguments["version"] = .string(version) }
            return try await call(request, context, "read", arguments, workspace: query["workspace"])
        }
        router.get("/api/artifacts/files") { request, context in
            let query = ConsoleRequest.query(request)
            var arguments: JSONObject = ["artifact_id": .string(try Self.required(query, "id"))]
            if let directory = query["dir"], !directory.isEmpty { arguments["dir_path"] = .string(directory) }
            if let version = query["version"], !version.isEmpty { arguments["version"] = .string(version) }
            return try await call(request, context, "list_files", arguments, workspace: query["workspace"])
        }
        router.get("/api/artifacts/file-url") { request, context in
            let query = ConsoleRequest.query(request)
            var arguments: JSONObject = [
                "artifact_id": .string(try Self.required(query, "id")), "file_path": .string(try Self.required(query, "path")),
            ]
            if let version = query["version"], !version.isEmpty { arguments["version"] = .string(version) }
            let url = try await callValue(request, context, "get_file", arguments, workspace: query["workspace"])
            return JSONResponse.make(["url": url])
        }
    }

    static func required(_ query: [String: String], _ name: String) throws -> String {
        guard let value = query[name], !value.isEmpty else { throw ConsoleError.invalid("\(name) is required.") }
        return value
    }

    private func call(_ request: Request, _ context: SporeRequestContext, _ function: String, _ arguments: JSONObject, workspace: String?)
        async throws -> Response
    {
        JSONResponse.make(try await callValue(request, context, function, arguments, workspace: workspace))
    }

    private func callValue(_ request: Request, _ context: SporeRequestContext, _ function: String, _ arguments: JSONObject, workspace: String?)
        async throws -> JSONValue
    {
        let caller = try face.caller(request, context: context)
        context.labels.set(operation: "console.artifacts." + function, resource: workspace ?? "-")
        guard let gateway = face.artifacts else { throw ConsoleError.notFound("Artifacts are not available on this daemon.") }
        var token: String?
        if case .hyphaToken(let text)? = caller.session?.identity { token = text }
        if token == nil, let authorization = request.headers[.authorization], caller.session == nil {
            token = authorization.dropFirst("Bearer ".count).trimmingSpaces()
        }
        let personal = "ws-user-" + caller.user
        let call = ConsoleArtifactCall(
            user: caller.user, isRoot: caller.principal.isRoot,
            isLimited: !caller.principal.scopes.isEmpty || caller.principal.isReadOnly, token: token, function: function,
            arguments: .object(arguments),
            workspace: workspace.flatMap { $0.isEmpty ? nil : $0 } ?? personal)
        do {
            return try await gateway(call)
        } catch let failure as ConsoleArtifactFailure {
            let status = HTTPResponse.Status(code: failure.status)
            let code =
                failure.status == 404
                ? "NotFound" : failure.status == 403 ? "AccessDenied" : failure.status == 401 ? "Unauthorized" : "InvalidArgument"
            throw ConsoleError(status, code, failure.message)
        }
    }
}
