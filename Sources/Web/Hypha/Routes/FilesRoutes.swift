import BlobStore
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Objects
import SporeJSON

/// `/{workspace}/files/…` and the workspace multipart endpoints, as Hypha's `S3Controller` serves
/// them.
struct FilesRoutes {
    static let contentMD5Field = HTTPField.Name("content-md5")!
    let face: HyphaFace

    func register(on router: Router<SporeRequestContext>) {
        let methods: [HTTPRequest.Method] = [.get, .head, .put, .delete, .post, .patch]
        for path in ["/:workspace/files", "/:workspace/files/**"] {
            for method in methods {
                router.on(RouterPath(path), method: method) { request, context in try await files(request, context) }
            }
        }
        router.post("/:workspace/create-multipart-upload") { request, context in
            try await createMultipartUpload(request, context, workspace: try HyphaFace.workspace(context))
        }
        router.post("/:workspace/complete-multipart-upload") { request, context in
            try await completeMultipartUpload(request, context, workspace: try HyphaFace.workspace(context))
        }
    }

    /// The path after `/{workspace}/files/`, decoded; empty for the workspace's root.
    static func filePath(_ request: Request) throws -> String {
        let segments = request.uri.path.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard segments.count > 3 else { return "" }
        guard let path = PercentEncoding.decodeString(segments[3], plusIsSpace: false) else { throw HyphaError.badRequest("Invalid path") }
        return path
    }

    private func files(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let workspace = try HyphaFace.workspace(context)
        let path = try Self.filePath(request)
        if request.method == .post, path == "create-multipart-upload" {
            return try await createMultipartUpload(request, context, workspace: workspace)
        }
        if request.method == .post, path == "complete-multipart-upload" {
            return try await completeMultipartUpload(request, context, workspace: workspace)
        }
        let query = HyphaQuery(target: request.uri.description)
        let caller = try face.caller(request, query: query)
        try await face.ensureBucket()
        let isDirectory = path.isEmpty || path.hasSuffix("/")
        switch request.method {
        case .put where !isDirectory:
            try face.require(.readWrite, on: workspace, caller: caller)
            return try await upload(workspace, path: path, request: request, context: context)
        case .get where isDirectory && query["format"] == "zip", .head where isDirectory && query["format"] == "zip":
            try face.require(.read, on: workspace, caller: caller)
            return try await zipFolder(workspace, path: path, request: request, context: context)
        case .get where isDirectory, .head where isDirectory:
            try face.require(.read, on: workspace, caller: caller)
            let limit = try Self.integer(query["max_length"], default: 1000, range: 1...Limits.listLengthMax, name: "max_length")
            let listing = try face.list(prefix: try face.key(workspace, path), limit: limit, offset: 0)
            guard !listing.isEmpty else { throw HyphaError.notFound("Directory does not exists: \(workspace)/\(path)") }
            let name = path.split(separator: "/").last.map(String.init) ?? ""
            return JSONResponse.make(["success": true, "type": "directory", "name": .string(name), "children": .array(listing)])
        case .get, .head:
            try face.require(.read, on: workspace, caller: caller)
            return try await download(workspace, path: path, request: request, context: context)
        case .delete:
            try face.require(.readWrite, on: workspace, caller: caller)
            if isDirectory {
                let removed = try await face.removePrefix(try face.key(workspace, path))
                return JSONResponse.make(["success": true, "message": .string("Deleted \(removed) files under \(workspace)/\(path)")])
            }
            let objectKey = try face.key(workspace, path)
            guard try face.exists(objectKey) else { throw HyphaError.notFound("File does not exists: \(objectKey)") }
            try await face.removeKeys([objectKey])
            return JSONResponse.make(["success": true, "message": "File deleted successfully"])
        default:
            throw HyphaError.methodNotAllowed
        }
    }

    /// Streams the body into the object through the object service, as PutObject does (same
    /// limits, same durability: the 200 comes after the bytes and the index are on disk).
    private func upload(_ workspace: String, path: String, request: Request, context: SporeRequestContext) async throws -> Response {
        let objectKey = try face.key(workspace, path)
        guard let key = ObjectKey(validating: objectKey) else { throw HyphaError.badRequest("Invalid path: \(path)") }
        let declared = try Self.declaredLength(request)
        var contentMD5: [UInt8]?
        if let header = request.headers[Self.contentMD5Field] {
            guard let digest = Base64.decode(header), digest.count == 16 else { throw HyphaError.badRequest("Content-MD5 is not a valid MD5 digest") }
            contentMD5 = digest
        }
        let spec = IngestSpec(
            declaredByteCount: declared, byteCountMax: face.objects.settings.objectByteCountMax, contentMD5: contentMD5, allowsInline: true
        )
        let headers = ContentHeaders(
            contentType: request.headers[.contentType] ?? MediaTypes.guess(path), contentEncoding: request.headers[.contentEncoding],
            contentDisposition: request.headers[.contentDisposition], cacheControl: request.headers[.cacheControl]
        )
        let template = ObjectVersion(
            byteCount: 0, etag: "", lastModifiedMilliseconds: 0, headers: headers, userMetadata: [], checksums: [], body: .inline([]),
            owner: face.configuration.storageOwner
        )
        let body = ContinueOnFirstRead(base: request.body, channel: request.headers[.expect] != nil ? context.channel : nil)
        let stored: ObjectVersion
        do {
            stored = try await face.objects.put(bucket: face.bucket, key: key, body: body, spec: spec, template: template)
        } catch {
            let mapped = HyphaError.from(error)
            throw HyphaError(status: mapped.status, detail: "S3 upload failed with status \(mapped.status.code): \(mapped.detail)")
        }
        var responseHeaders = HTTPFields()
        responseHeaders[.eTag] = "\"\(stored.etag)\""
        return JSONResponse.make(["success": true, "message": "File uploaded successfully"], headers: responseHeaders)
    }

    /// Content-Length, or nil for a chunked body of unknown length.
    static func declaredLength(_ request: Request) throws -> Int64? {
        if let length = request.headers[.contentLength] {
            guard let value = Int64(length), value >= 0 else { throw HyphaError.badRequest("Content-Length is not valid") }
            return value
        }
        return nil
    }

    /// Streams the object with a content type guessed from its name; `Range` gives 206.
    private func download(_ workspace: String, path: String, request: Request, context: SporeRequestContext) async throws -> Response {
        let objectKey = try face.key(workspace, path)
        guard let key = ObjectKey(validating: objectKey), let version = try face.objects.currentVersion(bucket: face.bucket, key: key) else {
            let details: JSONValue = [
                "Error": ["Code": "NoSuchKey", "Message": "The specified key does not exist.", "Key": .string(objectKey)],
                "ResponseMetadata": ["HTTPStatusCode": 404],
            ]
            throw HyphaError(status: .notFound, detail: "File not found, details: \(details.jsonText)", shape: .text)
        }
        return try await ObjectResponse.serve(
            face.objects, version: version, request: request, contentType: MediaTypes.guess(path), eventLoop: context.channel.eventLoop
        )
    }

    /// `GET /{ws}/files/{dir}/?format=zip`: everything under the folder as one archive (names
    /// relative to it), with an exact length and `Range` support, like an artifact's zip.
    private func zipFolder(_ workspace: String, path: String, request: Request, context: SporeRequestContext) async throws -> Response {
        let prefix = try face.key(workspace, path)
        var omitted = 0
        let sources: [ZipSource]
        do {
            sources = try ZipResponse.sources(face.objects, bucket: face.bucket, prefix: prefix, base: prefix, unsafeNames: &omitted)
        } catch ZipResponse.Failure.tooManyFiles {
            throw HyphaError.badRequest("The folder holds more than \(ZipResponse.entryCountMax) files.")
        }
        guard !sources.isEmpty else { throw HyphaError.notFound("Directory does not exists: \(workspace)/\(path)") }
        let name = path.split(separator: "/").last.map(String.init) ?? workspace
        do {
            var response = try await ZipResponse.serve(
                face.objects, sources: sources, filename: name + ".zip", request: request, eventLoop: context.channel.eventLoop)
            if omitted > 0 { response.headers[ZipResponse.omittedField] = String(omitted) }
            return response
        } catch let error as ZipResponse.Failure {
            throw HyphaError.badRequest("\(error)")
        }
    }

    // MARK: Multipart

    private func createMultipartUpload(_ request: Request, _ context: SporeRequestContext, workspace: String) async throws -> Response {
        let query = HyphaQuery(target: request.uri.description)
        let caller = try face.caller(request, query: query)
        try await face.ensureBucket()
        try face.require(.readWrite, on: workspace, caller: caller)
        guard let path = query["path"], !path.isEmpty else { throw HyphaError.badRequest("path is required") }
        guard let countText = query["part_count"] else { throw HyphaError.badRequest("part_count is required") }
        guard let partCount = Int(countText), (1...Limits.partNumberMax).contains(partCount) else {
            throw HyphaError.badRequest("part_count must be between 1 and \(Limits.partNumberMax)")
        }
        let expiresIn = try Self.integer(query["expires_in"], default: 3600, range: 1...Limits.presignExpirySecondsMax, name: "expires_in")
        let result = try await face.startMultipart(
            workspace, path: path, partCount: partCount, expiresSeconds: expiresIn, ttlSeconds: nil, useProxy: nil
        )
        return JSONResponse.make(result)
    }

    private func completeMultipartUpload(_ request: Request, _ context: SporeRequestContext, workspace: String) async throws -> Response {
        let query = HyphaQuery(target: request.uri.description)
        let caller = try face.caller(request, query: query)
        try await face.ensureBucket()
        try face.require(.readWrite, on: workspace, caller: caller)
        let body = try await RequestBodies.collectJSON(request, byteCountMax: Limits.jsonBodyByteCountMax)
        guard let uploadID = body?["upload_id"]?.stringValue, let parts = body?["parts"], parts.arrayValue != nil else {
            throw HyphaError.badRequest("The body must be {\"upload_id\": …, \"parts\": [{\"part_number\": …, \"etag\": …}]}")
        }
        return JSONResponse.make(try await face.completeMultipart(workspace, uploadID: uploadID, parts: try HyphaFace.completionParts(parts)))
    }

    static func integer(_ text: String?, default value: Int, range: ClosedRange<Int>, name: String) throws -> Int {
        guard let text else { return value }
        guard let parsed = Int(text) ?? Double(text).flatMap({ $0.isFinite && abs($0) < 9e18 ? Int($0) : nil }), range.contains(parsed) else {
            throw HyphaError.badRequest("\(name) must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return parsed
    }
}
