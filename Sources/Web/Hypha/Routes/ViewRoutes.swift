import Artifacts
import Crypto
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import NIOCore
import Objects
import SporeJSON
import Synchronization
import Templates

/// Static sites from artifacts, as Hypha's `GET /{ws}/view/{alias}/{path}`: stored files served
/// straight from the blob store (conditions and ranges as for any file), files named in
/// `view_config.templates` rendered with the Jinja2-compatible engine, spore's own pages for
/// artifacts without a site, `view_config.headers` on every answer.
struct ViewRoutes {
    let face: HyphaFace

    func register(on router: Router<SporeRequestContext>) {
        for method in [HTTPRequest.Method.get, .head] {
            router.on("/:workspace/view/:alias", method: method) { request, context in try await serve(request, context) }
            router.on("/:workspace/view/:alias/**", method: method) { request, context in try await serve(request, context) }
        }
    }

    static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    /// Headers `view_config.headers` may not set.
    static let reservedHeaders: Set<String> = [
        "content-length", "transfer-encoding", "connection", "content-type", "content-range", "etag", "last-modified", "x-content-type-options",
        "set-cookie", "access-control-allow-credentials", "www-authenticate", "location", "service-worker-allowed", "clear-site-data",
    ]

    /// The path after `/{ws}/view/{alias}/`, decoded.
    static func sitePath(_ request: Request) throws -> String {
        let segments = request.uri.path.split(separator: "/", maxSplits: 4, omittingEmptySubsequences: false)
        guard segments.count > 4 else { return "" }
        guard let path = PercentEncoding.decodeString(segments[4], plusIsSpace: false) else { throw HyphaError.badRequest("Invalid path") }
        return path
    }

    /// Every answer of a view, errors included, says `nosniff`: pages come from users.
    private func serve(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        var response: Response
        do {
            response = try await answer(request, context)
        } catch let error as HyphaError {
            response = try error.response(from: request, context: context)
        }
        response.headers[Self.contentTypeOptions] = "nosniff"
        return response
    }

    /// The caller: `?token=` wins over the header and the cookie on view routes, as in Hypha
    /// (a link with a token opens the page as that token's user).
    private func viewCaller(_ request: Request, query: HyphaQuery) throws -> HyphaCaller {
        if let token = query["token"], !token.isEmpty {
            var headers = request.headers
            headers[.authorization] = "Bearer \(token)"
            headers[.cookie] = nil
            let rewritten = Request(
                head: HTTPRequest(method: request.method, scheme: nil, authority: nil, path: request.uri.path, headerFields: headers),
                body: .init(buffer: ByteBuffer()))
            return try face.caller(rewritten, query: HyphaQuery(target: request.uri.path))
        }
        return try face.caller(request, query: query)
    }

    private func answer(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let workspace = try HyphaFace.workspace(context)
        let query = HyphaQuery(target: request.uri.description)
        let caller = try viewCaller(request, query: query)
        let base = face.artifactActor(caller)
        let actor = ArtifactActor(caller: base.caller, contextWorkspace: workspace) { base.workspaceAccess($0) }
        let alias = try ServiceRoutes.decoded(context.parameters.get("alias"))
        let requested = try Self.sitePath(request)
        var object: JSONObject = ["artifact_id": .string("\(workspace)/\(alias)")]
        if let version = query["version"] { object["version"] = .string(version) }
        if let stage = query["stage"] { object["stage"] = .string(stage) }
        let page: ArtifactSitePage
        do {
            page = try face.artifacts.sitePage(ArtifactArguments(object), path: requested, actor: actor)
        } catch let error as ArtifactError where error.kind == .keyError {
            throw HyphaError(status: .notFound, detail: "Artifact `\(alias)` not found", shape: .detailOnly)
        } catch {
            throw ArtifactRoutes.routeError(error)
        }
        var response: Response
        switch page.kind {
        case .file:
            guard let version = page.version else {
                // Hypha relays the storage error as text here (a template that is missing is JSON).
                let details: JSONValue = [
                    "Error": ["Code": "NoSuchKey", "Message": "The specified key does not exist.", "Key": .string(page.key)],
                    "ResponseMetadata": ["HTTPStatusCode": 404],
                ]
                throw HyphaError(status: .notFound, detail: "File not found, details: \(details.jsonText)", shape: .text)
            }
            response = try await ObjectResponse.serve(
                face.objects, version: version, request: request, contentType: MediaTypes.guess(page.path), eventLoop: context.channel.eventLoop
            )
        case .template, .builtin:
            let rendered = try await renderedPage(page, caller: caller, workspace: workspace, alias: alias, actor: actor, query: query)
            response = Self.pageResponse(rendered, request: request)
        }
        for (name, value) in page.headers {
            // Framing, validators, cookies and credentialed CORS stay spore's; a value that could
            // split the response is dropped.
            guard let field = HTTPField.Name(name), !Self.reservedHeaders.contains(field.canonicalName),
                !field.canonicalName.hasPrefix("access-control-allow-credentials"),
                !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F })
            else { continue }
            response.headers[field] = value
        }
        return response
    }

    // MARK: Rendering

    struct RenderedPage: Sendable {
        let body: ByteBuffer
        let contentType: String
        let etag: String
        /// Set for a page whose template failed: the error detail.
        var failure: String?

        init(body: ByteBuffer, contentType: String, etag: String) {
            self.body = body
            self.contentType = contentType
            self.etag = etag
        }

        init(failure: String) {
            self.init(body: ByteBuffer(), contentType: "", etag: "")
            self.failure = failure
        }
    }

    private func renderedPage(
        _ page: ArtifactSitePage, caller: HyphaCaller, workspace: String, alias: String, actor: ArtifactActor, query: HyphaQuery
    ) async throws -> RenderedPage {
        let source: String
        switch page.kind {
        case .builtin(let name): source = name
        default: source = page.version.map { "\(page.key)#\($0.etag)" } ?? page.key
        }
        let user = Self.user(caller)
        // Keyed by everything the template can see of the caller (its whole `user`: token
        // scopes and expiry too), never by the user id alone.
        let cacheKey = [page.record.id, String(page.slot), page.path, source, user.jsonText, query["version"] ?? "", query["stage"] ?? ""]
            .joined(separator: "\u{0}")
        let now = face.nowMilliseconds
        if let hit = face.viewPages.page(cacheKey, nowMilliseconds: now) {
            if let failure = hit.failure { throw HyphaError(status: .internalServerError, detail: failure, shape: .detailOnly) }
            return hit
        }
        let context = try variables(page, caller: caller, user: user, workspace: workspace, alias: alias)
        let text: String
        do {
            switch page.kind {
            case .builtin(let name):
                text = try await builtinPage(name: name, page: page, context: context, workspace: workspace, alias: alias, actor: actor, query: query)
            default:
                guard let version = page.version else {
                    throw HyphaError(status: .notFound, detail: "File not found: \(page.path)", shape: .detailOnly)
                }
                let objects = face.objects
                let artifacts = face.artifacts
                let gate = face.templateRenders
                // Loading (parsing) and rendering both hold a slot: both are work a visitor causes.
                text = try await gate.withSlot {
                    let bundle = try await TemplateBundle(name: page.path) { name in
                        let found = name == page.path ? version : try artifacts.siteFile(page, name: name)
                        guard let found else { return nil }
                        return try await Self.text(of: found, objects: objects, name: name)
                    }
                    return try await gate.offPool { try bundle.render(context) }
                }
            }
        } catch let error as ArtifactError {
            throw ArtifactRoutes.routeError(error)
        } catch is TemplateRenderGate.Busy {
            throw HyphaError(status: .serviceUnavailable, detail: "Too many pages are being rendered; try again", shape: .detailOnly)
        } catch let error as TemplateError {
            // A failing page is remembered like a rendered one, so asking again costs nothing.
            let detail = "Template rendering failed: \(error)"
            face.viewPages.store(cacheKey, RenderedPage(failure: detail), nowMilliseconds: now)
            throw HyphaError(status: .internalServerError, detail: detail, shape: .detailOnly)
        }
        // A template with no known extension is a page, as Hypha answers `text/html` for it.
        let guessed = MediaTypes.guess(page.path)
        let contentType = guessed == MediaTypes.fallback ? "text/html; charset=utf-8" : Self.withCharset(guessed)
        let body = ByteBuffer(string: text)
        let digest = SHA256.hash(data: Array(text.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        let rendered = RenderedPage(body: body, contentType: contentType, etag: "\"\(digest)\"")
        face.viewPages.store(cacheKey, rendered, nowMilliseconds: now)
        return rendered
    }

    static func withCharset(_ type: String) -> String {
        type.hasPrefix("text/") && !type.contains("charset") ? type + "; charset=utf-8" : type
    }

    /// A stored template's text; templates are small (`TemplateLimits.sourceBytesMax`) and UTF-8.
    static func text(of version: ObjectVersion, objects: ObjectService, name: String) async throws -> String {
        guard version.byteCount <= TemplateLimits.sourceBytesMax else {
            throw TemplateError("template is larger than \(TemplateLimits.sourceBytesMax) bytes", template: name, line: 1, column: 1)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(version.byteCount))
        for try await chunk in objects.bytes(of: version, window: ByteRange.whole(version.byteCount)) { bytes += chunk.readableBytesView }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw TemplateError("template is not valid UTF-8", template: name, line: 1, column: 1)
        }
        return text
    }

    /// A rendered page with its ETag; `If-None-Match` answers 304. Rendered pages are small and
    /// change with counts, so they are answered whole (no ranges).
    static func pageResponse(_ page: RenderedPage, request: Request) -> Response {
        var headers = HTTPFields()
        headers[.eTag] = page.etag
        headers[.contentType] = page.contentType
        headers[.cacheControl] = "no-cache"
        if let condition = request.headers[.ifNoneMatch],
            condition.split(separator: ",").contains(where: {
                $0.trimmingCharacters(in: .whitespaces) == page.etag || $0.trimmingCharacters(in: .whitespaces) == "*"
            })
        {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(page.body.readableBytes)
        if request.method == .head { return Response(status: .ok, headers: headers) }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: page.body))
    }

    /// The caller as Hypha's `user_info.model_dump(mode="json")` shows it to templates.
    static func user(_ caller: HyphaCaller) -> JSONValue {
        var workspaces = JSONObject()
        for (name, permission) in (caller.token?.workspaces ?? [:]).sorted(by: { $0.key < $1.key }) {
            workspaces[name] = .string(permission.scopeCode)
        }
        return [
            "id": .string(caller.isAnonymous ? ArtifactActor.anonymousUserID : caller.userID), "is_anonymous": .bool(caller.isAnonymous),
            "email": caller.token?.email.map(JSONValue.string) ?? .null, "parent": .null,
            "roles": .array((caller.token?.roles ?? (caller.isAnonymous ? ["anonymous"] : [])).map(JSONValue.string)),
            "scope": [
                "current_workspace": caller.currentWorkspace.map(JSONValue.string) ?? .null, "workspaces": .object(workspaces),
                "client_id": .null, "extra_scopes": .array((caller.token?.extraScopes ?? []).map(JSONValue.string)),
            ],
            "expires_at": caller.token.map { .double(Double($0.expiresAtSeconds)) } ?? .null,
            "current_workspace": caller.currentWorkspace.map(JSONValue.string) ?? .null,
        ]
    }

    /// The template variables: the seed document's names and the names Hypha 0.21.137 passes.
    private func variables(_ page: ArtifactSitePage, caller: HyphaCaller, user: JSONValue, workspace: String, alias: String) throws
        -> TemplateMapping
    {
        let artifact = page.artifact.objectValue ?? JSONObject()
        let publicURL = face.configuration.httpBaseURL
        var context = TemplateMapping()
        context["MANIFEST"] = TemplateValue(artifact["manifest"] ?? .object(JSONObject()))
        context["CONFIG"] = TemplateValue(artifact["config"] ?? .object(JSONObject()))
        context["BASE_URL"] = .text("/\(workspace)/view/\(alias)/")
        context["PUBLIC_BASE_URL"] = .text(publicURL)
        context["LOCAL_BASE_URL"] = .text(publicURL)
        context["WORKSPACE"] = .text(workspace)
        context["VIEW_COUNT"] = TemplateValue(artifact["view_count"] ?? .int(0))
        context["DOWNLOAD_COUNT"] = TemplateValue(artifact["download_count"] ?? .int(0))
        context["USER"] = caller.isAnonymous ? .none : TemplateValue(user)
        context["artifact"] = TemplateValue(page.artifact)
        context["workspace"] = .text(workspace)
        context["user"] = TemplateValue(user)
        context["view_base_url"] = .text("\(publicURL)/\(workspace)/view/\(alias)")
        context["artifact_base_url"] = .text("\(publicURL)/\(workspace)/artifacts/\(alias)")
        context["public_base_url"] = .text(publicURL)
        context["local_base_url"] = .text(publicURL)
        context["metadata"] = TemplateValue(page.metadata)
        return context
    }

    // MARK: Built-in pages

    private func builtinPage(
        name: String, page: ArtifactSitePage, context: TemplateMapping, workspace: String, alias: String, actor: ArtifactActor, query: HyphaQuery
    ) async throws -> String {
        guard name == "index.html" else {
            throw HyphaError(status: .notFound, detail: "Template file not found: \(name)", shape: .detailOnly)
        }
        var context = context
        let publicURL = face.configuration.httpBaseURL
        let artifactURL = "\(publicURL)/\(workspace)/artifacts/\(PercentEncoding.encode(alias))"
        var versionQuery = ""
        if let version = query["version"] { versionQuery = "?version=" + PercentEncoding.encode(version) }
        if let stage = query["stage"] { versionQuery = "?stage=" + PercentEncoding.encode(stage) }
        context["zip_url"] = .text(artifactURL + "/create-zip-file" + versionQuery)
        context["files_url"] = .text(artifactURL + "/files/")
        context["version_query"] = .text(versionQuery)
        context["created"] = .text(Self.date(page.artifact["created_at"]))
        context["modified"] = .text(Self.date(page.artifact["last_modified"]))
        var versions: [TemplateValue] = []
        for version in (page.artifact["versions"]?.arrayValue ?? []).reversed() {
            var entry = TemplateMapping()
            entry["version"] = TemplateValue(version["version"] ?? .null)
            entry["comment"] = TemplateValue(version["comment"] ?? .null)
            entry["created"] = .text(Self.date(version["created_at"]))
            versions.append(.mapping(entry))
        }
        context["versions"] = .list(versions)
        var manifest: [TemplateValue] = []
        for (key, value) in page.artifact["manifest"]?.objectValue?.pairs ?? [] where !["name", "description"].contains(key) {
            manifest.append(.tuple([.text(key), .text(value.stringValue ?? value.jsonText)]))
        }
        context["manifest_rows"] = .list(manifest)
        let isCollection = page.record.type == "collection"
        if isCollection {
            // Children the caller may read, as `list` shows them (never private ones).
            let arguments = ArtifactArguments([
                "parent_id": .string("\(workspace)/\(alias)"), "limit": .int(Int64(Self.galleryChildCountMax)), "silent": .bool(true),
            ])
            let listed = try face.artifacts.list(arguments, actor: actor, call: .list, source: .serviceCall)
            var children: [TemplateValue] = []
            for child in listed.arrayValue ?? [] {
                let childAlias = child["alias"]?.stringValue ?? ""
                let childWorkspace = child["workspace"]?.stringValue ?? workspace
                var entry = TemplateMapping()
                entry["name"] = .text(child["manifest"]?["name"]?.stringValue ?? childAlias)
                entry["description"] = .text(child["manifest"]?["description"]?.stringValue ?? "")
                entry["type"] = .text(child["type"]?.stringValue ?? "")
                entry["views"] = TemplateValue(child["view_count"] ?? .int(0))
                entry["downloads"] = TemplateValue(child["download_count"] ?? .int(0))
                entry["files"] = TemplateValue(child["file_count"] ?? .int(0))
                entry["url"] = .text("\(publicURL)/\(childWorkspace)/view/\(PercentEncoding.encode(childAlias))/")
                entry["zip_url"] = .text("\(publicURL)/\(childWorkspace)/artifacts/\(PercentEncoding.encode(childAlias))/create-zip-file")
                children.append(.mapping(entry))
            }
            context["children"] = .list(children)
        } else {
            var arguments: JSONObject = ["artifact_id": .string("\(workspace)/\(alias)"), "limit": .int(Int64(Self.pageFileCountMax))]
            if let version = query["version"] { arguments["version"] = .string(version) }
            if let stage = query["stage"] { arguments["stage"] = .string(stage) }
            let listed = try face.artifacts.listFiles(ArtifactArguments(arguments), actor: actor)
            var files: [TemplateValue] = []
            for file in listed.arrayValue ?? [] {
                var entry = TemplateMapping()
                let fileName = file["name"]?.stringValue ?? ""
                entry["name"] = .text(fileName)
                entry["directory"] = .bool(file["type"]?.stringValue == "directory")
                entry["size"] = TemplateValue(file["size"] ?? .int(0))
                entry["url"] = .text(artifactURL + "/files/" + PercentEncoding.encode(fileName) + versionQuery)
                files.append(.mapping(entry))
            }
            context["files"] = .list(files)
        }
        let template = isCollection ? BuiltinPages.collection : BuiltinPages.artifact
        let variables = context
        let gate = face.templateRenders
        return try await gate.withSlot { try await gate.offPool { try template.render(variables, autoescape: true) } }
    }

    /// Children a built-in gallery shows.
    static let galleryChildCountMax = 500
    /// Files a built-in artifact page lists.
    static let pageFileCountMax = 1000

    static func date(_ value: JSONValue?) -> String {
        guard let seconds = value?.doubleValue else { return "" }
        return Timestamp.iso8601(milliseconds: Int64(seconds * 1000)).prefix(16).replacingOccurrences(of: "T", with: " ") + " UTC"
    }
}

/// Rendered view pages for a few seconds: a template page is rendered once per artifact version,
/// template object, caller and query until it expires, so counts on it refresh within
/// `ttlMilliseconds`. Bounded by bytes.
final class ViewPageCache: Sendable {
    static let ttlMilliseconds: Int64 = 5_000
    static let byteCountMax = 32 << 20
    static let pageByteCountMax = 1 << 20
    static let pageCountMax = 4096

    private struct Entry {
        let page: ViewRoutes.RenderedPage
        let storedMilliseconds: Int64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var byteCount = 0
    }

    private let state = Mutex(State())

    func page(_ key: String, nowMilliseconds: Int64) -> ViewRoutes.RenderedPage? {
        state.withLock { state in
            guard let entry = state.entries[key], nowMilliseconds - entry.storedMilliseconds <= Self.ttlMilliseconds else { return nil }
            return entry.page
        }
    }

    func store(_ key: String, _ page: ViewRoutes.RenderedPage, nowMilliseconds: Int64) {
        guard page.body.readableBytes <= Self.pageByteCountMax else { return }
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: key) { state.byteCount -= old.page.body.readableBytes }
            if state.byteCount + page.body.readableBytes > Self.byteCountMax || state.entries.count >= Self.pageCountMax {
                // Expired pages go first; if that is not enough, everything (pages are cheap to
                // render again, and this keeps the bound simple).
                for (name, entry) in state.entries where nowMilliseconds - entry.storedMilliseconds > Self.ttlMilliseconds {
                    state.entries[name] = nil
                    state.byteCount -= entry.page.body.readableBytes
                }
                if state.byteCount + page.body.readableBytes > Self.byteCountMax || state.entries.count >= Self.pageCountMax {
                    state.entries.removeAll()
                    state.byteCount = 0
                }
            }
            state.entries[key] = Entry(page: page, storedMilliseconds: nowMilliseconds)
            state.byteCount += page.body.readableBytes
        }
    }
}
