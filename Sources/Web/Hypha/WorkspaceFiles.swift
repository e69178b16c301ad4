import BlobStore
import HTTPSupport
import Index
import Objects
import SporeJSON

/// What `/files` and the `s3-storage` functions share: listings, removal, presigned URLs and
/// multipart uploads inside one workspace.
extension HyphaFace {
    /// The items of a directory: files (`{"type","name","size","last_modified"}`) then
    /// sub-directories (`{"type","name"}`), after `offset`, at most `limit`.
    func list(prefix directory: String, limit: Int, offset: Int) throws -> [JSONValue] {
        var prefix = directory
        if !prefix.isEmpty, !prefix.hasSuffix("/") { prefix += "/" }
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

    func exists(_ key: String) throws -> Bool {
        guard let objectKey = ObjectKey(validating: key) else { return false }
        return try objects.currentVersion(bucket: bucket, key: objectKey) != nil
    }

    /// Deletes every current object under `prefix`; returns how many.
    func removePrefix(_ prefix: String) async throws -> Int {
        var removed = 0
        while true {
            let query = ListQuery(prefix: Array(prefix.utf8), maxEntries: Limits.removeBatchCountMax)
            let (_, page) = try catalog.objects.listObjects(bucket: bucket, query: query, nowMilliseconds: nowMilliseconds)
            guard !page.entries.isEmpty else { return removed }
            try await removeKeys(page.entries.map(\.key))
            removed += page.entries.count
        }
    }

    func removeKeys(_ keys: [String]) async throws {
        let targets = keys.compactMap(ObjectKey.init(validating:)).map { (key: $0, versionID: VersionID?.none) }
        let results = try await catalog.objects.deleteObjects(
            bucket: bucket, targets, owner: configuration.storageOwner, nowMilliseconds: nowMilliseconds)
        for case .failure(let error) in results { throw error }
    }

    // MARK: Presigned URLs

    /// Where presigned URLs point: the S3 listener's public URL, or `/s3` on the HTTP listener when
    /// `useProxy` (or the server's default) says so.
    func presignBase(useProxy: Bool?) -> String {
        (useProxy ?? configuration.useProxyByDefault) ? configuration.httpBaseURL + HyphaConfiguration.s3ProxyPath : configuration.s3BaseURL
    }

    /// A presigned URL for `key` in the workspace bucket.
    func presign(_ method: String, key: String, expiresSeconds: Int, useProxy: Bool?, extraQuery: [(name: String, value: String)] = []) throws
        -> String
    {
        guard (1...Limits.presignExpirySecondsMax).contains(expiresSeconds) else {
            throw HyphaError.badRequest("expires_in must be between 1 and \(Limits.presignExpirySecondsMax) seconds")
        }
        return try PresignedURL.make(
            base: presignBase(useProxy: useProxy), method: method, bucket: bucket, key: key, credential: configuration.signer,
            region: configuration.region, nowMilliseconds: nowMilliseconds, expiresSeconds: Int64(expiresSeconds), extraQuery: extraQuery
        )
    }

    // MARK: Multipart

    func startMultipart(
        _ workspace: String, path: String, partCount: Int, expiresSeconds: Int, ttlSeconds: Int64?, useProxy: Bool?
    ) async throws -> JSONValue {
        guard (1...Limits.partNumberMax).contains(partCount) else {
            throw HyphaError.badRequest("part_count must be between 1 and \(Limits.partNumberMax)")
        }
        let objectKey = try key(workspace, path)
        guard let validKey = ObjectKey(validating: objectKey) else { throw HyphaError.badRequest("Invalid path: \(path)") }
        var template = MultipartUpload(
            key: objectKey, owner: configuration.storageOwner, headers: ContentHeaders(contentType: MediaTypes.guess(path)))
        template.ttlSeconds = ttlSeconds
        let upload = try await objects.createUpload(bucket: bucket, key: validKey, template: template)
        var parts = [JSONValue]()
        for number in 1...partCount {
            let url = try presign(
                "PUT", key: objectKey, expiresSeconds: expiresSeconds, useProxy: useProxy,
                extraQuery: [("partNumber", String(number)), ("uploadId", upload.uploadID.description)]
            )
            parts.append(["part_number": .int(number), "url": .string(url)])
        }
        return ["upload_id": .string(upload.uploadID.description), "parts": .array(parts)]
    }

    /// The parts of a completion request: `[{"part_number", "etag"}]` (or S3's spelling).
    static func completionParts(_ value: JSONValue?) throws -> [CompletionPart] {
        guard let items = value?.arrayValue else { throw HyphaError.badRequest("Each part needs part_number and etag") }
        return try items.map { item in
            guard let number = (item["part_number"] ?? item["PartNumber"])?.intValue, let etag = (item["etag"] ?? item["ETag"])?.stringValue else {
                throw HyphaError.badRequest("Each part needs part_number and etag")
            }
            return CompletionPart(partNumber: Int(number), etag: etag, checksum: nil)
        }
    }

    func completeMultipart(_ workspace: String, uploadID text: String, parts requested: [CompletionPart]) async throws -> JSONValue {
        let notFound = HyphaError.badRequest("Upload ID \(text) not found or expired")
        guard let uploadID = UploadID(parsing: text), let location = try catalog.uploads.uploadLocation(uploadID) else { throw notFound }
        // An upload id is only good in the workspace that started it.
        guard location.bucket == bucket, location.key.hasPrefix(workspace + "/"), let key = ObjectKey(validating: location.key) else {
            throw notFound
        }
        do {
            let result = try await catalog.uploads.completeUpload(
                bucket: bucket, key: key, uploadID: uploadID, parts: requested, partByteCountMin: objects.settings.partByteCountMin,
                expectedChecksum: nil, preconditions: WritePreconditions(), nowMilliseconds: nowMilliseconds
            )
            return [
                "success": true, "message": "File uploaded successfully", "etag": .string("\"\(result.completed.etag)\""),
                "location": .string("\(configuration.s3BaseURL)/\(bucket)/\(PercentEncoding.encode(location.key, keepSlash: true))"),
            ]
        } catch {
            throw HyphaError.badRequest("Failed to complete multipart upload: \(Self.reason(error))")
        }
    }

    /// A short reason for a failed completion, in the words S3 clients know.
    static func reason(_ error: any Error) -> String {
        switch error {
        case IndexError.invalidPart: return "One or more of the specified parts could not be found."
        case IndexError.invalidPartOrder: return "The list of parts was not in ascending order."
        case IndexError.partTooSmall: return "Your proposed upload is smaller than the minimum allowed object size."
        case IndexError.noSuchUpload: return "The specified upload does not exist."
        default: return "\(error)"
        }
    }
}
