import Access
import BlobStore
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Objects

extension S3Service {
    static let versionIDField = HTTPField.Name("x-amz-version-id")!
    static let deleteMarkerField = HTTPField.Name("x-amz-delete-marker")!
    /// Spore's per-object TTL header: the object expires this many seconds after the write.
    static let ttlField = HTTPField.Name(PresignedURL.ttlName)!
    static let ttlQueryName = PresignedURL.ttlName
    static let expirationField = HTTPField.Name("x-amz-expiration")!

    func putObject(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let key = try request.objectKey()
        let declared = try Self.declaredLength(request)
        let metadata = try Self.userMetadata(request)
        let headers = Self.contentHeaders(request)
        let expiry = try expiresAt(request)
        let (owner, acl) = try newObjectAccess(request, bucket: bucket, auth: auth)
        var spec = try IngestSpec(
            request: request, auth: auth, declaredByteCount: declared, byteCountMax: settings.objectByteCountMax, allowsInline: true
        )
        let preconditions = WritePreconditions(ifNoneMatch: request.header("if-none-match"), ifMatch: request.header("if-match"))
        let lock = try newVersionLock(request, auth, bucket: bucket, now: clock.nowMilliseconds())
        let encryption = try await writeEncryption(request, auth, bucket: bucket)
        let (body, trailer) = try payload(http, request, auth)
        spec.expectTrailer(trailer)
        let ingested = try await objects.ingest(body, spec, encryptingWith: encryption?.key)
        let now = clock.nowMilliseconds()
        var version = ObjectVersion(
            byteCount: ingested.digests.byteCount,
            etag: EncryptionKeys.etag(md5: ingested.digests.md5, kind: encryption?.record.kind, objectKey: encryption?.key),
            lastModifiedMilliseconds: now,
            headers: headers, userMetadata: metadata, checksums: ingested.digests.checksums, body: ingested.body,
            expiresAtMilliseconds: expiry, tags: try request.header("x-amz-tagging").map(TagSet.parseHeader) ?? [],
            owner: owner, storageClass: Self.storageClass(request)
        )
        version.acl = acl
        version.crc32 = ingested.digests.crc32
        version.retention = lock.retention
        version.legalHold = lock.legalHold
        version.encryption = encryption?.record
        let stored: ObjectVersion
        do {
            stored = try await catalog.objects.putObject(
                bucket: bucket.name, key: key, version: version, preconditions: preconditions, nowMilliseconds: now)
            ingested.lease?.release()
        } catch {
            await objects.abandon(ingested)
            throw error
        }
        var responseHeaders = HTTPFields()
        responseHeaders[.eTag] = "\"\(stored.etag)\""
        responseHeaders[.contentLength] = "0"
        if !stored.isNullVersion { responseHeaders[Self.versionIDField] = stored.versionID.rawValue }
        if let expiration = expirationHeader(bucket: bucket.name, key: key, version: stored) { responseHeaders[Self.expirationField] = expiration }
        Self.addEncryptionHeaders(&responseHeaders, stored.encryption, customerKeyMD5: encryption?.customerKeyMD5)
        for checksum in stored.checksums {
            responseHeaders[ChecksumHeaders.headerName(checksum.algorithm)] = ChecksumHeaders.value(checksum, partCount: nil)
        }
        return Response(status: .ok, headers: responseHeaders)
    }

    /// The body length: `x-amz-decoded-content-length` for aws-chunked bodies, else Content-Length;
    /// nil for a chunked transfer of unknown length.
    static func declaredLength(_ request: S3Request) throws -> Int64? {
        if let decoded = request.header("x-amz-decoded-content-length") {
            guard let value = Int64(decoded), value >= 0 else {
                throw S3Error.invalidArgument(
                    "x-amz-decoded-content-length is not a valid length", name: "x-amz-decoded-content-length", value: decoded)
            }
            return value
        }
        if let length = request.headers[.contentLength] {
            guard let value = Int64(length), value >= 0 else { throw S3Error.invalidArgument("Content-Length is not valid") }
            return value
        }
        if request.headers[.transferEncoding]?.lowercased().contains("chunked") == true { return nil }
        throw S3Error.missingContentLength()
    }

    /// `x-amz-meta-*` headers: names lowercased without the prefix, in the order sent.
    ///
    /// Values are kept byte for byte (as ISO 8859-1 strings, one character per byte), because
    /// clients send non-ASCII metadata in whatever encoding their HTTP library uses and expect the
    /// same bytes back.
    static func userMetadata(_ request: S3Request) throws -> [(name: String, value: String)] {
        var metadata = [(name: String, value: String)]()
        var byteCount = 0
        for field in request.headers {
            let name = field.name.canonicalName
            guard name.hasPrefix("x-amz-meta-") else { continue }
            let short = String(name.dropFirst("x-amz-meta-".count))
            let value = field.withUnsafeBytesOfValue { MetadataBytes.string(from: $0) }
            byteCount += short.utf8.count + value.unicodeScalars.count
            if let index = metadata.firstIndex(where: { $0.name == short }) {
                metadata[index].value += "," + value
            } else {
                metadata.append((short, value))
            }
        }
        guard byteCount <= Limits.userMetadataByteCountMax else { throw S3Error.metadataTooLarge(Limits.userMetadataByteCountMax) }
        return metadata
    }

    static func contentHeaders(_ request: S3Request) -> ContentHeaders {
        ContentHeaders(
            contentType: request.headers[.contentType],
            contentEncoding: request.headers[.contentEncoding].flatMap(Self.withoutAWSChunked),
            contentDisposition: request.headers[.contentDisposition],
            contentLanguage: request.headers[.contentLanguage],
            cacheControl: request.headers[.cacheControl],
            expires: request.headers[.expires]
        )
    }

    /// `aws-chunked` describes the transfer, not the object, and is not stored.
    static func withoutAWSChunked(_ encoding: String) -> String? {
        let tokens = encoding.split(separator: ",").map { $0.trimmingSpaces() }
        guard tokens.contains(where: { $0.lowercased() == "aws-chunked" }) else { return encoding }
        let kept = tokens.filter { $0.lowercased() != "aws-chunked" && !$0.isEmpty }
        return kept.isEmpty ? nil : kept.joined(separator: ", ")
    }

    static func storageClass(_ request: S3Request) -> String? {
        guard let value = request.header("x-amz-storage-class"), value != "STANDARD" else { return nil }
        return value
    }

    /// The expiry asked for with `x-spore-ttl-seconds`, as a header or (in presigned URLs, where
    /// the signature covers it) as a query parameter.
    func expiresAt(_ request: S3Request) throws -> Int64? {
        guard let text = request.headers[Self.ttlField] ?? request.queryValue(Self.ttlQueryName) else { return nil }
        guard let seconds = Int64(text), seconds > 0, seconds <= 100 * 365 * 86_400 else {
            throw S3Error.invalidArgument("x-spore-ttl-seconds must be a positive number of seconds", name: "x-spore-ttl-seconds", value: text)
        }
        return clock.nowMilliseconds() + seconds * 1000
    }
}
