import Access
import BlobStore
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import NIOCore
import Objects

extension S3Service {
    static let acceptRangesValue = "bytes"
    static let defaultContentType = "binary/octet-stream"

    func getObject(_ request: S3Request, _ auth: Authentication, isHead: Bool) async throws -> Response {
        guard let bucketName = request.bucket else { throw S3Error.methodNotAllowed() }
        let key = try request.objectKey()
        let versionID = try Self.versionID(request)
        let now = clock.nowMilliseconds()
        let lookup: ObjectLookup
        let bucket: BucketRecord
        let lifecycle: LifecyclePolicy?
        do {
            let found: ObjectLookup
            (bucket, found, lifecycle) = try catalog.objects.lookupWithLifecycle(
                bucket: bucketName, key: key, versionID: versionID, nowMilliseconds: now)
            var object: ObjectVersion?
            if case .found(let version) = found { object = version }
            try authorizeRead(auth, bucket, request: request, object: object)
            lookup = found
        } catch IndexError.noSuchBucket(let name) {
            throw S3Error.noSuchBucket(name)
        }
        let version: ObjectVersion
        switch lookup {
        case .found(let found):
            version = found
        case .deleteMarker(let marker):
            var error = versionID == nil ? S3Error.noSuchKey(key.value) : S3Error.methodNotAllowed()
            error.headers = [(Self.deleteMarkerField, "true"), (Self.versionIDField, marker.versionID.rawValue)]
            throw error
        case .notFound:
            var error = versionID.map { S3Error.noSuchVersion(key.value, $0.rawValue) } ?? S3Error.noSuchKey(key.value)
            error.headers = [(Self.deleteMarkerField, "false")]
            throw error
        }
        try Self.refuseWriteEncryptionHeaders(request)
        let customer = try customerKey(request, auth)
        if version.encryption?.kind == .customer {
            // Before anything about an SSE-C object is told, its ETag and conditional answers
            // included, the key is checked; only a part number past the end comes first
            // (InvalidPart, key or not, as ceph/s3-tests expects).
            if let text = request.queryValue("partNumber"), let number = Int(text), number >= 1 { _ = try Self.partWindow(version, number) }
            _ = try objects.readKey(for: version, customerKey: customer?.key)
        }
        var headers = HTTPFields()
        headers[.eTag] = "\"\(version.etag)\""
        headers[.lastModified] = Timestamp.httpDate(milliseconds: version.lastModifiedMilliseconds)
        if !version.isNullVersion || versionID != nil { headers[Self.versionIDField] = version.versionID.rawValue }
        Self.addEncryptionHeaders(&headers, version.encryption, customerKeyMD5: customer?.md5)
        addLockHeaders(&headers, version, bucket: bucket, request: request, auth: auth)
        if let expiration = Self.expirationHeader(policy: lifecycle, key: key, version: version) { headers[Self.expirationField] = expiration }
        if let notModified = try Self.evaluateConditions(request, version, headers: headers) { return notModified }

        var range = try ByteRange.parse(request.headers[.range], size: version.byteCount)
        var partChecksum: ChecksumValue?
        if let text = request.queryValue("partNumber") {
            guard request.headers[.range] == nil else {
                throw S3Error.invalidRequest("Cannot specify both Range header and partNumber query parameter.")
            }
            guard let number = Int(text), number >= 1, number <= Limits.partNumberMax else {
                throw S3Error.invalidArgument("Part number must be an integer between 1 and 10000, inclusive", name: "partNumber", value: text)
            }
            (range, partChecksum) = try Self.partWindow(version, number)
            if !version.partByteCounts.isEmpty { headers[Self.partsCountField] = String(version.partByteCounts.count) }
        }
        // A customer key given for an object that is not SSE-C is refused (SSE-C was checked above).
        _ = try objects.readKey(for: version, customerKey: customer?.key)
        Self.objectHeaders(
            &headers, version, request: request, includeChecksums: range == nil || request.hasQuery("partNumber"), partChecksum: partChecksum)
        headers[.acceptRanges] = Self.acceptRangesValue
        let status: HTTPResponse.Status
        let window: ByteRange?
        if let range, request.headers[.range] != nil || !version.partByteCounts.isEmpty {
            status = .partialContent
            window = range
            headers[.contentRange] = "bytes \(range.first)-\(range.last)/\(version.byteCount)"
        } else if let range {
            status = .ok
            window = range
        } else {
            status = .ok
            window = version.byteCount > 0 ? ByteRange(first: 0, last: version.byteCount - 1) : nil
        }
        let length = window?.byteCount ?? 0
        headers[.contentLength] = String(length)
        if isHead { return Response(status: status, headers: headers) }
        return Response(
            status: status, headers: headers,
            body: try await ObjectResponse.body(objects, of: version, window: window, pacedBy: request.eventLoop, customerKey: customer?.key))
    }

    static let partsCountField = HTTPField.Name("x-amz-mp-parts-count")!

    /// The byte window of part `number` of a version (the whole object for part 1 of a single-part
    /// object) and the part's checksum.
    static func partWindow(_ version: ObjectVersion, _ number: Int) throws -> (ByteRange?, ChecksumValue?) {
        let invalidPart = S3Error("InvalidPart", .badRequest, "The requested partnumber is not satisfiable")
        guard !version.partByteCounts.isEmpty else {
            guard number == 1 else { throw invalidPart }
            return (nil, nil)
        }
        guard number <= version.partByteCounts.count else { throw invalidPart }
        let first = version.partByteCounts.prefix(number - 1).reduce(0, +)
        let size = version.partByteCounts[number - 1]
        let checksum = number <= version.partChecksums.count ? version.partChecksums[number - 1] : nil
        return (size > 0 ? ByteRange(first: first, last: first + size - 1) : nil, checksum)
    }

    /// Evaluates If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since as S3 does
    /// (the shared rules of `ObjectResponse`): throws 412, returns a 304 response, or nil to go on.
    static func evaluateConditions(_ request: S3Request, _ version: ObjectVersion, headers: HTTPFields) throws -> Response? {
        do {
            return try ObjectResponse.evaluateConditions(request.headers, version, headers: headers)
        } catch ObjectResponse.ConditionFailure.preconditionFailed(let condition) {
            throw S3Error.preconditionFailed(condition)
        }
    }

    /// Content headers, metadata and (for whole-object reads with checksum mode) checksums.
    static func objectHeaders(
        _ headers: inout HTTPFields, _ version: ObjectVersion, request: S3Request, includeChecksums: Bool, partChecksum: ChecksumValue? = nil
    ) {
        let stored = version.headers
        headers[.contentType] = request.queryValue("response-content-type") ?? stored.contentType ?? defaultContentType
        let overrides: [(String, String?, HTTPField.Name)] = [
            ("response-content-language", stored.contentLanguage, .contentLanguage),
            ("response-expires", stored.expires, .expires),
            ("response-cache-control", stored.cacheControl, .cacheControl),
            ("response-content-disposition", stored.contentDisposition, .contentDisposition),
            ("response-content-encoding", stored.contentEncoding, .contentEncoding),
        ]
        for (parameter, value, field) in overrides {
            if let chosen = request.queryValue(parameter) ?? value { headers[field] = chosen }
        }
        for (name, value) in version.userMetadata {
            if let field = HTTPField.Name("x-amz-meta-" + name) { headers.append(HTTPField(name: field, value: MetadataBytes.bytes(of: value))) }
        }
        if let storageClass = version.storageClass { headers[HTTPField.Name("x-amz-storage-class")!] = storageClass }
        if !version.tags.isEmpty { headers[HTTPField.Name("x-amz-tagging-count")!] = String(version.tags.count) }
        if includeChecksums, request.header("x-amz-checksum-mode")?.uppercased() == "ENABLED" {
            let isPart = request.hasQuery("partNumber") && !version.partByteCounts.isEmpty
            let partCount = version.checksumType == .composite && !version.partByteCounts.isEmpty && !isPart ? version.partByteCounts.count : nil
            let checksums = isPart ? (partChecksum.map { [$0] } ?? []) : version.checksums
            for checksum in checksums {
                headers[ChecksumHeaders.headerName(checksum.algorithm)] = ChecksumHeaders.value(checksum, partCount: partCount)
            }
            if !checksums.isEmpty {
                headers[HTTPField.Name("x-amz-checksum-type")!] = version.checksumType == .composite ? "COMPOSITE" : "FULL_OBJECT"
            }
        }
    }

    func deleteObject(_ request: S3Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let key = try request.objectKey()
        let versionID = try Self.versionID(request)
        let outcome = try await catalog.objects.deleteObject(
            bucket: bucket.name, key: key, versionID: versionID, owner: auth.principal.user,
            bypassGovernance: bypassesGovernance(request, auth, bucket), nowMilliseconds: clock.nowMilliseconds()
        )
        var headers = HTTPFields()
        if let marker = outcome.createdMarker {
            headers[Self.deleteMarkerField] = "true"
            headers[Self.versionIDField] = marker.versionID.rawValue
        } else if let removed = outcome.removed, versionID != nil {
            headers[Self.versionIDField] = removed.versionID.rawValue
            if removed.isDeleteMarker { headers[Self.deleteMarkerField] = "true" }
        } else if let versionID {
            headers[Self.versionIDField] = versionID.rawValue
        }
        return Response(status: .noContent, headers: headers)
    }
}
