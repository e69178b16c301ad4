import Access
import BlobStore
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import NIOCore
import Objects
import SporeJSON

/// Large files from the browser: a multipart upload in parts the UI sends one by one (raw bodies,
/// each streamed into the store), so a file of any size up to the multipart limit uploads with
/// bounded memory, a failed part is sent again rather than the whole file, and cancel aborts.
struct MultipartRoutes {
    let face: ConsoleFace

    /// The part size the UI is told to use: large enough that 10,000 parts cover 640 GiB.
    static let partByteCountSuggested: Int64 = 64 << 20

    func register(on router: Router<SporeRequestContext>) {
        router.post("/api/objects/multipart/:bucket/:key") { request, context in try await create(request, context) }
        router.put("/api/objects/multipart/:bucket/:key") { request, context in try await part(request, context) }
        router.post("/api/objects/multipart/:bucket/:key/complete") { request, context in try await complete(request, context) }
        router.delete("/api/objects/multipart/:bucket/:key") { request, context in try await abort(request, context) }
    }

    private struct Target {
        let caller: ConsoleCaller
        let bucket: String
        let key: ObjectKey
    }

    /// The caller, bucket and key of a request, with `s3:PutObject` on the key checked.
    private func target(_ request: Request, _ context: SporeRequestContext, operation: String, action: String = "s3:PutObject") throws
        -> Target
    {
        let caller = try face.caller(request, context: context)
        let name = try ConsoleRequest.parameter(context, "bucket")
        let key = try ConsoleRequest.decodeKey(try ConsoleRequest.parameter(context, "key"))
        context.labels.set(operation: "console." + operation, resource: name + "/" + key)
        _ = try face.authorizedBucket(caller, name, action: action, key: key)
        guard let objectKey = ObjectKey(validating: key) else { throw ConsoleError.invalid("invalid key") }
        return Target(caller: caller, bucket: name, key: objectKey)
    }

    private static func uploadID(_ request: Request) throws -> UploadID {
        let text = ConsoleRequest.query(request)["uploadId"] ?? ""
        guard let id = UploadID(parsing: text) else { throw ConsoleError(.notFound, "NoSuchUpload", "No such upload.") }
        return id
    }

    private func create(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let target = try target(request, context, operation: "CreateMultipart")
        let body = try await ConsoleRequest.jsonObject(request)
        if let size = try ConsoleRequest.int(body["size"], name: "size", range: 0...Int64.max) {
            guard size <= Limits.multipartObjectByteCountMax else { throw ObjectError.tooLarge(byteCountMax: Limits.multipartObjectByteCountMax) }
            if size > (try await face.objects.disk.availableBytes()) { throw ObjectError.storageFull }
        }
        let type = body["contentType"]?.stringValue.flatMap { $0.isEmpty || $0 == "application/octet-stream" ? nil : $0 }
        let template = MultipartUpload(
            key: target.key.value, owner: target.caller.user, headers: ContentHeaders(contentType: type ?? MediaTypes.guess(target.key.value)))
        let upload = try await face.objects.createUpload(bucket: target.bucket, key: target.key, template: template)
        return JSONResponse.make([
            "uploadId": .string(upload.uploadID.description), "partSize": .int(Self.partByteCountSuggested),
            "partCountMax": .int(Int64(Limits.partNumberMax)),
        ])
    }

    /// One part, streamed; its length must be declared (the browser always does).
    private func part(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let target = try target(request, context, operation: "UploadPart")
        let uploadID = try Self.uploadID(request)
        let text = ConsoleRequest.query(request)["partNumber"]
        guard let number = try ConsoleRequest.int(text, name: "partNumber", range: 1...Int64(Limits.partNumberMax)) else {
            throw ConsoleError.invalid("partNumber is required.")
        }
        guard let declared = request.headers[.contentLength].flatMap({ Int64($0) }) else {
            throw ConsoleError(.lengthRequired, "MissingContentLength", "A part needs its Content-Length.")
        }
        let (_, upload) = try face.catalog.uploads.upload(bucket: target.bucket, key: target.key, uploadID: uploadID)
        // Parts are sealed with the upload's key (a bucket default, or an upload started through S3).
        let partKey = try face.objects.partKey(for: upload)
        let spec = IngestSpec(declaredByteCount: declared, byteCountMax: Limits.partByteCountMax, allowsInline: false)
        let ingested = try await face.objects.ingest(request.body, spec, encryptingWith: partKey)
        var part = UploadPart(
            partNumber: Int(number), etag: Hex.encode(ingested.digests.md5), byteCount: ingested.digests.byteCount, chunks: ingested.body.chunks,
            checksum: nil, lastModifiedMilliseconds: face.now)
        part.crc32 = ingested.digests.crc32
        do {
            try await face.catalog.uploads.putPart(
                bucket: target.bucket, key: target.key, uploadID: uploadID, part: part, md5: partKey == nil ? ingested.digests.md5 : nil)
            ingested.lease?.release()
        } catch {
            await face.objects.abandon(ingested)
            throw error
        }
        return JSONResponse.make(["partNumber": .int(number), "etag": .string(part.etag), "size": .int(part.byteCount)])
    }

    private func complete(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let target = try target(request, context, operation: "CompleteMultipart")
        let body = try await ConsoleRequest.jsonObject(request)
        guard let text = body["uploadId"]?.stringValue, let uploadID = UploadID(parsing: text), let list = body["parts"]?.arrayValue, !list.isEmpty,
            list.count <= Limits.partNumberMax
        else {
            throw ConsoleError.invalid("Send {\"uploadId\", \"parts\": [{\"partNumber\", \"etag\"}]}.")
        }
        let parts = try list.map { item -> CompletionPart in
            guard let number = item["partNumber"]?.intValue, let etag = item["etag"]?.stringValue else {
                throw ConsoleError.invalid("Each part needs partNumber and etag.")
            }
            return CompletionPart(partNumber: Int(number), etag: etag, checksum: nil)
        }
        // An SSE-C upload (started through S3) completes only with its key, which this API cannot carry.
        if let (_, upload) = try? face.catalog.uploads.upload(bucket: target.bucket, key: target.key, uploadID: uploadID) {
            _ = try face.objects.partKey(for: upload)
        }
        let result = try await face.catalog.uploads.completeUpload(
            bucket: target.bucket, key: target.key, uploadID: uploadID, parts: parts, partByteCountMin: face.objects.settings.partByteCountMin,
            expectedChecksum: nil, preconditions: .none, nowMilliseconds: face.now)
        return JSONResponse.make([
            "message": "Upload successful", "key": .string(target.key.value), "bucket": .string(target.bucket),
            "etag": .string("\"\(result.completed.etag)\""),
        ])
    }

    private func abort(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let target = try target(request, context, operation: "AbortMultipart", action: "s3:AbortMultipartUpload")
        try await face.catalog.uploads.abortUpload(
            bucket: target.bucket, key: target.key, uploadID: try Self.uploadID(request), nowMilliseconds: face.now)
        return JSONResponse.make(["message": "Upload cancelled"])
    }
}
