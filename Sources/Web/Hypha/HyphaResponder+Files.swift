import Foundation
import HTTPTypes
import Hummingbird
import Index
import NIOCore

/// `/{workspace}/files/…` and the multipart endpoints.
extension HyphaResponder {
    func files(
        _ workspace: String, path: String, caller: HyphaCaller, request: Request, context: SporeRequestContext, query: [String: String]
    ) async throws -> Response {
        let isDirectory = path.isEmpty || path.hasSuffix("/")
        switch request.method {
        case .put where !isDirectory:
            try require(.readWrite, on: workspace, caller: caller)
            return try await upload(workspace, path: path, request: request, context: context)
        case .get where isDirectory, .head where isDirectory:
            try require(.read, on: workspace, caller: caller)
            let limit = try Self.integer(query["max_length"], default: 1000, range: 1...Self.listLengthMax, name: "max_length")
            let listing = try list(prefix: try key(workspace, path), limit: limit, offset: 0)
            guard !listing.isEmpty else { throw HyphaError.notFound("Directory does not exists: \(workspace)/\(path)") }
            let name = path.split(separator: "/").last.map(String.init) ?? ""
            return HyphaJSON.response(["success": true, "type": "directory", "name": name, "children": listing])
        case .get, .head:
            try require(.read, on: workspace, caller: caller)
            return try await download(workspace, path: path, request: request, context: context)
        case .delete:
            try require(.readWrite, on: workspace, caller: caller)
            if isDirectory {
                let removed = try await removePrefix(try key(workspace, path))
                return HyphaJSON.response(["success": true, "message": "Deleted \(removed) files under \(workspace)/\(path)"])
            }
            let objectKey = try key(workspace, path)
            guard try exists(objectKey) else { throw HyphaError.notFound("File does not exists: \(objectKey)") }
            try await removeKeys([objectKey])
            return HyphaJSON.response(["success": true, "message": "File deleted successfully"])
        default:
            throw HyphaError(status: .methodNotAllowed, detail: "Method Not Allowed", shape: .detailOnly)
        }
    }

    /// Streams the body into the object, as PutObject does (same limits, same durability).
    private func upload(_ workspace: String, path: String, request: Request, context: SporeRequestContext) async throws -> Response {
        let objectKey = try key(workspace, path)
        var headers = RequestFields.copying(
            [.contentLength, .transferEncoding, .contentMD5, .contentEncoding, .contentDisposition, .cacheControl], from: request.headers
        )
        headers[.contentType] = request.headers[.contentType] ?? MediaTypes.guess(path)
        let s3Request = try s3.delegatedRequest(.put, bucket: bucket, key: objectKey, headers: headers)
        var http = request
        if request.headers[.expect] != nil {
            http.body = RequestBody(asyncSequence: ContinueOnFirstRead(base: request.body, channel: context.channel))
        }
        let auth = s3.delegatedAuthentication(user: configuration.signer.user, bucket: bucket, prefix: workspace + "/", action: "s3:PutObject")
        let stored: Response
        do {
            stored = try await s3.putObject(s3Request, http, auth)
        } catch {
            let s3Error = S3Error.from(error)
            throw HyphaError(status: s3Error.status, detail: "S3 upload failed with status \(s3Error.status.code): \(s3Error.message)")
        }
        var responseHeaders = HTTPFields()
        responseHeaders[.eTag] = stored.headers[.eTag]
        return HyphaJSON.response(["success": true, "message": "File uploaded successfully"], headers: responseHeaders)
    }

    /// Streams the object with a content type guessed from its name; `Range` gives 206.
    private func download(_ workspace: String, path: String, request: Request, context: SporeRequestContext) async throws -> Response {
        let objectKey = try key(workspace, path)
        let headers = RequestFields.copying(RequestFields.readConditions, from: request.headers)
        var s3Request = try s3.delegatedRequest(request.method, bucket: bucket, key: objectKey, headers: headers)
        s3Request.eventLoop = context.channel.eventLoop
        let auth = s3.delegatedAuthentication(user: configuration.signer.user, bucket: bucket, prefix: workspace + "/", action: "s3:GetObject", readOnly: true)
        do {
            var response = try await s3.getObject(s3Request, auth, isHead: request.method == .head)
            response.headers[.contentType] = MediaTypes.guess(path)
            return response
        } catch let error as S3Error where error.code == "NoSuchKey" {
            let details = HyphaJSON.text([
                "Error": ["Code": "NoSuchKey", "Message": "The specified key does not exist.", "Key": objectKey],
                "ResponseMetadata": ["HTTPStatusCode": 404],
            ])
            throw HyphaError(status: .notFound, detail: "File not found, details: \(details)", shape: .text)
        }
    }

    // MARK: Multipart

    func createMultipartUpload(_ workspace: String, caller: HyphaCaller, query: [String: String]) async throws -> Response {
        try require(.readWrite, on: workspace, caller: caller)
        guard let path = query["path"], !path.isEmpty else { throw HyphaError.badRequest("path is required") }
        guard let countText = query["part_count"] else { throw HyphaError.badRequest("part_count is required") }
        guard let partCount = Int(countText), (1...Limits.partNumberMax).contains(partCount) else {
            throw HyphaError.badRequest("part_count must be between 1 and \(Limits.partNumberMax)")
        }
        let expiresIn = try Self.integer(query["expires_in"], default: 3600, range: 1...604_800, name: "expires_in")
        let result = try await startMultipart(
            workspace, path: path, partCount: partCount, expiresSeconds: expiresIn, ttlSeconds: nil, useProxy: nil
        )
        return HyphaJSON.response(result)
    }

    func completeMultipartUpload(_ workspace: String, caller: HyphaCaller, request: Request) async throws -> Response {
        try require(.readWrite, on: workspace, caller: caller)
        guard let body = try await Self.collectJSON(request) as? [String: Any], let uploadID = body["upload_id"] as? String,
            let parts = body["parts"] as? [Any]
        else { throw HyphaError.badRequest("The body must be {\"upload_id\": …, \"parts\": [{\"part_number\": …, \"etag\": …}]}") }
        return HyphaJSON.response(try await completeMultipart(workspace, uploadID: uploadID, parts: parts))
    }

    static func integer(_ text: String?, default value: Int, range: ClosedRange<Int>, name: String) throws -> Int {
        guard let text else { return value }
        guard let parsed = Int(text) ?? Double(text).map({ Int($0) }), range.contains(parsed) else {
            throw HyphaError.badRequest("\(name) must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return parsed
    }
}
