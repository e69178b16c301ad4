import Access
import BlobStore
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Logging
import NIOCore
import Objects
import SporeJSON
import Synchronization

/// The Objects API of the S3 console seed: listing and search, upload with progress, download
/// (one object or a folder as zip), delete (one object or a whole prefix), view with preview.
struct ObjectRoutes {
    let face: ConsoleFace

    /// Uploads stored at once; the others wait (`queued` in their progress).
    static let concurrentUploadCountMax = 8
    /// Objects one folder delete removes; past it the answer says `remaining` and the UI asks again.
    static let prefixDeleteKeyCountMax = 100_000
    static let listKeyCountDefault = 500
    static let listKeyCountMax = 2000
    /// Keys a listing query string or search may be.
    static let searchByteCountMax = 1024

    private static let uploadGate = AdmissionGate(capacity: concurrentUploadCountMax)

    func register(on router: Router<SporeRequestContext>) {
        router.get("/api/objects/:bucket") { request, context in try list(request, context, encodedPrefix: "") }
        // One parameter name per position: the router keeps one tree for every method.
        router.get("/api/objects/:bucket/:key") { request, context in
            try list(request, context, encodedPrefix: try ConsoleRequest.parameter(context, "key"))
        }
        router.post("/api/objects/upload/:bucket/:key") { request, context in try await upload(request, context) }
        router.get("/api/objects/upload-progress/:key") { request, context in try progress(request, context) }
        router.get("/api/objects/download/:bucket/:key") { request, context in try await download(request, context) }
        router.head("/api/objects/download/:bucket/:key") { request, context in try await download(request, context) }
        router.get("/api/objects/download-zip/:bucket") { request, context in try await zip(request, context, encodedPrefix: "") }
        router.get("/api/objects/download-zip/:bucket/:prefix") { request, context in
            try await zip(request, context, encodedPrefix: try ConsoleRequest.parameter(context, "prefix"))
        }
        router.delete("/api/objects/:bucket/:key") { request, context in try await delete(request, context) }
        router.get("/api/objects/view/:bucket/:key") { request, context in try await view(request, context) }
        router.put("/api/objects/tags/:bucket/:key") { request, context in try await putTags(request, context) }
        router.put("/api/objects/metadata/:bucket/:key") { request, context in try await putMetadata(request, context) }
    }

    // MARK: Listing and search

    private func list(_ request: Request, _ context: SporeRequestContext, encodedPrefix: String) throws -> Response {
        let caller = try face.caller(request, context: context)
        let name = try ConsoleRequest.parameter(context, "bucket")
        let prefix = try ConsoleRequest.decodeKey(encodedPrefix, allowEmpty: true)
        let query = ConsoleRequest.query(request)
        let maxKeys = Int(
            try ConsoleRequest.int(query["maxKeys"], name: "maxKeys", range: 1...Int64(Self.listKeyCountMax)) ?? Int64(Self.listKeyCountDefault))
        let after = try query["continuationToken"].flatMap { token -> [UInt8]? in
            guard let bytes = Base64URL.decode(token) else { throw ConsoleError.invalid("continuationToken is not one this API gave.") }
            return bytes
        }
        context.labels.set(operation: "console.ListObjects", resource: name + "/" + prefix)
        let q = query["q"] ?? ""
        guard q.utf8.count <= Self.searchByteCountMax else { throw ConsoleError.invalid("q is longer than \(Self.searchByteCountMax) bytes.") }
        let mode = query["mode"] ?? "contains"
        guard mode == "contains" || mode == "startsWith" else { throw ConsoleError.invalid("mode must be startsWith or contains.") }
        // What is listed is what is authorized: a startsWith search lists `prefix + q`.
        let bucket = try face.authorizedBucket(caller, name, action: "s3:ListBucket", prefix: mode == "startsWith" ? prefix + q : prefix)
        guard !q.isEmpty else {
            return JSONResponse.make(.object(try listLevel(bucket, prefix: prefix, after: after, maxKeys: maxKeys, q: nil)))
        }
        if mode == "startsWith" {
            var answer = try listLevel(bucket, prefix: prefix, after: after, maxKeys: maxKeys, q: q)
            let found = (answer["objects"]?.arrayValue?.count ?? 0) + (answer["prefixes"]?.arrayValue?.count ?? 0)
            // Broadening scans the whole folder: it needs the listing of the folder itself.
            guard found == 0, after == nil, query["autoBroaden"] == "true", face.allows(caller, bucket, action: "s3:ListBucket", prefix: prefix)
            else { return JSONResponse.make(.object(answer)) }
            if let wait = admitContains(caller) {
                answer["filter"] = answer["filter"].map { filter in
                    var object = filter.objectValue ?? [:]
                    object["broadened"] = false
                    object["retryAfterSeconds"] = .int((wait + 999) / 1000)
                    return .object(object)
                }
                return JSONResponse.make(.object(answer))
            }
            var broadened = try search(bucket, prefix: prefix, after: nil, maxKeys: maxKeys, q: q)
            if case .object(var filter)? = broadened["filter"] {
                filter["broadened"] = true
                broadened["filter"] = .object(filter)
            }
            return JSONResponse.make(.object(broadened))
        }
        if let wait = admitContains(caller) {
            var error = ConsoleError(.tooManyRequests, "TooManyRequests", "Contains searches are limited to 5 a minute; try again shortly.")
            error.headers[.retryAfter] = String((wait + 999) / 1000)
            throw error
        }
        return JSONResponse.make(.object(try search(bucket, prefix: prefix, after: after, maxKeys: maxKeys, q: q)))
    }

    /// Records a `contains` search, or returns the milliseconds to wait.
    private func admitContains(_ caller: ConsoleCaller) -> Int64? {
        face.searchLimiter.withLock { $0.admit(caller.user, nowMilliseconds: face.now) }
    }

    /// One level under `prefix` (folders rolled up at `/`), optionally only names starting with `q`.
    private func listLevel(_ bucket: BucketRecord, prefix: String, after: [UInt8]?, maxKeys: Int, q: String?) throws -> JSONObject {
        let listed = prefix + (q ?? "")
        var objectsOut = [JSONValue]()
        var prefixesOut = [JSONValue]()
        var objectMatches = JSONObject()
        var prefixMatches = JSONObject()
        var cursor = after
        var truncated = false
        let start = prefix.utf16.count
        let end = start + (q ?? "").utf16.count
        while objectsOut.count + prefixesOut.count < maxKeys {
            let want = min(ListQuery.pageEntryCountMax, maxKeys - objectsOut.count - prefixesOut.count)
            let query = ListQuery(prefix: Array(listed.utf8), delimiter: Array("/".utf8), after: cursor, maxEntries: want)
            let (_, page) = try face.catalog.objects.listObjects(bucket: bucket.name, query: query, nowMilliseconds: face.now)
            for entry in page.entries {
                objectsOut.append(Self.describe(entry.key, entry.version))
                if q != nil { objectMatches[entry.key] = [[.int(Int64(start)), .int(Int64(end))]] }
            }
            for common in page.commonPrefixes {
                prefixesOut.append(["Prefix": .string(common)])
                if q != nil { prefixMatches[common] = [[.int(Int64(start)), .int(Int64(end))]] }
            }
            cursor = page.lastItem
            truncated = page.isTruncated
            if !page.isTruncated { break }
        }
        var answer: JSONObject = ["objects": .array(objectsOut), "prefixes": .array(prefixesOut), "isTruncated": .bool(truncated)]
        if truncated, let cursor { answer["nextContinuationToken"] = .string(Base64URL.encode(cursor)) }
        if let q {
            answer["filter"] = [
                "q": .string(q), "mode": "startsWith", "matches": ["objects": .object(objectMatches), "prefixes": .object(prefixMatches)],
                "scanPages": 1, "partialResult": false,
            ]
        }
        return answer
    }

    /// Every key under `prefix` whose name after the prefix contains `q` (ignoring case), reading at
    /// most `searchScanPageCountMax` pages; a scan that stops early says `partialResult` and gives
    /// the token that resumes it.
    private func search(_ bucket: BucketRecord, prefix: String, after: [UInt8]?, maxKeys: Int, q: String) throws -> JSONObject {
        var found = [JSONValue]()
        var matches = JSONObject()
        var cursor = after
        var pages = 0
        var scanDone = false
        var stoppedAtLimit = false
        scan: while pages < ConsoleFace.searchScanPageCountMax {
            let query = ListQuery(prefix: Array(prefix.utf8), after: cursor, maxEntries: ListQuery.pageEntryCountMax)
            let (_, page) = try face.catalog.objects.listObjects(bucket: bucket.name, query: query, nowMilliseconds: face.now)
            pages += 1
            for entry in page.entries {
                cursor = Array(entry.key.utf8)
                let name = entry.key.dropFirst(prefix.count)
                guard let range = name.range(of: q, options: .caseInsensitive) else { continue }
                let first = entry.key.utf16.distance(from: entry.key.startIndex, to: range.lowerBound)
                let last = entry.key.utf16.distance(from: entry.key.startIndex, to: range.upperBound)
                found.append(Self.describe(entry.key, entry.version))
                matches[entry.key] = [[.int(Int64(first)), .int(Int64(last))]]
                if found.count == maxKeys {
                    stoppedAtLimit = true
                    break scan
                }
            }
            if !page.isTruncated {
                scanDone = true
                break
            }
            cursor = page.lastItem ?? cursor
        }
        // Whether more keys remain: after a full page limit we only know by looking.
        if stoppedAtLimit, let cursor {
            let probe = ListQuery(prefix: Array(prefix.utf8), after: cursor, maxEntries: 1)
            scanDone = try face.catalog.objects.listObjects(bucket: bucket.name, query: probe, nowMilliseconds: face.now).1.entries.isEmpty
        }
        var answer: JSONObject = ["objects": .array(found), "prefixes": [], "isTruncated": .bool(!scanDone)]
        if !scanDone, let cursor { answer["nextContinuationToken"] = .string(Base64URL.encode(cursor)) }
        answer["filter"] = [
            "q": .string(q), "mode": "contains", "matches": ["objects": .object(matches), "prefixes": [:]], "scanPages": .int(Int64(pages)),
            "partialResult": .bool(!scanDone && !stoppedAtLimit),
        ]
        return answer
    }

    static func describe(_ key: String, _ version: ObjectVersion) -> JSONValue {
        [
            "Key": .string(key), "LastModified": .string(Timestamp.iso8601(milliseconds: version.lastModifiedMilliseconds)),
            "Size": .int(version.byteCount), "ETag": .string("\"\(version.etag)\""), "StorageClass": .string(version.storageClass ?? "STANDARD"),
        ]
    }

    // MARK: Upload

    /// Streams the form's `file` part into the store (never buffered whole), reporting progress
    /// on the board. Durable before the 200; an upload cut off halfway stores nothing.
    private func upload(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let caller = try face.caller(request, context: context)
        let name = try ConsoleRequest.parameter(context, "bucket")
        let encodedKey = try ConsoleRequest.parameter(context, "key")
        let key = try ConsoleRequest.decodeKey(encodedKey)
        context.labels.set(operation: "console.Upload", resource: name + "/" + key)
        _ = try face.authorizedBucket(caller, name, action: "s3:PutObject", key: key)
        guard let objectKey = ObjectKey(validating: key) else { throw ConsoleError.invalid("invalid key") }
        guard let contentType = request.headers[.contentType], let boundary = MultipartFormReader.boundary(contentType) else {
            throw ConsoleError.invalid("Send the file as multipart/form-data with a `file` field.")
        }
        let limit = face.objects.settings.objectByteCountMax
        let declared = request.headers[.contentLength].flatMap { Int64($0) }
        // A form carries a little more than its file: allow its headers before refusing.
        if let declared, declared > limit + Int64(MultipartFormReader.headerByteCountMax) {
            throw ObjectError.tooLarge(byteCountMax: limit)
        }
        if let declared, declared > (try await face.objects.disk.availableBytes()) { throw ObjectError.storageFull }
        let board = face.uploads
        let user = caller.user
        board.update(user: user, encodedKey: encodedKey, nowMilliseconds: face.now) {
            $0 = .init(loaded: 0, total: declared ?? 0, status: .queued, updatedAtMilliseconds: 0)
        }
        await Self.uploadGate.enter()
        defer { Self.uploadGate.leave() }
        do {
            board.update(user: user, encodedKey: encodedKey, nowMilliseconds: face.now) { $0.status = .uploading }
            let reader = MultipartFormReader(body: request.body, boundary: boundary)
            try await reader.start()
            var fields = 0
            while let part = try await reader.nextPart() {
                guard part.name == "file" else {
                    fields += 1
                    guard fields <= MultipartFormReader.fieldCountMax else { throw ConsoleError.invalid("too many form fields") }
                    _ = try await reader.readField()
                    continue
                }
                let type = part.contentType.flatMap { $0 == "application/octet-stream" ? nil : $0 } ?? MediaTypes.guess(key)
                let template = ObjectVersion(
                    byteCount: 0, etag: "", lastModifiedMilliseconds: 0, headers: ContentHeaders(contentType: type), userMetadata: [],
                    checksums: [], body: .inline([]), owner: user
                )
                let clock = face.clock
                let body = ProgressReportingBody(base: FormFileBody(reader: reader)) { bytes in
                    board.update(user: user, encodedKey: encodedKey, nowMilliseconds: clock.nowMilliseconds()) { $0.loaded += Int64(bytes) }
                }
                let spec = IngestSpec(declaredByteCount: nil, byteCountMax: limit, allowsInline: false)
                let stored = try await face.objects.put(bucket: name, key: objectKey, body: body, spec: spec, template: template)
                board.update(user: user, encodedKey: encodedKey, nowMilliseconds: face.now) {
                    $0.loaded = stored.byteCount
                    $0.total = stored.byteCount
                    $0.status = .completed
                }
                var headers = HTTPFields()
                headers[.eTag] = "\"\(stored.etag)\""
                return JSONResponse.make(
                    ["message": "Upload successful", "key": .string(key), "bucket": .string(name), "size": .int(stored.byteCount)], headers: headers)
            }
            throw ConsoleError.invalid("The form has no `file` field.")
        } catch {
            board.update(user: user, encodedKey: encodedKey, nowMilliseconds: face.now) { $0.status = .failed }
            throw error
        }
    }

    /// `text/event-stream` of one upload's progress, opened with a one-time ticket. Ends after the
    /// upload completes or fails, or after `progressStreamIdleMilliseconds` without news.
    private func progress(_ request: Request, _ context: SporeRequestContext) throws -> Response {
        let encodedKey = try ConsoleRequest.parameter(context, "key")
        context.labels.set(operation: "console.UploadProgress", resource: "-")
        guard let secret = ConsoleRequest.query(request)["ticket"],
            let ticket = face.tickets.withLock({ $0.redeem(secret, nowMilliseconds: face.now) })
        else {
            throw ConsoleError.unauthorized("The ticket is missing, used or expired; ask /api/auth/sse-ticket for a new one.")
        }
        guard ticket.resource == encodedKey else { throw ConsoleError.denied("The ticket is for another upload.") }
        let board = face.uploads
        let clock = face.clock
        let body = ResponseBody { writer in
            var last: UploadProgressBoard.Entry?
            var quietSince = clock.nowMilliseconds()
            while true {
                let entry =
                    board.entry(user: ticket.user, encodedKey: encodedKey)
                    ?? .init(loaded: 0, total: 0, status: .idle, updatedAtMilliseconds: 0)
                let now = clock.nowMilliseconds()
                if entry != last {
                    let event: JSONValue = ["loaded": .int(entry.loaded), "total": .int(entry.total), "status": .string(entry.status.rawValue)]
                    try await writer.write(ByteBuffer(string: "data: \(event.jsonText)\n\n"))
                    last = entry
                    quietSince = now
                }
                if entry.status == .completed || entry.status == .failed { break }
                if now - quietSince > Self.progressStreamIdleMilliseconds { break }
                try await Task.sleep(for: .milliseconds(Self.progressIntervalMilliseconds))
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("x-accel-buffering")!: "no"],
            body: body)
    }

    static let progressIntervalMilliseconds = 200
    static let progressStreamIdleMilliseconds: Int64 = 120_000

    // MARK: Download

    /// Types a browser may show inline; anything else (HTML, SVG, scripts) is always an
    /// attachment, so a stored page cannot run on the console's origin.
    static func isSafeInline(_ type: String) -> Bool {
        let base = type.split(separator: ";").first.map { $0.trimmingSpaces().lowercased() } ?? ""
        if base == "image/svg+xml" { return false }
        return base.hasPrefix("image/") || base.hasPrefix("video/") || base.hasPrefix("audio/") || base == "application/pdf"
            || base == "text/plain" || base == "application/json"
    }

    private func download(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let caller = try face.caller(request, context: context)
        let name = try ConsoleRequest.parameter(context, "bucket")
        let key = try ConsoleRequest.decodeKey(try ConsoleRequest.parameter(context, "key"))
        context.labels.set(operation: "console.Download", resource: name + "/" + key)
        let version = try readableVersion(caller, bucket: name, key: key, versionID: ConsoleRequest.query(request)["versionId"])
        var response = try await ObjectResponse.serve(face.objects, version: version, request: request, eventLoop: context.channel.eventLoop)
        let filename = key.split(separator: "/").last.map(String.init) ?? key
        let type = response.headers[.contentType] ?? "application/octet-stream"
        let inline = ConsoleRequest.query(request)["inline"] == "1" && Self.isSafeInline(type)
        response.headers[.contentDisposition] =
            "\(inline ? "inline" : "attachment"); filename=\"\(Self.quoted(filename))\"; filename*=UTF-8''\(PercentEncoding.encode(filename))"
        // Shown inline, the object is still a document of its own sandboxed origin: no script of
        // it (a PDF's included) can reach the console's session.
        if inline, !type.lowercased().hasPrefix("application/pdf") { response.headers[.contentSecurityPolicy] = "sandbox" }
        return response
    }

    /// The version to read, if the caller may read it; a missing key is NoSuchKey only to callers
    /// who could list it (others learn nothing).
    func readableVersion(_ caller: ConsoleCaller, bucket name: String, key: String, versionID: String?) throws -> ObjectVersion {
        guard let objectKey = ObjectKey(validating: key) else { throw ConsoleError.invalid("invalid key") }
        let version = try versionID.map { text -> VersionID in
            guard let id = VersionID(parsing: text) else { throw ConsoleError.invalid("invalid versionId") }
            return id
        }
        let (bucket, lookup) = try face.catalog.objects.lookup(bucket: name, key: objectKey, versionID: version, nowMilliseconds: face.now)
        guard case .found(let found) = lookup else {
            guard face.allows(caller, bucket, action: "s3:ListBucket", prefix: key) else { throw ConsoleError.denied() }
            throw ConsoleError.noSuchKey
        }
        try face.authorize(caller, bucket, action: version == nil ? "s3:GetObject" : "s3:GetObjectVersion", key: key, object: found)
        return found
    }

    static func quoted(_ text: String) -> String {
        String(text.map { $0 == "\"" || $0 == "\\" || $0.isNewline ? "_" : $0 })
    }

    private func zip(_ request: Request, _ context: SporeRequestContext, encodedPrefix: String) async throws -> Response {
        let caller = try face.caller(request, context: context)
        let name = try ConsoleRequest.parameter(context, "bucket")
        let prefix = try ConsoleRequest.decodeKey(encodedPrefix, allowEmpty: true)
        context.labels.set(operation: "console.DownloadZip", resource: name + "/" + prefix)
        let bucket = try face.authorizedBucket(caller, name, action: "s3:ListBucket", prefix: prefix)
        let base = prefix.lastIndex(of: "/").map { String(prefix[...$0]) } ?? ""
        var unsafe = 0
        var denied = 0
        let sources: [ZipSource]
        do {
            sources = try ZipResponse.sources(face.objects, bucket: name, prefix: prefix, base: base, unsafeNames: &unsafe) { key, version in
                let allowed = face.allows(caller, bucket, action: "s3:GetObject", key: key, object: version)
                if !allowed { denied += 1 }
                return allowed
            }
        } catch let failure as ZipResponse.Failure {
            throw Self.zipError(failure)
        }
        guard !sources.isEmpty else { throw ConsoleError.notFound("No objects under this folder that you may read.") }
        let folder = prefix.split(separator: "/").last.map(String.init) ?? name
        do {
            var response = try await ZipResponse.serve(
                face.objects, sources: sources, filename: folder + ".zip", request: request, eventLoop: context.channel.eventLoop)
            if denied + unsafe > 0 { response.headers[ZipResponse.omittedField] = String(denied + unsafe) }
            return response
        } catch let failure as ZipResponse.Failure {
            throw Self.zipError(failure)
        }
    }

    static func zipError(_ failure: ZipResponse.Failure) -> ConsoleError {
        switch failure {
        case .tooManyFiles: return .invalid("A zip holds at most \(ZipResponse.entryCountMax) files; pick a smaller folder.")
        case .tooLarge: return .invalid("A zip holds at most \(ByteText.describe(Int64(ZipResponse.byteCountMax))); pick a smaller folder.")
        case .invalidName(let message): return .invalid("A name cannot be stored in a zip: \(message)")
        }
    }

    // MARK: Delete

    private func delete(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let caller = try face.caller(request, context: context)
        let name = try ConsoleRequest.parameter(context, "bucket")
        let key = try ConsoleRequest.decodeKey(try ConsoleRequest.parameter(context, "key"))
        context.labels.set(operation: "console.Delete", resource: name + "/" + key)
        guard let bucket = try face.catalog.buckets.bucket(named: name) else { throw ConsoleError.noSuchBucket(name) }
        guard key.hasSuffix("/") else {
            try face.authorize(caller, bucket, action: "s3:DeleteObject", key: key)
            guard let objectKey = ObjectKey(validating: key) else { throw ConsoleError.invalid("invalid key") }
            _ = try await face.catalog.objects.deleteObject(bucket: name, key: objectKey, owner: caller.user, nowMilliseconds: face.now)
            return JSONResponse.make(["message": "Deleted successfully", "deleted": [["Key": .string(key), "success": true]]])
        }
        // A folder: every object under it, in batches of `deleteObjectsKeyCountMax` (1000).
        try face.authorize(caller, bucket, action: "s3:ListBucket", prefix: key)
        var results = [JSONValue]()
        var after: [UInt8]?
        var remaining = false
        var failures = 0
        while true {
            let query = ListQuery(prefix: Array(key.utf8), after: after, maxEntries: Limits.deleteObjectsKeyCountMax)
            let (_, page) = try face.catalog.objects.listObjects(bucket: name, query: query, nowMilliseconds: face.now)
            var batch = [(key: ObjectKey, versionID: VersionID?)]()
            for entry in page.entries {
                guard face.allows(caller, bucket, action: "s3:DeleteObject", key: entry.key, object: entry.version),
                    let objectKey = ObjectKey(validating: entry.key)
                else {
                    results.append(["Key": .string(entry.key), "success": false, "error": "AccessDenied"])
                    failures += 1
                    continue
                }
                batch.append((objectKey, nil))
            }
            if !batch.isEmpty {
                let outcomes = try await face.catalog.objects.deleteObjects(bucket: name, batch, owner: caller.user, nowMilliseconds: face.now)
                for (target, outcome) in Swift.zip(batch, outcomes) {
                    switch outcome {
                    case .success: results.append(["Key": .string(target.key.value), "success": true])
                    case .failure(let error):
                        failures += 1
                        results.append(["Key": .string(target.key.value), "success": false, "error": .string(ConsoleError.from(error).code)])
                    }
                }
            }
            after = page.lastItem
            guard page.isTruncated else { break }
            if results.count >= Self.prefixDeleteKeyCountMax {
                remaining = true
                break
            }
        }
        let message = failures == 0 ? "Deleted successfully" : "Deleted with \(failures) failure\(failures == 1 ? "" : "s")"
        return JSONResponse.make(["message": .string(message), "deleted": .array(results), "remaining": .bool(remaining)])
    }

    // MARK: View

    static let textPreviewByteCountMax = 1 << 20
    static let imagePreviewByteCountMax: Int64 = 5 << 20
    static let textExtensions: Set<String> = [
        "txt", "md", "markdown", "csv", "tsv", "log", "yaml", "yml", "toml", "ini", "cfg", "conf", "py", "js", "mjs", "ts", "swift", "c", "h",
        "cpp", "rs", "go", "java", "sh", "xml", "html", "htm", "css", "sql", "json", "jsonl", "ipynb", "r", "rb", "tex",
    ]

    private func view(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let caller = try face.caller(request, context: context)
        let name = try ConsoleRequest.parameter(context, "bucket")
        let key = try ConsoleRequest.decodeKey(try ConsoleRequest.parameter(context, "key"))
        context.labels.set(operation: "console.View", resource: name + "/" + key)
        let version = try readableVersion(caller, bucket: name, key: key, versionID: ConsoleRequest.query(request)["versionId"])
        let type = version.headers.contentType ?? MediaTypes.guess(key)
        var metadata: JSONObject = [
            "key": .string(key), "size": .int(version.byteCount),
            "lastModified": .string(Timestamp.iso8601(milliseconds: version.lastModifiedMilliseconds)),
            "contentType": .string(type), "etag": .string("\"\(version.etag)\""),
            "metadata": .object(JSONObject(version.userMetadata.map { ($0.name, JSONValue.string($0.value)) })),
            "tags": .object(JSONObject(version.tags.map { ($0.name, JSONValue.string($0.value)) })),
        ]
        if !version.isNullVersion { metadata["versionId"] = .string(version.versionID.rawValue) }
        let preview = try await preview(version, key: key, type: type)
        return JSONResponse.make(["metadata": .object(metadata), "preview": .object(preview)])
    }

    private func preview(_ version: ObjectVersion, key: String, type: String) async throws -> JSONObject {
        let lowered = type.lowercased()
        let ext = key.split(separator: ".").last.map { $0.lowercased() } ?? ""
        if lowered.hasPrefix("image/"), !lowered.hasPrefix("image/svg"), version.byteCount <= Self.imagePreviewByteCountMax {
            let bytes = try await read(version, upTo: Int(version.byteCount))
            let base = lowered.split(separator: ";").first.map(String.init) ?? lowered
            return ["available": true, "kind": "image", "content": .string("data:\(base);base64," + Base64.encode(bytes)), "truncated": false]
        }
        // The browser shows these itself (from the download URL), whatever bytes they hold.
        if lowered.hasPrefix("application/pdf") || lowered.hasPrefix("audio/") || lowered.hasPrefix("video/") {
            return ["available": false, "kind": "binary", "truncated": false]
        }
        let head = try await read(version, upTo: Self.textPreviewByteCountMax)
        let truncated = version.byteCount > Int64(head.count)
        let isJSON = lowered.hasPrefix("application/json") || ext == "json"
        if isJSON, !truncated, let value = try? JSONValue(parsing: head) {
            return ["available": true, "kind": "json", "content": .string(PrettyJSON.text(value)), "truncated": false]
        }
        let looksText =
            lowered.hasPrefix("text/") || isJSON || Self.textExtensions.contains(ext) || lowered.contains("xml")
            || lowered.contains("javascript")
        let sample = head.prefix(8192)
        let isUTF8 = !sample.contains(0) && (String(validating: Self.trimPartialCharacter(Array(sample)), as: UTF8.self) != nil)
        guard looksText || (isUTF8 && !head.isEmpty) || version.byteCount == 0 else {
            return ["available": false, "kind": "binary", "truncated": false]
        }
        let text = String(decoding: Self.trimPartialCharacter(head), as: UTF8.self)
        return ["available": true, "kind": "text", "content": .string(text), "truncated": .bool(truncated)]
    }

    /// Without a UTF-8 sequence cut off at the end (a preview stops at a byte limit).
    static func trimPartialCharacter(_ bytes: [UInt8]) -> [UInt8] {
        var end = bytes.count
        var back = 0
        while end > 0, back < 4, bytes[end - 1] & 0xC0 == 0x80 {
            end -= 1
            back += 1
        }
        guard end > 0 else { return bytes }
        let lead = bytes[end - 1]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        return length > back + 1 ? Array(bytes[..<(end - 1)]) : bytes
    }

    private func read(_ version: ObjectVersion, upTo count: Int) async throws -> [UInt8] {
        guard version.byteCount > 0, count > 0 else { return [] }
        let last = min(version.byteCount, Int64(count)) - 1
        var bytes = [UInt8]()
        bytes.reserveCapacity(Int(last + 1))
        for try await chunk in face.objects.bytes(of: version, window: ByteRange(first: 0, last: last)) {
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        return bytes
    }

    // MARK: Tags

    private func putTags(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let caller = try face.caller(request, context: context)
        let name = try ConsoleRequest.parameter(context, "bucket")
        let key = try ConsoleRequest.decodeKey(try ConsoleRequest.parameter(context, "key"))
        context.labels.set(operation: "console.PutTags", resource: name + "/" + key)
        let body = try await ConsoleRequest.jsonObject(request)
        guard let object = body["tags"]?.objectValue else { throw ConsoleError.invalid("Send {\"tags\": {\"name\": \"value\"}}.") }
        var tags = [(name: String, value: String)]()
        for (tagName, value) in object {
            guard let text = value.stringValue, !tagName.isEmpty, tagName.utf8.count <= Limits.tagKeyByteCountMax,
                text.utf8.count <= Limits.tagValueByteCountMax
            else {
                throw ConsoleError.invalid(
                    "Tag names are 1 to \(Limits.tagKeyByteCountMax) bytes, values strings of at most \(Limits.tagValueByteCountMax).")
            }
            tags.append((tagName, text))
        }
        guard tags.count <= Limits.objectTagCountMax else { throw ConsoleError.invalid("An object has at most \(Limits.objectTagCountMax) tags.") }
        let version = try readableVersion(caller, bucket: name, key: key, versionID: nil)
        guard let bucket = try face.catalog.buckets.bucket(named: name), let objectKey = ObjectKey(validating: key) else {
            throw ConsoleError.noSuchBucket(name)
        }
        try face.authorize(caller, bucket, action: "s3:PutObjectTagging", key: key, object: version)
        _ = try await face.catalog.objects.setTags(bucket: name, key: objectKey, versionID: nil, tags: tags, nowMilliseconds: face.now)
        return JSONResponse.make(["tags": .object(object)])
    }
}

extension ObjectRoutes {
    /// Replaces an object's content type and user metadata by copying it onto itself (as S3's
    /// CopyObject with `REPLACE` does): no byte is copied, and on a versioned bucket the old
    /// metadata stays in the previous version.
    fileprivate func putMetadata(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let caller = try face.caller(request, context: context)
        let name = try ConsoleRequest.parameter(context, "bucket")
        let key = try ConsoleRequest.decodeKey(try ConsoleRequest.parameter(context, "key"))
        context.labels.set(operation: "console.PutMetadata", resource: name + "/" + key)
        let body = try await ConsoleRequest.jsonObject(request)
        guard let object = body["metadata"]?.objectValue else {
            throw ConsoleError.invalid("Send {\"metadata\": {\"name\": \"value\"}, \"contentType\"?}.")
        }
        var metadata = [(name: String, value: String)]()
        var total = 0
        for (field, value) in object {
            let lowered = field.lowercased()
            guard let text = value.stringValue, !lowered.isEmpty,
                lowered.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) })
            else {
                throw ConsoleError.invalid("Metadata names are letters, digits, '-', '_' and '.'; values are strings.")
            }
            total += lowered.utf8.count + text.utf8.count
            metadata.append((lowered, text))
        }
        guard total <= Limits.userMetadataByteCountMax else {
            throw ConsoleError.invalid("User metadata is limited to \(Limits.userMetadataByteCountMax) bytes.")
        }
        let contentType = body["contentType"]?.stringValue
        if let contentType, contentType.isEmpty || contentType.utf8.count > 256 || contentType.contains(where: \.isNewline) {
            throw ConsoleError.invalid("contentType is not a media type.")
        }
        let version = try readableVersion(caller, bucket: name, key: key, versionID: nil)
        guard let bucket = try face.catalog.buckets.bucket(named: name), let objectKey = ObjectKey(validating: key) else {
            throw ConsoleError.noSuchBucket(name)
        }
        try face.authorize(caller, bucket, action: "s3:PutObject", key: key, object: version)
        let now = face.now
        let replaced = metadata
        // A new version: the bucket's default retention, never the old version's lock.
        let retention = try await face.objects.bucketDefaults(bucket: name, encrypt: false).retention
        let (_, copy) = try await face.catalog.objects.copyObject(
            from: (name, objectKey, nil), to: name, key: objectKey, preconditions: .none, nowMilliseconds: now
        ) { original in
            var copy = original
            copy.userMetadata = replaced
            if let contentType { copy.headers.contentType = contentType }
            copy.lastModifiedMilliseconds = now
            copy.retention = retention
            copy.legalHold = false
            return copy
        }
        return JSONResponse.make([
            "key": .string(key), "contentType": .string(copy.headers.contentType ?? MediaTypes.guess(key)),
            "metadata": .object(JSONObject(copy.userMetadata.map { ($0.name, JSONValue.string($0.value)) })),
        ])
    }
}

/// A body that reports each chunk's size as it passes (upload progress).
struct ProgressReportingBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let base: Base
    let report: @Sendable (Int) -> Void

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let report: @Sendable (Int) -> Void

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            report(chunk.readableBytes)
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), report: report) }
}

/// JSON pretty-printed with two-space indents, for previews.
enum PrettyJSON {
    static func text(_ value: JSONValue) -> String {
        var output = ""
        write(value, indent: 0, into: &output)
        return output
    }

    private static func write(_ value: JSONValue, indent: Int, into output: inout String) {
        let pad = String(repeating: "  ", count: indent + 1)
        let close = String(repeating: "  ", count: indent)
        switch value {
        case .array(let items) where !items.isEmpty:
            output += "[\n"
            for (index, item) in items.enumerated() {
                output += pad
                write(item, indent: indent + 1, into: &output)
                output += index == items.count - 1 ? "\n" : ",\n"
            }
            output += close + "]"
        case .object(let members) where members.count > 0:
            output += "{\n"
            var index = 0
            for (name, member) in members {
                output += pad + JSONValue.string(name).jsonText + ": "
                write(member, indent: indent + 1, into: &output)
                index += 1
                output += index == members.count ? "\n" : ",\n"
            }
            output += close + "}"
        default:
            output += value.jsonText
        }
    }
}
