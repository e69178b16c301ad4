import BlobStore
import Foundation
import Index
import NIOCore
import Objects
import SporeJSON

/// The file functions: put_file, get_file, remove_file, list_files, multipart uploads,
/// read_file/write_file, download weights.
extension ArtifactService {
    /// A file path inside an artifact: relative, no `.`/`..` segments, no control characters.
    public static func checkedPath(_ path: String) throws -> String {
        let trimmed = String(path.drop { $0 == "/" })
        guard !trimmed.isEmpty, trimmed.utf8.count <= ArtifactStoreLimits.pathByteCountMax else {
            throw ArtifactError.value("Invalid file path: '\(path)'")
        }
        let segments = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.contains(where: { $0 == "." || $0 == ".." }), !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { throw ArtifactError.value("Invalid file path: '\(path)'") }
        return trimmed
    }

    static func expiry(_ arguments: ArtifactArguments) throws -> Int {
        let seconds = try arguments.int("expires_in", default: 3600)
        guard (1...Limits.presignExpirySecondsMax).contains(seconds) else {
            throw ArtifactError.value("expires_in must be between 1 and \(Limits.presignExpirySecondsMax) seconds")
        }
        return seconds
    }

    // MARK: put_file

    public func putFile(_ arguments: ArtifactArguments, actor: ArtifactActor) async throws -> JSONValue {
        let (paths, isList) = try arguments.paths("file_path")
        guard paths.count <= ArtifactStoreLimits.batchFileCountMax else {
            throw ArtifactError.value("At most \(ArtifactStoreLimits.batchFileCountMax) files per call")
        }
        let checked = try paths.map(Self.checkedPath)
        var weights = [Double](repeating: 0, count: paths.count)
        switch arguments["download_weight"] {
        case .array(let items)?:
            guard items.count == paths.count else {
                throw ArtifactError.value("download_weight list length (\(items.count)) must match file_path list length (\(paths.count))")
            }
            weights = try items.map { item in
                guard let weight = item.doubleValue else { throw ArtifactError(.typeError, "download_weight must be a number") }
                return weight
            }
        case let value?:
            guard let weight = value.doubleValue else { throw ArtifactError(.typeError, "download_weight must be a number") }
            weights = [Double](repeating: weight, count: paths.count)
        case nil: break
        }
        guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }) else { throw ArtifactError.value("Download weight must be a non-negative number.") }
        let expires = try Self.expiry(arguments)
        let useProxy = arguments["use_proxy"].map { _ in arguments.flag("use_proxy") }
        let record = try await stage(arguments["artifact_id"], actor: actor, paths: checked, weights: weights, op: .putFile)
        var urls = JSONObject()
        for (path, key) in zip(paths, checked) {
            urls[path] = .string(
                try signer.presign(method: "PUT", key: record.slotPrefix(record.staging!.slot) + key, expiresSeconds: expires, useProxy: useProxy))
        }
        return isList ? .object(urls) : (urls[paths[0]] ?? .null)
    }

    /// Records files in the staging session (with their weights; an in-place edit first keeps
    /// the committed copy of a file it will replace), in one transaction; answers the record.
    /// `op` nil: the caller's token is scoped to these files and needs no other permission.
    func stage(_ reference: JSONValue?, actor: ArtifactActor, paths: [String], weights: [Double], op: ArtifactOperation?) async throws
        -> ArtifactRecord
    {
        let (bucket, now) = (self.bucket, nowMilliseconds)
        return try await store.write { [self] transaction -> ArtifactRecord in
            var record = try resolve(transaction, reference, actor: actor)
            let parent = try record.parentID.flatMap { try store.record(transaction, id: $0) }
            if let op { try require(op, actor, artifact: record, parent: parent) }
            guard var staging = record.staging else { throw ArtifactError.notStaged }
            let slotPrefix = record.slotPrefix(staging.slot)
            var counters = try store.counters(transaction, id: record.id)
            for (path, weight) in zip(paths, weights) {
                let existing = try store.stagedFile(transaction, id: record.id, generation: staging.generation, path: path)
                var file = existing ?? StagedFile(path: path, order: staging.nextOrder)
                if existing == nil { staging.nextOrder += 1 }
                if existing == nil || existing?.isRemoval == true {
                    // A new staged file counts as pending until its object exists.
                    file.isRemoval = false
                    file.isUploaded = try store.objectVersion(transaction, bucket: bucket, key: slotPrefix + path, nowMilliseconds: now) != nil
                    if !file.isUploaded { counters.pendingUploads += 1 }
                }
                file.downloadWeight = weight
                staging.weights[path] = weight > 0 ? .double(weight) : nil
                if staging.intent == .editVersion, !file.hasBackup,
                    try store.objectVersion(transaction, bucket: bucket, key: slotPrefix + path, nowMilliseconds: now) != nil
                {
                    try store.copyObject(transaction, bucket: bucket, from: slotPrefix + path, to: record.backupKey(path), nowMilliseconds: now)
                    file.hasBackup = true
                }
                try store.putStagedFile(transaction, id: record.id, generation: staging.generation, file)
            }
            try store.saveCounters(transaction, id: record.id, counters)
            record.staging = staging
            try store.save(transaction, record)
            return record
        }
    }

    // MARK: remove_file

    public func removeFile(_ arguments: ArtifactArguments, actor: ArtifactActor) async throws -> JSONValue {
        let path = try Self.checkedPath(try arguments.requiredString("file_path"))
        let reference = arguments["artifact_id"]
        let (bucket, owner, now) = (self.bucket, storageOwner, nowMilliseconds)
        try await store.write { [self] transaction in
            var record = try resolve(transaction, reference, actor: actor)
            let parent = try record.parentID.flatMap { try store.record(transaction, id: $0) }
            try require(.removeFile, actor, artifact: record, parent: parent)
            guard var staging = record.staging else { throw ArtifactError.notStaged }
            let key = record.slotPrefix(staging.slot) + path
            staging.weights[path] = nil
            if var file = try store.stagedFile(transaction, id: record.id, generation: staging.generation, path: path), !file.isRemoval {
                if !file.isUploaded {
                    var counters = try store.counters(transaction, id: record.id)
                    counters.pendingUploads = max(0, counters.pendingUploads - 1)
                    try store.saveCounters(transaction, id: record.id, counters)
                }
                if file.hasBackup {
                    // Put the committed copy back; the commit then removes it.
                    file.hasBackup = false
                    file.isRemoval = true
                    file.downloadWeight = 0
                    try store.putStagedFile(transaction, id: record.id, generation: staging.generation, file)
                    try store.copyObject(transaction, bucket: bucket, from: record.backupKey(path), to: key, nowMilliseconds: now)
                    try store.deleteObject(transaction, bucket: bucket, key: record.backupKey(path), owner: owner, nowMilliseconds: now)
                } else {
                    // Added in this session: gone at once (the entry first, so the object's delete
                    // finds no staged file to mark pending again).
                    try store.deleteStagedFile(transaction, id: record.id, generation: staging.generation, path: path)
                    try store.deleteObject(transaction, bucket: bucket, key: key, owner: owner, nowMilliseconds: now)
                }
                record.staging = staging
                try store.save(transaction, record)
            } else {
                let marker = StagedFile(path: path, isRemoval: true, order: staging.nextOrder)
                staging.nextOrder += 1
                try store.putStagedFile(transaction, id: record.id, generation: staging.generation, marker)
                record.staging = staging
                try store.save(transaction, record)
            }
        }
        return .null
    }

    // MARK: get_file

    public func getFile(_ arguments: ArtifactArguments, actor: ArtifactActor) throws -> JSONValue {
        let (paths, isList) = try arguments.paths("file_path")
        guard paths.count <= ArtifactStoreLimits.batchFileCountMax else {
            throw ArtifactError.value("At most \(ArtifactStoreLimits.batchFileCountMax) files per call")
        }
        let (record, parent) = try resolve(arguments["artifact_id"], actor: actor)
        try require(.getFile, actor, artifact: record, parent: parent)
        let slot = try readSlot(record, version: arguments["version"], stage: arguments.flag("stage"))
        let expires = try Self.expiry(arguments)
        let useProxy = arguments["use_proxy"].map { _ in arguments.flag("use_proxy") }
        let now = nowMilliseconds
        var urls = JSONObject()
        var weight = 0.0
        let keys = try paths.map { try record.slotPrefix(slot) + Self.checkedPath($0) }
        let missing = try store.read { transaction in
            try keys.firstIndex { try store.objectVersion(transaction, bucket: bucket, key: $0, nowMilliseconds: now) == nil }
        }
        if let missing { throw ArtifactError(.fileNotFoundError, "File '\(paths[missing])' does not exist in the artifact.") }
        let weights = record.config["download_weights"]?.objectValue
        for (path, key) in zip(paths, keys) {
            urls[path] = .string(try signer.presign(method: "GET", key: key, expiresSeconds: expires, useProxy: useProxy))
            weight += weights?[path]?.doubleValue ?? weights?[String(key.dropFirst(record.slotPrefix(slot).count))]?.doubleValue ?? 0
        }
        if !arguments.flag("silent") { counters.addDownloads(record.id, weight) }
        return isList ? .object(urls) : (urls[paths[0]] ?? .null)
    }

    /// One file of an artifact as the HTTP routes serve it: the object version, and the weight a
    /// download adds.
    ///
    /// `scopeGranted`: the caller holds a token scoped to exactly this file, which needs no other
    /// permission.
    public func file(_ arguments: ArtifactArguments, path: String, actor: ArtifactActor, scopeGranted: Bool = false) throws -> (
        version: ObjectVersion?, key: String, weight: Double, record: ArtifactRecord
    ) {
        let (record, parent) = try resolve(arguments["artifact_id"], actor: actor)
        if !scopeGranted { try require(.getFile, actor, artifact: record, parent: parent) }
        let slot = try readSlot(record, version: arguments["version"], stage: arguments.flag("stage"))
        let checked = try Self.checkedPath(path)
        let key = record.slotPrefix(slot) + checked
        let now = nowMilliseconds
        let version = try store.read { transaction in try store.objectVersion(transaction, bucket: bucket, key: key, nowMilliseconds: now) }
        let weight = record.config["download_weights"]?[checked]?.doubleValue ?? 0
        return (version, key, weight, record)
    }

    /// Counts a download of an artifact (the HTTP routes call it after deciding to serve).
    public func countDownload(_ record: ArtifactRecord, weight: Double) { counters.addDownloads(record.id, weight) }

    // MARK: list_files

    public func listFiles(_ arguments: ArtifactArguments, actor: ArtifactActor) throws -> JSONValue {
        let (record, parent) = try resolve(arguments["artifact_id"], actor: actor)
        try require(.listFiles, actor, artifact: record, parent: parent)
        let stage = arguments.flag("stage")
        let slot = try readSlot(record, version: arguments["version"], stage: stage)
        var limit = try arguments.int("limit", default: 1000)
        if limit <= 0 { limit = ArtifactStoreLimits.listFilesCountMax }
        limit = min(limit, ArtifactStoreLimits.listFilesCountMax)
        let offset = max(0, try arguments.int("offset", default: 0))
        guard offset <= Limits.listOffsetMax else { throw ArtifactError.value("offset must be at most \(Limits.listOffsetMax)") }
        var directory = try arguments.string("dir_path") ?? ""
        if [".", "/", "./"].contains(directory) { directory = "" }
        if !directory.isEmpty { directory = try Self.checkedPath(directory) }
        if !directory.isEmpty, !directory.hasSuffix("/") { directory += "/" }
        var items = try listDirectory(prefix: record.slotPrefix(slot) + directory, limit: limit, offset: offset)
        if stage, let staging = record.staging {
            let staged = try store.read { transaction in try store.stagedFiles(transaction, id: record.id, generation: staging.generation) }
            let byPath = Dictionary(staged.map { ($0.path, $0) }, uniquingKeysWith: { $1 })
            items = items.compactMap { item in
                guard item["type"]?.stringValue == "file", let name = item["name"]?.stringValue, let file = byPath[directory + name] else {
                    return item
                }
                if file.isRemoval { return nil }
                guard file.downloadWeight > 0, case .object(var object) = item else { return item }
                object["download_weight"] = .double(file.downloadWeight)
                return .object(object)
            }
            if arguments.flag("include_pending") {
                let listed = Set(items.compactMap { $0["name"]?.stringValue })
                let pending = staged.filter { !$0.isRemoval && $0.path.hasPrefix(directory) && !$0.path.dropFirst(directory.count).contains("/") }
                    .filter { !listed.contains(String($0.path.dropFirst(directory.count))) }
                for file in pending {
                    items.append([
                        "name": .string(String(file.path.dropFirst(directory.count))), "type": "file", "size": 0, "last_modified": .null,
                        "etag": .null, "pending": true, "download_weight": .double(file.downloadWeight),
                    ])
                }
                items.sort { ($0["name"]?.stringValue ?? "") < ($1["name"]?.stringValue ?? "") }
            }
        }
        return .array(items)
    }

    /// The items of a directory: files (`{"type","name","size","last_modified"}`) then
    /// sub-directories (`{"type","name"}`), after `offset`, at most `limit`.
    func listDirectory(prefix: String, limit: Int, offset: Int) throws -> [JSONValue] {
        var files = [JSONValue]()
        var directories = [JSONValue]()
        var after: [UInt8]?
        let wanted = offset + limit
        repeat {
            let query = ListQuery(prefix: Array(prefix.utf8), delimiter: Array("/".utf8), after: after)
            let (_, page) = try catalog.objects.listObjects(bucket: bucket, query: query, nowMilliseconds: nowMilliseconds)
            for entry in page.entries where entry.key != prefix {
                files.append([
                    "type": "file", "name": .string(String(entry.key.dropFirst(prefix.count))), "size": .int(entry.version.byteCount),
                    "last_modified": .double(Double(entry.version.lastModifiedMilliseconds) / 1000),
                ])
            }
            for common in page.commonPrefixes {
                directories.append(["type": "directory", "name": .string(String(common.dropFirst(prefix.count).dropLast()))])
            }
            after = page.isTruncated ? page.lastItem : nil
        } while after != nil && files.count + directories.count < wanted
        return Array((files + directories).dropFirst(offset).prefix(limit))
    }

    // MARK: Multipart

    public func startMultipart(_ arguments: ArtifactArguments, actor: ArtifactActor) async throws -> JSONValue {
        let path = try Self.checkedPath(try arguments.requiredString("file_path"))
        let partCount = try arguments.int("part_count", default: 0)
        guard partCount > 0 else { throw ArtifactError.value("Part count must be greater than 0") }
        guard partCount <= Limits.partNumberMax else {
            throw ArtifactError.value("Part count must be at most 10000. The maximum number of parts is 10,000.")
        }
        let weight = try arguments.double("download_weight", default: 0)
        guard weight >= 0, weight.isFinite else { throw ArtifactError.value("Download weight must be a non-negative number.") }
        let expires = try Self.expiry(arguments)
        let useProxy = arguments["use_proxy"].map { _ in arguments.flag("use_proxy") }
        let record = try await stage(arguments["artifact_id"], actor: actor, paths: [path], weights: [weight], op: .putFile)
        let key = record.slotPrefix(record.staging!.slot) + path
        guard let objectKey = ObjectKey(validating: key) else { throw ArtifactError.value("Invalid file path: '\(path)'") }
        let template = MultipartUpload(key: key, owner: storageOwner, headers: ContentHeaders(contentType: "application/octet-stream"))
        let upload = try await objects.createUpload(bucket: bucket, key: objectKey, template: template)
        let parts = try (1...partCount).map { number -> JSONValue in
            let url = try signer.presignPart(
                key: key, uploadID: upload.uploadID.description, partNumber: number, expiresSeconds: expires, useProxy: useProxy)
            return ["part_number": .int(number), "url": .string(url)]
        }
        return ["upload_id": .string(upload.uploadID.description), "parts": .array(parts)]
    }

    public func completeMultipart(_ arguments: ArtifactArguments, actor: ArtifactActor) async throws -> JSONValue {
        let text = try arguments.requiredString("upload_id")
        guard let items = arguments["parts"]?.arrayValue else { throw ArtifactError(.typeError, "parts must be a list") }
        let parts = try items.map { item -> CompletionPart in
            guard let number = (item["part_number"] ?? item["PartNumber"])?.intValue, let etag = (item["etag"] ?? item["ETag"])?.stringValue else {
                throw ArtifactError.value("Each part needs part_number and etag")
            }
            return CompletionPart(partNumber: Int(number), etag: etag, checksum: nil)
        }
        let (record, parent) = try resolve(arguments["artifact_id"], actor: actor)
        try require(.putFile, actor, artifact: record, parent: parent)
        let expired = ArtifactError.value("Upload session expired or not found")
        guard let uploadID = UploadID(parsing: text), let location = try catalog.uploads.uploadLocation(uploadID), location.bucket == bucket,
            location.key.hasPrefix(record.storagePrefix), let key = ObjectKey(validating: location.key)
        else { throw expired }
        do {
            _ = try await catalog.uploads.completeUpload(
                bucket: bucket, key: key, uploadID: uploadID, parts: parts, partByteCountMin: objects.settings.partByteCountMin,
                expectedChecksum: nil, preconditions: WritePreconditions(), nowMilliseconds: nowMilliseconds
            )
        } catch let error as IndexError {
            throw ArtifactError.value("Failed to complete multipart upload: \(error)")
        }
        return ["success": true, "message": "File uploaded successfully"]
    }

    // MARK: read_file / write_file

    public func readFile(_ arguments: ArtifactArguments, actor: ArtifactActor) async throws -> JSONValue {
        let path = try arguments.requiredString("file_path")
        let format = try arguments.string("format") ?? "text"
        guard ["text", "json", "binary", "base64"].contains(format) else { throw ArtifactError.value("Invalid format '\(format)'") }
        let offset = try arguments.int("offset", default: 0)
        guard offset >= 0 else { throw ArtifactError.value("offset must be 0 or more") }
        let limit = try arguments.int("limit", default: ArtifactStoreLimits.readFileByteCountDefault)
        guard (1...ArtifactStoreLimits.readFileByteCountMax).contains(limit) else {
            throw ArtifactError.value("limit must be between 1 and \(ArtifactStoreLimits.readFileByteCountMax)")
        }
        let (version, _, _, _) = try file(arguments, path: path, actor: actor)
        guard let version else { throw ArtifactError(.httpException, "404: File '\(path)' not found in artifact.") }
        var bytes = [UInt8]()
        if offset < version.byteCount {
            let window = ByteRange(first: Int64(offset), last: min(version.byteCount, Int64(offset) + Int64(limit)) - 1)
            for try await chunk in objects.bytes(of: version, window: window) { bytes.append(contentsOf: chunk.readableBytesView) }
        }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let content: JSONValue
        switch format {
        case "json":
            guard let value = try? JSONValue(parsing: bytes) else { throw ArtifactError.value("The file is not valid JSON.") }
            content = value
        case "binary", "base64":
            // Hypha answers 500 for "binary" (bytes are not JSON); spore answers base64 for both.
            content = .string(Base64.encode(bytes))
        default:
            content = .string(String(decoding: bytes, as: UTF8.self))
        }
        _ = name
        return ["name": .string(path), "content": content]
    }

    public func writeFile(_ arguments: ArtifactArguments, actor: ArtifactActor) async throws -> JSONValue {
        let path = try Self.checkedPath(try arguments.requiredString("file_path"))
        let format = try arguments.string("format") ?? "text"
        let bytes: [UInt8]
        switch (format, arguments["content"]) {
        case ("json", let value?): bytes = Array(Self.prettyJSON(value).utf8)
        case ("base64", .string(let text)?), ("binary", .string(let text)?):
            guard let decoded = Base64.decode(text) else { throw ArtifactError.value("content is not valid base64") }
            bytes = decoded
        case ("text", .string(let text)?): bytes = Array(text.utf8)
        case (_, nil): throw ArtifactError(.typeError, "missing required argument: 'content'")
        default: throw ArtifactError.value("Invalid format '\(format)' for this content")
        }
        guard bytes.count <= ArtifactStoreLimits.writeFileByteCountMax else {
            throw ArtifactError.value("content is larger than \(ArtifactStoreLimits.writeFileByteCountMax) bytes")
        }
        do {
            _ = try resolve(arguments["artifact_id"], actor: actor)
        }
        let (current, _) = try resolve(arguments["artifact_id"], actor: actor)
        guard current.staging != nil else {
            throw ArtifactError.value("Artifact must be in staging mode. Call edit(artifact_id, stage=True) first.")
        }
        let record = try await stage(arguments["artifact_id"], actor: actor, paths: [path], weights: [0], op: .putFile)
        guard let key = ObjectKey(validating: record.slotPrefix(record.staging!.slot) + path) else {
            throw ArtifactError.value("Invalid file path: '\(path)'")
        }
        let spec = IngestSpec(
            declaredByteCount: Int64(bytes.count), byteCountMax: Int64(ArtifactStoreLimits.writeFileByteCountMax), allowsInline: true)
        let template = ObjectVersion(
            byteCount: 0, etag: "", lastModifiedMilliseconds: 0, headers: ContentHeaders(contentType: MediaTypes.guess(path)), body: .inline([]),
            owner: storageOwner
        )
        _ = try await objects.put(bucket: bucket, key: key, body: SingleBuffer(ByteBuffer(bytes: bytes)), spec: spec, template: template)
        return ["success": true, "bytes_written": .int(bytes.count)]
    }

    /// `json.dumps(value, indent=2)`: what Hypha writes for `format="json"`.
    static func prettyJSON(_ value: JSONValue, indent: Int = 0) -> String {
        let pad = String(repeating: " ", count: indent + 2)
        let closing = String(repeating: " ", count: indent)
        switch value {
        case .array(let items) where !items.isEmpty:
            return "[\n" + items.map { pad + prettyJSON($0, indent: indent + 2) }.joined(separator: ",\n") + "\n\(closing)]"
        case .object(let object) where !object.isEmpty:
            return "{\n"
                + object.map { pad + JSONValue.string($0.key).jsonText + ": " + prettyJSON($0.value, indent: indent + 2) }.joined(separator: ",\n")
                + "\n\(closing)}"
        default:
            return value.jsonText
        }
    }

    // MARK: weights, statistics, secrets

    public func setDownloadWeight(_ arguments: ArtifactArguments, actor: ArtifactActor) async throws -> JSONValue {
        let path = try arguments.requiredString("file_path")
        let weight = try arguments.double("download_weight", default: 0)
        guard weight >= 0, weight.isFinite else { throw ArtifactError.value("Download weight must be a non-negative number.") }
        try await updateRecord(arguments["artifact_id"], actor: actor) { record, _ in
            try self.requireWorkspace(.readWrite, actor, on: record.workspace, op: .setDownloadWeight)
            var weights = record.config["download_weights"]?.objectValue ?? JSONObject()
            weights[path] = weight > 0 ? .double(weight) : nil
            record.config["download_weights"] = .object(weights)
        }
        return .null
    }

    public func resetStats(_ arguments: ArtifactArguments, actor: ArtifactActor) async throws -> JSONValue {
        let record = try await updateRecord(arguments["artifact_id"], actor: actor) { record, parent in
            try self.require(.resetStats, actor, artifact: record, parent: parent)
            record.downloadCount = 0
            record.viewCount = 0
        }
        counters.forget(record.id)
        return .null
    }

    public func getSecret(_ arguments: ArtifactArguments, actor: ArtifactActor) throws -> JSONValue {
        let (record, _) = try resolve(arguments["artifact_id"], actor: actor)
        try requireWorkspace(.admin, actor, on: record.workspace, op: .getSecret)
        guard let key = try arguments.string("secret_key") else { return .object(record.secrets) }
        return record.secrets[key] ?? .null
    }

    public func setSecret(_ arguments: ArtifactArguments, actor: ArtifactActor) async throws -> JSONValue {
        let key = try arguments.requiredString("secret_key")
        let value = arguments["secret_value"]
        try await updateRecord(arguments["artifact_id"], actor: actor) { record, _ in
            try self.requireWorkspace(.readWrite, actor, on: record.workspace, op: .setSecret)
            record.secrets[key] = value
            try Self.checkSize(.object(record.secrets), name: "secrets")
        }
        return .null
    }

    /// Changes a record in one transaction after `change` has checked permissions.
    @discardableResult
    func updateRecord(
        _ reference: JSONValue?, actor: ArtifactActor, _ change: @escaping @Sendable (inout ArtifactRecord, ArtifactRecord?) throws -> Void
    ) async throws -> ArtifactRecord {
        let now = nowSeconds
        return try await store.write { [self] transaction in
            var record = try resolve(transaction, reference, actor: actor)
            let parent = try record.parentID.flatMap { try store.record(transaction, id: $0) }
            try change(&record, parent)
            record.lastModifiedSeconds = now
            try store.save(transaction, record)
            return record
        }
    }
}

/// One buffer as the body the object service ingests.
struct SingleBuffer: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let buffer: ByteBuffer

    init(_ buffer: ByteBuffer) { self.buffer = buffer }

    struct AsyncIterator: AsyncIteratorProtocol {
        var buffer: ByteBuffer?
        mutating func next() async throws -> ByteBuffer? {
            defer { buffer = nil }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer) }
}

extension ArtifactError {
    /// What `stageUpload` throws for an artifact that is not staged (the HTTP PUT route words it
    /// its own way).
    public static let notStagedForUpload = ArtifactError.assertion("Artifact must be in staging mode to upload files")
}

extension ArtifactService {
    /// Records a file an HTTP PUT is about to store in the staging session: permission first,
    /// then staging (Hypha checks staging first and so tells strangers whether an artifact is
    /// staged).
    public func stageUpload(
        _ reference: JSONValue, path: String, weight: Double, actor: ArtifactActor, scopeGranted: Bool = false
    ) async throws -> ArtifactRecord {
        let checked = try Self.checkedPath(path)
        let (record, parent) = try resolve(reference, actor: actor)
        if !scopeGranted { try require(.putFile, actor, artifact: record, parent: parent) }
        guard record.staging != nil else { throw ArtifactError.notStagedForUpload }
        guard weight >= 0, weight.isFinite else { throw ArtifactError.value("Download weight must be a non-negative number.") }
        return try await stage(reference, actor: actor, paths: [checked], weights: [weight], op: scopeGranted ? nil : .putFile)
    }
}
