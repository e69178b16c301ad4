import Foundation
import Index

/// What `/files` and the `s3-storage` functions share: listings, removal, presigned URLs and
/// multipart uploads inside one workspace.
extension HyphaResponder {
    /// Keys deleted per index commit when a directory is removed.
    static let removeBatchCountMax = 1000

    /// The items of a directory: files (`{"type","name","size","last_modified"}`) then
    /// sub-directories (`{"type","name"}`), after `offset`, at most `limit`.
    func list(prefix directory: String, limit: Int, offset: Int) throws -> [[String: Any]] {
        var prefix = directory
        if !prefix.isEmpty, !prefix.hasSuffix("/") { prefix += "/" }
        var files = [[String: Any]]()
        var directories = [[String: Any]]()
        var after: [UInt8]?
        let wanted = offset + limit
        repeat {
            let query = ListQuery(prefix: Array(prefix.utf8), delimiter: Array("/".utf8), after: after)
            let (_, page) = try s3.catalog.listObjects(bucket: bucket, query: query, nowMilliseconds: s3.clock.nowMilliseconds())
            for entry in page.entries where entry.key != prefix {
                files.append([
                    "type": "file", "name": String(entry.key.dropFirst(prefix.count)), "size": entry.version.byteCount,
                    "last_modified": Double(entry.version.lastModifiedMilliseconds) / 1000,
                ])
            }
            for common in page.commonPrefixes {
                directories.append(["type": "directory", "name": String(common.dropFirst(prefix.count).dropLast())])
            }
            after = page.isTruncated ? page.lastItem : nil
        } while after != nil && files.count + directories.count < wanted
        return Array((files + directories).dropFirst(offset).prefix(limit))
    }

    func exists(_ key: String) throws -> Bool {
        guard let objectKey = ObjectKey(validating: key) else { return false }
        let (_, lookup) = try s3.catalog.lookup(bucket: bucket, key: objectKey, versionID: nil, nowMilliseconds: s3.clock.nowMilliseconds())
        if case .found = lookup { return true }
        return false
    }

    /// Deletes every current object under `prefix`; returns how many.
    func removePrefix(_ prefix: String) async throws -> Int {
        var removed = 0
        while true {
            let query = ListQuery(prefix: Array(prefix.utf8), maxEntries: Self.removeBatchCountMax)
            let (_, page) = try s3.catalog.listObjects(bucket: bucket, query: query, nowMilliseconds: s3.clock.nowMilliseconds())
            guard !page.entries.isEmpty else { return removed }
            try await removeKeys(page.entries.map(\.key))
            removed += page.entries.count
        }
    }

    func removeKeys(_ keys: [String]) async throws {
        let targets = keys.compactMap(ObjectKey.init(validating:)).map { (key: $0, versionID: VersionID?.none) }
        let results = try await s3.catalog.deleteObjects(bucket: bucket, targets, owner: configuration.signer.user, nowMilliseconds: s3.clock.nowMilliseconds())
        for case .failure(let error) in results { throw error }
    }

    // MARK: Presigned URLs

    /// A presigned URL for `key`, pointing at the S3 listener's public URL, or at `/s3` on the HTTP
    /// listener when `useProxy` (or the server's default) says so.
    func presign(_ method: String, key: String, expiresSeconds: Int, useProxy: Bool?, extraQuery: [(name: String, value: String)] = []) throws -> String {
        let base = (useProxy ?? configuration.useProxyByDefault) ? configuration.httpBaseURL + HTTPFrontResponder<NotFoundResponder>.s3Prefix : configuration.s3BaseURL
        guard (1...Int(Authenticator.presignExpirySecondsMax)).contains(expiresSeconds) else {
            throw HyphaError.badRequest("expires_in must be between 1 and \(Authenticator.presignExpirySecondsMax) seconds")
        }
        return try PresignedURL.make(
            base: base, method: method, bucket: bucket, key: key, credential: configuration.signer, region: configuration.region,
            nowMilliseconds: s3.clock.nowMilliseconds(), expiresSeconds: Int64(expiresSeconds), extraQuery: extraQuery
        )
    }

    // MARK: Multipart

    func startMultipart(
        _ workspace: String, path: String, partCount: Int, expiresSeconds: Int, ttlSeconds: Int64?, useProxy: Bool?
    ) async throws -> [String: Any] {
        guard (1...Limits.partNumberMax).contains(partCount) else {
            throw HyphaError.badRequest("part_count must be between 1 and \(Limits.partNumberMax)")
        }
        let objectKey = try key(workspace, path)
        guard let validKey = ObjectKey(validating: objectKey) else { throw HyphaError.badRequest("Invalid path: \(path)") }
        var template = MultipartUpload(key: objectKey, owner: configuration.signer.user, headers: ContentHeaders(contentType: MediaTypes.guess(path)))
        template.ttlSeconds = ttlSeconds
        let upload = try await s3.catalog.createUpload(bucket: bucket, key: validKey, template, nowMilliseconds: s3.clock.nowMilliseconds())
        var parts = [[String: Any]]()
        for number in 1...partCount {
            let url = try presign(
                "PUT", key: objectKey, expiresSeconds: expiresSeconds, useProxy: useProxy,
                extraQuery: [("partNumber", String(number)), ("uploadId", upload.uploadID.description)]
            )
            parts.append(["part_number": number, "url": url])
        }
        return ["upload_id": upload.uploadID.description, "parts": parts]
    }

    func completeMultipart(_ workspace: String, uploadID text: String, parts: [Any]) async throws -> [String: Any] {
        let notFound = HyphaError.badRequest("Upload ID \(text) not found or expired")
        guard let uploadID = UploadID(parsing: text), let location = try s3.catalog.uploadLocation(uploadID) else {
            throw notFound
        }
        // An upload id is only good in the workspace that started it.
        guard location.bucket == bucket, location.key.hasPrefix(workspace + "/"), let key = ObjectKey(validating: location.key) else { throw notFound }
        var requested = [CompletionPart]()
        for item in parts {
            guard let part = item as? [String: Any], let number = (part["part_number"] as? NSNumber)?.intValue ?? (part["PartNumber"] as? NSNumber)?.intValue,
                let etag = (part["etag"] as? String) ?? (part["ETag"] as? String)
            else { throw HyphaError.badRequest("Each part needs part_number and etag") }
            requested.append(CompletionPart(partNumber: number, etag: etag, checksum: nil))
        }
        do {
            let result = try await s3.catalog.completeUpload(
                bucket: bucket, key: key, uploadID: uploadID, parts: requested, partByteCountMin: s3.configuration.partByteCountMin,
                expectedChecksum: nil, preconditions: WritePreconditions(), nowMilliseconds: s3.clock.nowMilliseconds()
            )
            return [
                "success": true, "message": "File uploaded successfully", "etag": "\"\(result.completed.etag)\"",
                "location": "\(configuration.s3BaseURL)/\(bucket)/\(PercentEncoding.encode(location.key, keepSlash: true))",
            ]
        } catch {
            throw HyphaError.badRequest("Failed to complete multipart upload: \(S3Error.from(error).message)")
        }
    }
}
