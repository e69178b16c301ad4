import Access
import BlobStore
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import NIOCore
import Objects

/// Browser-based uploads: `POST /bucket` with a `multipart/form-data` body whose fields say the
/// key, the metadata and (for signed forms) a policy and its signature, followed by the file.
extension S3Service {
    /// Form fields after the file are not read; at most this many bytes of them are drained so the
    /// connection can be reused.

    /// Fields that become object headers, by their lowercased form name.
    static let postHeaderFields: Set<String> = [
        "cache-control", "content-type", "content-disposition", "content-encoding", "content-language", "expires",
    ]

    func postObject(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        guard let bucketName = request.bucket, request.keyBytes == nil else { throw S3Error.methodNotAllowed() }
        guard let contentType = request.headers[.contentType], let boundary = MultipartFormReader.boundary(contentType) else {
            throw S3Error(
                "PreconditionFailed", .preconditionFailed, "Bucket POST must be of the enclosure-type multipart/form-data",
                fields: [("Condition", "Bucket POST must be of the enclosure-type multipart/form-data")])
        }
        guard let bucket = try catalog.buckets.bucket(named: bucketName) else { throw S3Error.noSuchBucket(bucketName) }
        let reader = MultipartFormReader(body: http.body, boundary: boundary)
        var fields = [String: String]()
        var filename = ""
        var fileContentType: String?
        do {
            try await reader.start()
            var sawFile = false
            while let part = try await reader.nextPart() {
                let name = part.name.lowercased()
                if name == "file" {
                    filename = part.filename ?? ""
                    fileContentType = part.contentType
                    sawFile = true
                    break
                }
                guard fields.count < MultipartFormReader.fieldCountMax else { throw S3Error.invalidArgument("Too many form fields.") }
                fields[name] = String(decoding: try await reader.readField(), as: UTF8.self)
                try await reader.endPart()
            }
            guard sawFile else {
                throw S3Error.invalidArgument("POST requires exactly one file upload per request.", name: "file", value: "0")
            }
        } catch let error as MultipartFormReader.FormError {
            guard case .malformed(let reason) = error else { throw S3Error.malformedPOSTRequest("") }
            throw S3Error.malformedPOSTRequest(reason)
        }
        guard let keyTemplate = fields["key"] else {
            throw S3Error.invalidArgument(
                "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", name: "key", value: "")
        }
        fields["key"] = keyTemplate.replacingOccurrences(of: "${filename}", with: filename)
        fields["bucket"] = bucket.name

        var principal = try authenticator.authenticatePost(fields: fields)
        var lengthRange: ClosedRange<Int64>?
        if let document = fields["policy"] {
            do {
                let policy = try PostPolicy.parse(base64: document)
                try policy.check(fields: fields, nowMilliseconds: clock.nowMilliseconds())
                lengthRange = policy.contentLengthRange
            } catch {
                throw Self.policyError(error)
            }
        } else {
            principal = .anonymous
        }
        var formAuth = Authentication(principal: principal, payload: .unsigned)
        formAuth.action = "s3:PutObject"
        formAuth.sourceIP = auth.sourceIP
        formAuth.secureTransport = auth.secureTransport
        // The file part's own Content-Type is used when the form has no Content-Type field; it is
        // not a form field, so the policy does not see it.
        var objectFields = fields
        if objectFields["content-type"] == nil, let fileContentType { objectFields["content-type"] = fileContentType }
        let formRequest = try Self.formRequest(objectFields, bucket: bucket.name, original: request)
        try authorize(formAuth, bucket, request: formRequest)

        let key = try formRequest.objectKey()
        let (owner, acl) = try newObjectAccess(formRequest, bucket: bucket, auth: formAuth)
        let metadata = try Self.userMetadata(formRequest)
        let tags = try fields["tagging"].map { try TagSet.parse(Array($0.utf8), countMax: Limits.objectTagCountMax) } ?? []
        var byteCountMax = settings.objectByteCountMax
        if let lengthRange { byteCountMax = min(byteCountMax, lengthRange.upperBound) }
        let spec = try IngestSpec(request: formRequest, auth: formAuth, declaredByteCount: nil, byteCountMax: byteCountMax, allowsInline: false)
        let lock = try newVersionLock(formRequest, formAuth, bucket: bucket, now: clock.nowMilliseconds())
        let encryption = try await writeEncryption(formRequest, formAuth, bucket: bucket)
        let ingested: IngestedBody
        do {
            ingested = try await objects.ingest(FormFileBody(reader: reader), spec, encryptingWith: encryption?.key)
        } catch let error as MultipartFormReader.FormError {
            guard case .malformed(let reason) = error else { throw S3Error.malformedPOSTRequest("") }
            throw S3Error.malformedPOSTRequest(reason)
        }
        if let lengthRange, ingested.digests.byteCount < lengthRange.lowerBound {
            await objects.abandon(ingested)
            throw S3Error.entityTooSmall()
        }
        let now = clock.nowMilliseconds()
        var version = ObjectVersion(
            byteCount: ingested.digests.byteCount,
            etag: EncryptionKeys.etag(md5: ingested.digests.md5, kind: encryption?.record.kind, objectKey: encryption?.key),
            lastModifiedMilliseconds: now,
            headers: Self.contentHeaders(formRequest), userMetadata: metadata, checksums: ingested.digests.checksums,
            body: ingested.body, tags: tags, owner: owner, storageClass: Self.storageClass(formRequest)
        )
        version.acl = acl
        version.crc32 = ingested.digests.crc32
        version.retention = lock.retention
        version.legalHold = lock.legalHold
        version.encryption = encryption?.record
        let stored: ObjectVersion
        do {
            stored = try await catalog.objects.putObject(
                bucket: bucket.name, key: key, version: version, preconditions: WritePreconditions(), nowMilliseconds: now)
            ingested.lease?.release()
        } catch {
            await objects.abandon(ingested)
            throw error
        }
        await Self.drain(reader)
        var response = postResponse(fields, bucket: bucket.name, key: key.value, stored: stored, request: request)
        Self.addEncryptionHeaders(&response.headers, stored.encryption, customerKeyMD5: encryption?.customerKeyMD5)
        return response
    }

    /// The answer AWS gives: a 303 to `success_action_redirect`, or the asked-for status (200,
    /// 201 with a `PostResponse` document, 204 by default).
    private func postResponse(_ fields: [String: String], bucket: String, key: String, stored: ObjectVersion, request: S3Request) -> Response {
        var headers = HTTPFields()
        headers[.eTag] = "\"\(stored.etag)\""
        if !stored.isNullVersion { headers[Self.versionIDField] = stored.versionID.rawValue }
        let location = "/\(bucket)/\(PercentEncoding.encode(key, keepSlash: true))"
        headers[.location] = location
        if let redirect = fields["success_action_redirect"] ?? fields["redirect"], let url = URLText(redirect) {
            let query =
                "bucket=\(PercentEncoding.encode(bucket))&key=\(PercentEncoding.encode(key))&etag=\(PercentEncoding.encode("\"\(stored.etag)\""))"
            headers[.location] = url.appendingQuery(query)
            headers[.contentLength] = "0"
            return Response(status: .seeOther, headers: headers)
        }
        switch fields["success_action_status"] {
        case "200":
            headers[.contentLength] = "0"
            return Response(status: .ok, headers: headers)
        case "201":
            var xml = XMLWriter()
            xml.openRoot("PostResponse", namespace: nil)
            xml.element("Location", location)
            xml.element("Bucket", bucket)
            xml.element("Key", key)
            xml.element("ETag", "\"\(stored.etag)\"")
            xml.close("PostResponse")
            return Self.xmlResponse(xml, status: .created, headers: headers)
        default:
            headers[.contentLength] = "0"
            return Response(status: .noContent, headers: headers)
        }
    }

    /// The form's fields as the headers of an equivalent PUT, so the PUT's parsers apply.
    static func formRequest(_ fields: [String: String], bucket: String, original: S3Request) throws -> S3Request {
        var headers = HTTPFields()
        for (name, value) in fields {
            let headerName: String
            if name == "acl" {
                headerName = "x-amz-acl"
            } else if postHeaderFields.contains(name) || name.hasPrefix("x-amz-meta-") || name.hasPrefix("x-amz-checksum-")
                || name.hasPrefix("x-amz-grant-") || name == "x-amz-storage-class" || name.hasPrefix("x-amz-server-side-encryption")
                || name.hasPrefix("x-amz-object-lock-")
            {
                headerName = name
            } else {
                continue
            }
            guard let field = HTTPField.Name(headerName) else {
                throw S3Error.invalidArgument("Invalid form field name.", name: name, value: value)
            }
            headers[field] = value
        }
        let key = fields["key"] ?? ""
        guard !key.isEmpty else { throw S3Error.invalidArgument("User key must have a length greater than 0.", name: "key", value: key) }
        return try S3Request(
            method: .put, path: "/\(bucket)/\(PercentEncoding.encode(key, keepSlash: true))", host: original.host, headers: headers, domain: nil
        )
    }

    static func policyError(_ error: any Error) -> S3Error {
        guard let failure = error as? PostPolicy.Failure else { return S3Error.from(error) }
        switch failure {
        case .invalidDocument(let reason): return S3Error.invalidPolicyDocument(reason)
        case .expired: return S3Error.accessDenied("Invalid according to Policy: Policy expired.")
        case .conditionFailed(let condition): return S3Error.accessDenied("Invalid according to Policy: Policy Condition failed: \(condition)")
        case .extraField(let field): return S3Error.accessDenied("Invalid according to Policy: Extra input fields: \(field)")
        }
    }

    /// Reads what follows the file part (AWS ignores it), up to a bound.
    static func drain(_ reader: MultipartFormReader) async {
        var drained = 0
        while drained < Limits.postTrailingByteCountMax, let chunk = try? await reader.rest() {
            drained += chunk.readableBytes
        }
    }
}

/// A redirect target: an absolute URL, to which a query is appended.
struct URLText {
    let text: String

    init?(_ text: String) {
        guard text.hasPrefix("http://") || text.hasPrefix("https://"), !text.contains(where: { $0 == "\r" || $0 == "\n" }) else { return nil }
        self.text = text
    }

    func appendingQuery(_ query: String) -> String {
        text + (text.contains("?") ? "&" : "?") + query
    }
}

extension S3Error {
    static func malformedPOSTRequest(_ reason: String) -> S3Error {
        S3Error("MalformedPOSTRequest", .badRequest, "The body of your POST request is not well-formed multipart/form-data. \(reason)")
    }

    static func invalidPolicyDocument(_ message: String) -> S3Error {
        S3Error("InvalidPolicyDocument", .badRequest, message)
    }
}
