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
        let sourceCustomer = try customerKey(request, auth, prefix: Self.copySourceCustomerKeyPrefix)
        let destination = try await writeEncryption(request, auth, bucket: bucket)
        // Naming an encryption is a change; a bucket default that applies anyway is not.
        let namesEncryption = request.header("x-amz-server-side-encryption") != nil || request.header(Self.customerKeyPrefix + "algorithm") != nil
        if sameObject, !replace, storageClass == nil, request.header("x-amz-storage-class") == nil, !namesEncryption {
            throw S3Error.invalidRequest(
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."
            )
        }
        let expiry = try expiresAt(request)
        let (owner, acl) = try newObjectAccess(request, bucket: bucket, auth: auth)
        let lock = try newVersionLock(request, auth, bucket: bucket, now: clock.nowMilliseconds())
        let tagDirective = request.header("x-amz-tagging-directive")?.uppercased() ?? "COPY"
        guard tagDirective == "COPY" || tagDirective == "REPLACE" else {
            throw S3Error.invalidArgument("Unknown tagging directive.", name: "x-amz-tagging-directive", value: tagDirective)
        }
        let replacementTags = tagDirective == "REPLACE" ? try request.header("x-amz-tagging").map(TagSet.parseHeader) ?? [] : nil
        // What the copy keeps of the source and what the request replaces; a copy never inherits
        // the source's grants or its Object Lock.
        let derive: @Sendable (ObjectVersion) -> ObjectVersion = { original in
            var copy = original
            copy.owner = owner
            copy.acl = acl
            copy.expiresAtMilliseconds = expiry
            copy.storageClass = storageClass ?? original.storageClass
            if replace {
                copy.userMetadata = metadata
                copy.headers = headers
            }
            if let replacementTags { copy.tags = replacementTags }
            copy.retention = lock.retention
            copy.legalHold = lock.legalHold
            return copy
        }
        let preconditions = WritePreconditions(ifNoneMatch: request.header("if-none-match"), ifMatch: request.header("if-match"))
        let sourceVersion = try catalog.objects.version(
            bucket: source.bucket, key: source.key, versionID: source.versionID, nowMilliseconds: clock.nowMilliseconds())
        let sourceKey = try objects.readKey(for: sourceVersion, customerKey: sourceCustomer?.key)
        // Without encryption on either side, or with SSE-S3/SSE-KMS under the same master key on
        // both, the copy refers to the source's blobs (and its sealed data key): no byte moves.
        let sharesBytes: Bool
        switch (sourceVersion.encryption, destination?.record) {
        case (nil, nil): sharesBytes = true
        case (let from?, let to?): sharesBytes = from.kind != .customer && from.kind == to.kind && from.masterKeyID == to.masterKeyID
        default: sharesBytes = false
        }
        let conditionsRequest = request
        let original: ObjectVersion
        let copy: ObjectVersion
        if sharesBytes {
            let expected = sourceVersion.encryption
            (original, copy) = try await catalog.objects.copyObject(
                from: (source.bucket, source.key, source.versionID), to: bucket.name, key: key, preconditions: preconditions,
                nowMilliseconds: clock.nowMilliseconds()
            ) { original in
                try Self.checkCopySourceConditions(conditionsRequest, original)
                guard original.encryption == expected else { throw Self.sourceChanged() }
                var copy = derive(original)
                if let record = expected, let context = destination?.record.context { copy.encryption = record.withContext(context) }
                return copy
            }
        } else {
            // Decrypted from the source's key and sealed again with the destination's.
            try Self.checkCopySourceConditions(request, sourceVersion)
            original = sourceVersion
            let spec = IngestSpec(declaredByteCount: sourceVersion.byteCount, byteCountMax: settings.objectByteCountMax, allowsInline: true)
            let plain = ObjectByteSequence(
                blobs: blobs, body: sourceVersion.body, window: sourceVersion.byteCount > 0 ? ByteRange.whole(sourceVersion.byteCount) : nil,
                decryption: sourceKey.map { .success($0) })
            let ingested = try await objects.ingest(plain, spec, encryptingWith: destination?.key)
            var version = derive(sourceVersion)
            version.body = ingested.body
            version.encryption = destination?.record
            // A multipart source keeps its multipart ETag, except into SSE-C, whose ETags are
            // keyed (EncryptionKeys.etag); a single body's is recomputed for the destination.
            if sourceVersion.partByteCounts.isEmpty || destination?.record.kind == .customer {
                version.etag = EncryptionKeys.etag(md5: ingested.digests.md5, kind: destination?.record.kind, objectKey: destination?.key)
            }
            version.lastModifiedMilliseconds = clock.nowMilliseconds()
            do {
                copy = try await catalog.objects.putObject(
                    bucket: bucket.name, key: key, version: version, preconditions: preconditions, nowMilliseconds: version.lastModifiedMilliseconds)
                ingested.lease?.release()
            } catch {
                await objects.abandon(ingested)
                throw error
            }
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
        Self.addEncryptionHeaders(&responseHeaders, copy.encryption, customerKeyMD5: destination?.customerKeyMD5)
        return Self.xmlResponse(xml, headers: responseHeaders)
    }

    static func sourceChanged() -> S3Error {
        S3Error(
            "OperationAborted", .conflict, "A conflicting conditional operation is currently in progress against this resource. Please try again.")
    }

    func uploadPartCopy(_ request: S3Request, _ auth: Authentication) async throws -> Response {
        let (bucket, upload, key, uploadID, partNumber) = try authorizedPart(request, auth)
        let source = try copySource(request, auth)
        let original = try catalog.objects.version(
            bucket: source.bucket, key: source.key, versionID: source.versionID, nowMilliseconds: clock.nowMilliseconds())
        try Self.checkCopySourceConditions(request, original)
        let window = try Self.copyRange(request.header("x-amz-copy-source-range"), size: original.byteCount)
        let sourceKey = try objects.readKey(
            for: original, customerKey: try customerKey(request, auth, prefix: Self.copySourceCustomerKeyPrefix)?.key)
        let (partKey, customerKeyMD5) = try uploadKey(upload, request, auth)
        let now = clock.nowMilliseconds()
        var part: UploadPart
        var ingested: IngestedBody?
        if original.encryption == nil, partKey == nil, let chunk = Self.wholeChunk(original, window), upload.checksumAlgorithm == nil,
            let md5 = try catalog.objects.blobMD5(chunk.digest)
        {
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
            let body = try await objects.ingest(
                ObjectByteSequence(blobs: blobs, body: original.body, window: window, decryption: sourceKey.map { .success($0) }), spec,
                encryptingWith: partKey)
            ingested = body
            part = UploadPart(
                partNumber: partNumber, etag: EncryptionKeys.etag(md5: body.digests.md5, kind: upload.encryption?.kind, objectKey: partKey),
                byteCount: body.digests.byteCount, chunks: body.body.chunks,
                checksum: upload.checksumAlgorithm.flatMap { body.digests.checksum($0) }, lastModifiedMilliseconds: now
            )
            part.crc32 = body.digests.crc32
        }
        do {
            try await catalog.uploads.putPart(
                bucket: bucket.name, key: key, uploadID: uploadID, part: part, md5: partKey == nil ? ingested?.digests.md5 : nil,
                isCopy: ingested == nil)
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
        Self.addEncryptionHeaders(&headers, upload.encryption, customerKeyMD5: customerKeyMD5)
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
