import Access
import BlobStore
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Objects

/// The object an `x-amz-copy-source` header names.
struct CopySource {
    let bucket: String
    let key: ObjectKey
    let versionID: VersionID?

    /// Parses `bucket/key`, `/bucket/key` and either with `?versionId=…`; the whole is URL-encoded.
    init(header: String) throws {
        var text = Substring(header)
        var versionText: String?
        if let mark = text.lastIndex(of: "?") {
            let query = text[text.index(after: mark)...]
            if query.hasPrefix("versionId=") {
                versionText = PercentEncoding.decodeString(query.dropFirst("versionId=".count), plusIsSpace: false)
                text = text[..<mark]
            }
        }
        guard let decoded = PercentEncoding.decodeString(text, plusIsSpace: false) else {
            throw S3Error.invalidArgument(
                "Copy Source must mention the source bucket and key: sourcebucket/sourcekey", name: "x-amz-copy-source", value: header)
        }
        let path = decoded.hasPrefix("/") ? decoded.dropFirst() : Substring(decoded)
        guard let slash = path.firstIndex(of: "/"), let key = ObjectKey(validating: String(path[path.index(after: slash)...])) else {
            throw S3Error.invalidArgument(
                "Copy Source must mention the source bucket and key: sourcebucket/sourcekey", name: "x-amz-copy-source", value: header)
        }
        bucket = String(path[..<slash])
        self.key = key
        if let versionText {
            guard let parsed = VersionID(parsing: versionText) else {
                throw S3Error.invalidArgument("Invalid version id specified", name: "versionId", value: versionText)
            }
            versionID = parsed
        } else {
            versionID = nil
        }
    }
}

extension S3Service {
    static let copySourceVersionIDField = HTTPField.Name("x-amz-copy-source-version-id")!

    /// The source of a copy, after checking that the caller may read it.
    func copySource(_ request: S3Request, _ auth: Authentication) throws -> CopySource {
        let source = try CopySource(header: request.header("x-amz-copy-source") ?? "")
        guard let bucket = try catalog.buckets.bucket(named: source.bucket) else { throw S3Error.noSuchBucket(source.bucket) }
        let object = try? catalog.objects.version(
            bucket: source.bucket, key: source.key, versionID: source.versionID, nowMilliseconds: clock.nowMilliseconds())
        try authorize(
            auth, bucket, request: request, key: source.key.value, action: source.versionID == nil ? "s3:GetObject" : "s3:GetObjectVersion",
            object: object
        )
        return source
    }

    /// `x-amz-copy-source-if-*` conditions against the source version (412 when one fails).
    static func checkCopySourceConditions(_ request: S3Request, _ source: ObjectVersion) throws {
        let modifiedSeconds = source.lastModifiedMilliseconds / 1000
        if let value = request.header("x-amz-copy-source-if-match"), !WritePreconditions.matches(value, etag: source.etag) {
            throw S3Error.preconditionFailed("x-amz-copy-source-If-Match")
        }
        if let value = request.header("x-amz-copy-source-if-none-match"), WritePreconditions.matches(value, etag: source.etag) {
            throw S3Error.preconditionFailed("x-amz-copy-source-If-None-Match")
        }
        if request.header("x-amz-copy-source-if-match") == nil, let text = request.header("x-amz-copy-source-if-unmodified-since"),
            let date = Timestamp.parseHTTPDate(text), modifiedSeconds > date / 1000
        {
            throw S3Error.preconditionFailed("x-amz-copy-source-If-Unmodified-Since")
        }
        if request.header("x-amz-copy-source-if-none-match") == nil, let text = request.header("x-amz-copy-source-if-modified-since"),
            let date = Timestamp.parseHTTPDate(text), modifiedSeconds <= date / 1000
        {
            throw S3Error.preconditionFailed("x-amz-copy-source-If-Modified-Since")
        }
    }

    func copyObject(_ request: S3Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let key = try request.objectKey()
        let source = try copySource(request, auth)
        let directive = request.header("x-amz-metadata-directive")?.uppercased() ?? "COPY"
        guard directive == "COPY" || directive == "REPLACE" else {
            throw S3Error.invalidArgument("Unknown metadata directive.", name: "x-amz-metadata-directive", value: directive)
        }
        let replace = directive == "REPLACE"
        let metadata = replace ? try Self.userMetadata(request) : []
        let headers = Self.contentHeaders(request)
        let storageClass = Self.storageClass(request)
        let sameObject = source.bucket == bucket.name && source.key == key && source.versionID == nil
        if sameObject, !replace, storageClass == nil, request.header("x-amz-storage-class") == nil {
            throw S3Error.invalidRequest(
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."
            )
        }
        let expiry = try expiresAt(request)
        let (owner, acl) = try newObjectAccess(request, bucket: bucket, auth: auth)
        let tagDirective = request.header("x-amz-tagging-directive")?.uppercased() ?? "COPY"
        guard tagDirective == "COPY" || tagDirective == "REPLACE" else {
            throw S3Error.invalidArgument("Unknown tagging directive.", name: "x-amz-tagging-directive", value: tagDirective)
        }
        let replacementTags = tagDirective == "REPLACE" ? try request.header("x-amz-tagging").map(TagSet.parseHeader) ?? [] : nil
        let conditionsRequest = request
        let (original, copy) = try await catalog.objects.copyObject(
            from: (source.bucket, source.key, source.versionID), to: bucket.name, key: key,
            preconditions: WritePreconditions(ifNoneMatch: request.header("if-none-match"), ifMatch: request.header("if-match")),
            nowMilliseconds: clock.nowMilliseconds()
        ) { original in
            try Self.checkCopySourceConditions(conditionsRequest, original)
            var copy = original
            copy.owner = owner
            // A copy never inherits the source's grants.
            copy.acl = acl
            copy.expiresAtMilliseconds = expiry
            copy.storageClass = storageClass ?? original.storageClass
            if replace {
                copy.userMetadata = metadata
                copy.headers = headers
            }
            if let replacementTags { copy.tags = replacementTags }
            return copy
        }
        var xml = XMLWriter()
        xml.openRoot("CopyObjectResult")
        xml.element("LastModified", Timestamp.iso8601(milliseconds: copy.lastModifiedMilliseconds))
        xml.element("ETag", "\"\(copy.etag)\"")
        for checksum in copy.checksums {
            let partCount = copy.checksumType == .composite && !copy.partByteCounts.isEmpty ? copy.partByteCounts.count : nil
            xml.element("Checksum" + ChecksumHeaders.name(checksum.algorithm), ChecksumHeaders.value(checksum, partCount: partCount))
        }
        xml.close("CopyObjectResult")
        var responseHeaders = HTTPFields()
        if !original.isNullVersion || source.versionID != nil { responseHeaders[Self.copySourceVersionIDField] = original.versionID.rawValue }
        if !copy.isNullVersion { responseHeaders[Self.versionIDField] = copy.versionID.rawValue }
        return Self.xmlResponse(xml, headers: responseHeaders)
    }

    func uploadPartCopy(_ request: S3Request, _ auth: Authentication) async throws -> Response {
        let (bucket, upload, key, uploadID, partNumber) = try authorizedPart(request, auth)
        let source = try copySource(request, auth)
        let original = try catalog.objects.version(
            bucket: source.bucket, key: source.key, versionID: source.versionID, nowMilliseconds: clock.nowMilliseconds())
        try Self.checkCopySourceConditions(request, original)
        let window = try Self.copyRange(request.header("x-amz-copy-source-range"), size: original.byteCount)
        let now = clock.nowMilliseconds()
        var part: UploadPart
        var ingested: IngestedBody?
        if let chunk = Self.wholeChunk(original, window), upload.checksumAlgorithm == nil, let md5 = try catalog.objects.blobMD5(chunk.digest) {
            // The range is exactly one stored blob: the part refers to it and no byte moves.
            part = UploadPart(
                partNumber: partNumber, etag: Hex.encode(md5), byteCount: chunk.byteCount, chunks: [chunk], checksum: nil,
                lastModifiedMilliseconds: now)
            // A single-chunk source's CRC-32 is the chunk's.
            if original.body.chunks.count == 1 { part.crc32 = original.crc32 }
        } else {
            var algorithms = Set<ChecksumAlgorithm>()
            if let algorithm = upload.checksumAlgorithm { algorithms.insert(algorithm) }
            let spec = IngestSpec(
                declaredByteCount: window?.byteCount ?? 0, byteCountMax: Limits.partByteCountMax, algorithms: algorithms,
                allowsInline: false
            )
            let body = try await objects.ingest(ObjectByteSequence(blobs: blobs, body: original.body, window: window), spec)
            ingested = body
            part = UploadPart(
                partNumber: partNumber, etag: Hex.encode(body.digests.md5), byteCount: body.digests.byteCount, chunks: body.body.chunks,
                checksum: upload.checksumAlgorithm.flatMap { body.digests.checksum($0) }, lastModifiedMilliseconds: now
            )
            part.crc32 = body.digests.crc32
        }
        do {
            try await catalog.uploads.putPart(
                bucket: bucket.name, key: key, uploadID: uploadID, part: part, md5: ingested?.digests.md5, isCopy: ingested == nil)
            ingested?.lease?.release()
        } catch {
            if let ingested { await objects.abandon(ingested) }
            throw error
        }
        var xml = XMLWriter()
        xml.openRoot("CopyPartResult")
        xml.element("LastModified", Timestamp.iso8601(milliseconds: now))
        xml.element("ETag", "\"\(part.etag)\"")
        if let checksum = part.checksum { xml.element("Checksum" + ChecksumHeaders.name(checksum.algorithm), Base64.encode(checksum.bytes)) }
        xml.close("CopyPartResult")
        var headers = HTTPFields()
        if !original.isNullVersion || source.versionID != nil { headers[Self.copySourceVersionIDField] = original.versionID.rawValue }
        return Self.xmlResponse(xml, headers: headers)
    }

    /// Parses `x-amz-copy-source-range: bytes=first-last`; the whole object when absent.
    static func copyRange(_ header: String?, size: Int64) throws -> ByteRange? {
        guard let header else { return size > 0 ? ByteRange(first: 0, last: size - 1) : nil }
        let invalid = S3Error.invalidArgument(
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
            name: "x-amz-copy-source-range", value: header)
        guard header.hasPrefix("bytes=") else { throw invalid }
        let bounds = header.dropFirst("bytes=".count).split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let first = Int64(bounds[0]), let last = Int64(bounds[1]), first >= 0, last >= first else { throw invalid }
        guard last < size else { throw S3Error.invalidRange(objectByteCount: size) }
        return ByteRange(first: first, last: last)
    }

    /// The single chunk `window` covers exactly, if it does.
    static func wholeChunk(_ version: ObjectVersion, _ window: ByteRange?) -> Chunk? {
        guard let window, case .chunks(let chunks) = version.body else { return nil }
        var offset: Int64 = 0
        for chunk in chunks {
            if offset == window.first && chunk.byteCount == window.byteCount { return chunk }
            offset += chunk.byteCount
            if offset > window.first { return nil }
        }
        return nil
    }
}
