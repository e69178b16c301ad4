import Artifacts
import BlobStore
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Objects
import SporeJSON

/// The artifact HTTP endpoints of Hypha's `ArtifactController`: listings, reads, file listings and
/// downloads (307 to a presigned URL, or streamed with `use_proxy`), uploads into a staged
/// artifact (streamed into the store, not relayed) and the multipart routes. Errors are
/// `{"detail": …}` as FastAPI's `HTTPException` renders them.
struct ArtifactRoutes {
    let face: HyphaFace

    func register(on router: Router<SporeRequestContext>) {
        router.get("/:workspace/artifacts") { request, context in try await listRoots(request, context) }
        router.get("/:workspace/artifacts/-/search") { request, context in try await search(request, context) }
        router.get("/:workspace/artifacts/:alias") { request, context in try await read(request, context) }
        router.get("/:workspace/artifacts/:alias/children") { request, context in try await children(request, context) }
        router.get("/:workspace/artifacts/:alias/files") { request, context in
            // Only `…/files/` lists; without the slash this is no artifact route (as in Hypha).
            guard request.uri.path.hasSuffix("/") else { throw HyphaError.routeNotFound }
            return try await files(request, context)
        }
        router.get("/:workspace/artifacts/:alias/files/**") { request, context in try await files(request, context) }
        router.put("/:workspace/artifacts/:alias/files/**") { request, context in try await upload(request, context) }
        router.post("/:workspace/artifacts/:alias/create-multipart-upload") { request, context in try await createMultipart(request, context) }
        router.post("/:workspace/artifacts/:alias/complete-multipart-upload") { request, context in try await completeMultipart(request, context) }
    }

    /// The caller and the artifact the route names, with the route's workspace as the context.
    private func prepare(
        _ request: Request, _ context: SporeRequestContext, scope: String? = nil
    ) throws -> (ArtifactActor, HyphaQuery, String, String?) {
        let workspace = try HyphaFace.workspace(context)
        let query = HyphaQuery(target: request.uri.description)
        let caller = try face.caller(request, query: query, allowingSpecialized: scope != nil)
        let base = face.artifactActor(caller)
        let actor = ArtifactActor(caller: base.caller, contextWorkspace: workspace) { base.workspaceAccess($0) }
        let alias = try context.parameters.get("alias").map { try ServiceRoutes.decoded($0) }
        return (actor, query, workspace, alias)
    }

    /// For a specialized token: whether its scopes name this file (`{op}:{artifact}:{encoded path}`
    /// or `{op}:{artifact}:*`, the artifact as `ws/alias` or its internal id); such a token then
    /// needs no other permission, as in Hypha. Any other specialized token is refused. False for
    /// ordinary tokens, whose permissions are checked as usual.
    private func scopeGrants(_ op: String, request: Request, query: HyphaQuery, workspace: String, alias: String, path: String) throws -> Bool {
        let caller = try face.caller(request, query: query, allowingSpecialized: true)
        guard let token = caller.token, token.isSpecialized else { return false }
        var names = ["\(workspace)/\(alias)"]
        if let internalID = try? face.catalog.artifacts.read({ transaction in
            try face.catalog.artifacts.id(transaction, workspace: workspace, alias: alias)
        }) {
            names.append(internalID)
        }
        let encoded = PercentEncoding.encode(path)
        for name in names where token.extraScopes.contains("\(op):\(name):\(encoded)") || token.extraScopes.contains("\(op):\(name):*") {
            return true
        }
        throw HyphaError(
            status: .forbidden,
            detail:
                "Token scope does not match requested file. Token has scopes [\(token.extraScopes.joined(separator: ", "))], but requested file requires scope '\(op):\(names[0]):\(encoded)'.",
            shape: .detailOnly
        )
    }

    /// What FastAPI's `HTTPException` would say for an artifact failure on these routes.
    static func routeError(_ error: any Error, notFound: String = "Artifact not found") -> HyphaError {
        guard let error = error as? ArtifactError else { return HyphaError.from(error) }
        switch error.kind {
        case .keyError: return HyphaError(status: .notFound, detail: notFound, shape: .detailOnly)
        case .permissionError: return HyphaError(status: .forbidden, detail: "Permission denied", shape: .detailOnly)
        case .fileNotFoundError: return HyphaError(status: .notFound, detail: error.message, shape: .detailOnly)
        case .valueError, .assertionError, .typeError: return HyphaError(status: .badRequest, detail: error.message, shape: .detailOnly)
        case .fileExistsError: return HyphaError(status: .conflict, detail: error.message, shape: .detailOnly)
        default: return HyphaError(status: .internalServerError, detail: "An unexpected error occurred: \(error.message)", shape: .detailOnly)
        }
    }

    private func run(notFound: String = "Artifact not found", _ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch {
            throw Self.routeError(error, notFound: notFound)
        }
    }

    /// Query parameters as the list routes pass them to `list`: strings, with `filters` as JSON.
    static func listArguments(_ query: HyphaQuery, parent: String?) throws -> ArtifactArguments {
        var object = JSONObject()
        for name in ["keywords", "offset", "limit", "order_by", "mode", "pagination", "stage", "silent"] {
            if let value = query[name] { object[name] = .string(value) }
        }
        if let filters = query["filters"] {
            do {
                object["filters"] = try JSONValue(parsing: filters)
            } catch {
                throw HyphaError(status: .badRequest, detail: "Invalid filters: \(error.description)", shape: .detailOnly)
            }
        }
        if let parent { object["parent_id"] = .string(parent) }
        return ArtifactArguments(object)
    }

    private func listRoots(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        guard request.uri.path.hasSuffix("/") else { throw HyphaError.routeNotFound }
        let (actor, query, _, _) = try prepare(request, context)
        return try await run {
            JSONResponse.make(try face.artifacts.list(try Self.listArguments(query, parent: nil), actor: actor, call: .list, source: .httpQuery))
        }
    }

    private func search(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let (actor, query, _, _) = try prepare(request, context)
        return try await run {
            JSONResponse.make(try face.artifacts.list(try Self.listArguments(query, parent: nil), actor: actor, call: .search, source: .httpQuery))
        }
    }

    private func read(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let (actor, query, workspace, alias) = try prepare(request, context)
        var object: JSONObject = ["artifact_id": .string("\(workspace)/\(alias ?? "")")]
        if let version = query["version"] { object["version"] = .string(version) }
        if let silent = query["silent"] { object["silent"] = .string(silent) }
        return try await run { JSONResponse.make(try face.artifacts.read(ArtifactArguments(object), actor: actor)) }
    }

    private func children(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let (actor, query, workspace, alias) = try prepare(request, context)
        return try await run(notFound: "Parent artifact not found") {
            let arguments = try Self.listArguments(query, parent: "\(workspace)/\(alias ?? "")")
            return JSONResponse.make(try face.artifacts.list(arguments, actor: actor, call: .list, source: .httpQuery))
        }
    }

    /// The path after `…/{alias}/files/`, decoded (empty for the root).
    static func filePath(_ request: Request) throws -> String {
        let segments = request.uri.path.split(separator: "/", maxSplits: 5, omittingEmptySubsequences: false)
        guard segments.count > 5 else { return "" }
        guard let path = PercentEncoding.decodeString(segments[5], plusIsSpace: false) else { throw HyphaError.badRequest("Invalid path") }
        return path
    }

    private func files(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let (actor, query, workspace, alias) = try prepare(request, context, scope: "get_file")
        let path = try Self.filePath(request)
        let scoped = try scopeGrants("get_file", request: request, query: query, workspace: workspace, alias: alias ?? "", path: path)
        var object: JSONObject = ["artifact_id": .string("\(workspace)/\(alias ?? "")")]
        if let version = query["version"] { object["version"] = .string(version) }
        if let stage = query["stage"] { object["stage"] = .string(stage) }
        if path.isEmpty || path.hasSuffix("/") {
            if !path.isEmpty { object["dir_path"] = .string(path) }
            if let limit = query["limit"] { object["limit"] = .string(limit) }
            if let offset = query["offset"] { object["offset"] = .string(offset) }
            return try await run {
                let listing = try face.artifacts.listFiles(ArtifactArguments(object), actor: actor)
                guard listing.arrayValue?.isEmpty == false else {
                    throw HyphaError(status: .notFound, detail: "File or directory not found", shape: .detailOnly)
                }
                return JSONResponse.make(listing)
            }
        }
        return try await run {
            let found = try face.artifacts.file(ArtifactArguments(object), path: path, actor: actor, scopeGranted: scoped)
            let silent = ["true", "1", "yes"].contains(query["silent"]?.lowercased() ?? "")
            guard let version = found.version else {
                // Hypha redirects (and counts a download) for a file that does not exist; spore
                // answers 404 and counts nothing.
                let details: JSONValue = [
                    "Error": ["Code": "NoSuchKey", "Message": "The specified key does not exist.", "Key": .string(found.key)],
                    "ResponseMetadata": ["HTTPStatusCode": 404],
                ]
                throw HyphaError(status: .notFound, detail: "File not found, details: \(details.jsonText)", shape: .text)
            }
            if !silent { face.artifacts.countDownload(found.record, weight: found.weight) }
            if query["use_proxy"]?.lowercased() == "true" {
                return try await ObjectResponse.serve(
                    face.objects, version: version, request: request, contentType: MediaTypes.guess(path), eventLoop: context.channel.eventLoop
                )
            }
            let expires = Int(query["expires_in"] ?? "") ?? 3600
            let url = try HyphaURLSigner(configuration: face.configuration, clock: face.objects.clock)
                .presign(method: "GET", key: found.key, expiresSeconds: expires, useProxy: nil)
            return Response(status: .temporaryRedirect, headers: [.location: url])
        }
    }

    /// `PUT …/files/{path}` into a staged artifact: the body streams into the store through the
    /// object service (durable before the 200), not through a presigned URL.
    private func upload(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let (actor, query, workspace, alias) = try prepare(request, context, scope: "put_file")
        let path = try Self.filePath(request)
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw HyphaError(status: .badRequest, detail: "A file path is required", shape: .detailOnly)
        }
        let scoped = try scopeGrants("put_file", request: request, query: query, workspace: workspace, alias: alias ?? "", path: path)
        let weight = Double(query["download_weight"] ?? "0") ?? 0
        let reference = JSONValue.string("\(workspace)/\(alias ?? "")")
        return try await run {
            let artifacts = face.artifacts
            let record: ArtifactRecord
            do {
                record = try await artifacts.stageUpload(reference, path: path, weight: weight, actor: actor, scopeGranted: scoped)
            } catch let error as ArtifactError where error == ArtifactError.notStagedForUpload {
                throw HyphaError(status: .badRequest, detail: "Artifact must be in staging mode to upload files", shape: .detailOnly)
            }
            let key = record.slotPrefix(record.staging?.slot ?? 0) + (try ArtifactService.checkedPath(path))
            guard let objectKey = ObjectKey(validating: key) else {
                throw HyphaError(status: .badRequest, detail: "Invalid path", shape: .detailOnly)
            }
            let declared = try FilesRoutes.declaredLength(request)
            let spec = IngestSpec(declaredByteCount: declared, byteCountMax: face.objects.settings.objectByteCountMax, allowsInline: true)
            let template = ObjectVersion(
                byteCount: 0, etag: "", lastModifiedMilliseconds: 0, headers: ContentHeaders(contentType: "application/octet-stream"),
                body: .inline([]), owner: face.configuration.storageOwner
            )
            let body = ContinueOnFirstRead(base: request.body, channel: request.headers[.expect] != nil ? context.channel : nil)
            let stored = try await face.objects.put(bucket: face.bucket, key: objectKey, body: body, spec: spec, template: template)
            return JSONResponse.make(["success": true, "message": "File uploaded successfully"], headers: [.eTag: "\"\(stored.etag)\""])
        }
    }

    private func createMultipart(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let (actor, query, workspace, alias) = try prepare(request, context)
        var missing = [JSONValue]()
        for name in ["path", "part_count"] where query[name] == nil {
            missing.append(["type": "missing", "loc": ["query", .string(name)], "msg": "Field required", "input": .null])
        }
        guard missing.isEmpty else { return JSONResponse.make(["detail": .array(missing)], status: .unprocessableContent) }
        guard let count = Int(query["part_count"] ?? ""), count > 0 else {
            let detail: JSONValue = [
                [
                    "type": "greater_than", "loc": ["query", "part_count"], "msg": "Input should be greater than 0",
                    "input": .string(query["part_count"] ?? ""), "ctx": ["gt": 0],
                ]
            ]
            return JSONResponse.make(["detail": detail], status: .unprocessableContent)
        }
        var object: JSONObject = [
            "artifact_id": .string("\(workspace)/\(alias ?? "")"), "file_path": .string(query["path"] ?? ""), "part_count": .int(count),
        ]
        for name in ["download_weight", "expires_in"] {
            if let value = query[name] { object[name] = ServiceArguments.normalize(value) }
        }
        if let useProxy = query["use_proxy"] { object["use_proxy"] = .string(useProxy) }
        return try await run { JSONResponse.make(try await face.artifacts.startMultipart(ArtifactArguments(object), actor: actor)) }
    }

    private func completeMultipart(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let (actor, _, workspace, alias) = try prepare(request, context)
        let body = try await RequestBodies.collectJSON(request, byteCountMax: Limits.jsonBodyByteCountMax)
        var object = body?.objectValue ?? JSONObject()
        object["artifact_id"] = .string("\(workspace)/\(alias ?? "")")
        return try await run { JSONResponse.make(try await face.artifacts.completeMultipart(ArtifactArguments(object), actor: actor)) }
    }
}
