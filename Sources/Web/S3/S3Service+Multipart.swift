import Access
import BlobStore
import Crypto
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Objects

extension S3Service {
    static let checksumAlgorithmField = HTTPField.Name("x-amz-checksum-algorithm")!
    static let checksumTypeField = HTTPField.Name("x-amz-checksum-type")!

    func createMultipartUpload(_ request: S3Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let key = try request.objectKey()
        var algorithm: ChecksumAlgorithm?
        if let name = request.header("x-amz-checksum-algorithm") {
            guard let parsed = ChecksumHeaders.algorithm(named: name) else {
                throw S3Error.invalidRequest(
                    "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]"
                )
            }
            algorithm = parsed
        }
        let checksumType = try Self.checksumType(request.header("x-amz-checksum-type"), algorithm: algorithm)
        var ttlSeconds: Int64?
        if let expiry = try expiresAt(request) { ttlSeconds = (expiry - clock.nowMilliseconds() + 999) / 1000 }
        let (owner, acl) = try newObjectAccess(request, bucket: bucket, auth: auth)
        var template = MultipartUpload(
            key: key.value, owner: owner, headers: Self.contentHeaders(request), userMetadata: try Self.userMetadata(request),
            checksumAlgorithm: algorithm, checksumType: checksumType, storageClass: Self.storageClass(request),
            tags: try request.header("x-amz-tagging").map(TagSet.parseHeader) ?? [], ttlSeconds: ttlSeconds
        )
        template.acl = acl
        let lock = try newVersionLock(request, auth, bucket: bucket, now: clock.nowMilliseconds())
        (template.retention, template.legalHold) = (lock.retention, lock.legalHold)
        let encryption = try await writeEncryption(request, auth, bucket: bucket)
        template.encryption = encryption?.record
        let upload = try await catalog.uploads.createUpload(bucket: bucket.name, key: key, template, nowMilliseconds: clock.nowMilliseconds())
        var xml = XMLWriter()
        xml.openRoot("InitiateMultipartUploadResult")
        xml.element("Bucket", bucket.name)
        xml.element("Key", key.value)
        xml.element("UploadId", upload.uploadID.description)
        xml.close("InitiateMultipartUploadResult")
        var headers = HTTPFields()
        Self.addEncryptionHeaders(&headers, upload.encryption, customerKeyMD5: encryption?.customerKeyMD5)
        if let algorithm {
            headers[Self.checksumAlgorithmField] = ChecksumHeaders.name(algorithm)
            headers[Self.checksumTypeField] = checksumType == .composite ? "COMPOSITE" : "FULL_OBJECT"
        }
        return Self.xmlResponse(xml, headers: headers)
    }

    /// The checksum type of an upload: what the client asked for, or AWS's default for the algorithm.
    static func checksumType(_ header: String?, algorithm: ChecksumAlgorithm?) throws -> ChecksumType {
        guard let header else { return algorithm == .crc64nvme ? .fullObject : .composite }
        guard let algorithm else {
            throw S3Error.invalidRequest("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
        }
        switch header.uppercased() {
        case "COMPOSITE":
            guard algorithm != .crc64nvme else {
                throw S3Error.invalidRequest("The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.")
            }
            return .composite
        case "FULL_OBJECT":
            guard algorithm.isCombinable else {
                throw S3Error.invalidRequest(
                    "The FULL_OBJECT checksum type cannot be used with the \(ChecksumHeaders.name(algorithm).lowercased()) checksum algorithm.")
            }
            return .fullObject
        default:
            throw S3Error.invalidRequest("Value for x-amz-checksum-type header is invalid.")
        }
    }

    func uploadID(_ request: S3Request) throws -> UploadID {
        let text = request.queryValue("uploadId") ?? ""
        guard let uploadID = UploadID(parsing: text) else { throw S3Error.noSuchUpload(text) }
        return uploadID
    }

    func partNumber(_ request: S3Request) throws -> Int {
        let text = request.queryValue("partNumber") ?? ""
        guard let number = Int(text), number >= 1, number <= Limits.partNumberMax else {
            throw S3Error.invalidArgument("Part number must be an integer between 1 and 10000, inclusive", name: "partNumber", value: text)
        }
        return number
    }

    /// The upload a part request names, once the caller may write to it.
    func authorizedPart(
        _ request: S3Request, _ auth: Authentication
    ) throws -> (bucket: BucketRecord, upload: MultipartUpload, key: ObjectKey, uploadID: UploadID, partNumber: Int) {
        let key = try request.objectKey()
        let uploadID = try uploadID(request)
        let partNumber = try partNumber(request)
        guard let bucketName = request.bucket else { throw S3Error.methodNotAllowed() }
        let (bucket, upload) = try catalog.uploads.upload(bucket: bucketName, key: key, uploadID: uploadID)
        try authorize(auth, bucket, request: request)
        return (bucket, upload, key, uploadID, partNumber)
    }

    func uploadPart(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        let (bucket, upload, key, uploadID, partNumber) = try authorizedPart(request, auth)
        var spec = try IngestSpec(
            request: request, auth: auth, declaredByteCount: try Self.declaredLength(request), byteCountMax: Limits.partByteCountMax,
            allowsInline: false
        )
        if let algorithm = upload.checksumAlgorithm { spec.algorithms.insert(algorithm) }
        // Parts are sealed with the upload's key. SSE-KMS and SSE-S3 headers on a part are ignored
        // (the upload decided); an SSE-C upload needs its key on every part.
        let (partKey, customerKeyMD5) = try uploadKey(upload, request, auth)
        let (body, trailer) = try payload(http, request, auth)
        spec.expectTrailer(trailer)
        let ingested = try await objects.ingest(body, spec, encryptingWith: partKey)
        let checksum = upload.checksumAlgorithm.flatMap { ingested.digests.checksum($0) } ?? spec.expectedChecksums.first
        var part = UploadPart(
            partNumber: partNumber, etag: EncryptionKeys.etag(md5: ingested.digests.md5, kind: upload.encryption?.kind, objectKey: partKey),
            byteCount: ingested.digests.byteCount,
            chunks: ingested.body.chunks, checksum: checksum, lastModifiedMilliseconds: clock.nowMilliseconds()
        )
        part.crc32 = ingested.digests.crc32
        do {
            try await catalog.uploads.putPart(
                bucket: bucket.name, key: key, uploadID: uploadID, part: part, md5: partKey == nil ? ingested.digests.md5 : nil)
            ingested.lease?.release()
        } catch {
            await objects.abandon(ingested)
            throw error
        }
        var headers = HTTPFields()
        Self.addEncryptionHeaders(&headers, upload.encryption, customerKeyMD5: customerKeyMD5)
        headers[.eTag] = "\"\(part.etag)\""
        headers[.contentLength] = "0"
        for value in ingested.digests.checksums where spec.algorithms.contains(value.algorithm) {
            headers[ChecksumHeaders.headerName(value.algorithm)] = Base64.encode(value.bytes)
        }
        return Response(status: .ok, headers: headers)
    }

    func completeMultipartUpload(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let key = try request.objectKey()
        let uploadID = try uploadID(request)
        let body = try await verifiedBody(http, request, auth)
        guard let document = try? XMLReader.parse(body), document.name == "CompleteMultipartUpload" else { throw S3Error.malformedXML() }
        let parts = try document.children("Part").map { part -> CompletionPart in
            guard let numberText = part.value("PartNumber"), let number = Int(numberText), let etag = part.value("ETag") else {
                throw S3Error.malformedXML()
            }
            var checksum: ChecksumValue?
            for algorithm in ChecksumAlgorithm.allCases {
                guard let value = part.value("Checksum" + ChecksumHeaders.name(algorithm)) else { continue }
                guard let bytes = Base64.decode(value), bytes.count == algorithm.digestByteCount else {
                    throw S3Error.invalidRequest("Value for Checksum\(ChecksumHeaders.name(algorithm)) of part \(number) is invalid.")
                }
                checksum = ChecksumValue(algorithm: algorithm, bytes: bytes)
            }
            return CompletionPart(partNumber: number, etag: etag, checksum: checksum)
        }
        guard !parts.isEmpty, parts.count <= Limits.partNumberMax else { throw S3Error.malformedXML() }
        // An SSE-C upload completes only with its key. (A completed upload is gone: completing it
        // again answers the first result, as AWS does, and the catalog knows it.)
        let upload = try? catalog.uploads.upload(bucket: bucket.name, key: key, uploadID: uploadID).1
        let customerKeyMD5 = try upload.map { try uploadKey($0, request, auth).1 } ?? nil
        var expected: ChecksumValue?
        for algorithm in ChecksumAlgorithm.allCases {
            guard let value = request.headers[ChecksumHeaders.headerName(algorithm)] else { continue }
            let encoded = value.split(separator: "-").first.map(String.init) ?? value
            guard let bytes = Base64.decode(encoded), bytes.count == algorithm.digestByteCount else {
                throw S3Error.badDigest("The \(ChecksumHeaders.name(algorithm)) you specified did not match the calculated checksum.")
            }
            expected = ChecksumValue(algorithm: algorithm, bytes: bytes)
        }
        let result = try await catalog.uploads.completeUpload(
            bucket: bucket.name, key: key, uploadID: uploadID, parts: parts, partByteCountMin: settings.partByteCountMin,
            expectedChecksum: expected,
            preconditions: WritePreconditions(ifNoneMatch: request.header("if-none-match"), ifMatch: request.header("if-match")),
            nowMilliseconds: clock.nowMilliseconds()
        )
        let completed = result.completed
        var xml = XMLWriter()
        xml.openRoot("CompleteMultipartUploadResult")
        xml.element("Location", "http://\(request.host)/\(bucket.name)/\(PercentEncoding.encode(key.value, keepSlash: true))")
        xml.element("Bucket", bucket.name)
        xml.element("Key", key.value)
        xml.element("ETag", "\"\(completed.etag)\"")
        if let checksum = completed.checksum {
            let partCount = completed.checksumType == .composite ? completed.partCount : nil
            xml.element("Checksum" + ChecksumHeaders.name(checksum.algorithm), ChecksumHeaders.value(checksum, partCount: partCount))
            xml.element("ChecksumType", completed.checksumType == .composite ? "COMPOSITE" : "FULL_OBJECT")
        }
        xml.close("CompleteMultipartUploadResult")
        var headers = HTTPFields()
        if !completed.versionIsNull { headers[Self.versionIDField] = completed.versionID.rawValue }
        Self.addEncryptionHeaders(&headers, upload?.encryption, customerKeyMD5: customerKeyMD5)
        return Self.xmlResponse(xml, headers: headers)
    }

    /// The key an upload's parts are sealed with, and the SSE-C key's MD5 to echo: an SSE-C upload
    /// takes only its own key, on every part and at completion.
    func uploadKey(_ upload: MultipartUpload, _ request: S3Request, _ auth: Authentication) throws -> (SymmetricKey?, String?) {
        let customer = try customerKey(request, auth)
        guard let encryption = upload.encryption else {
            if customer != nil { throw S3Error.invalidRequest("The multipart upload was not started with a customer-provided encryption key.") }
            return (nil, nil)
        }
        guard encryption.kind == .customer else {
            if customer != nil { throw S3Error.invalidRequest("The multipart upload was not started with a customer-provided encryption key.") }
            return (try objects.keys.objectKey(for: encryption, customerKey: nil), nil)
        }
        guard let customer else {
            throw S3Error.invalidRequest(
                "The multipart upload was started with a customer-provided encryption key, which this request does not give.")
        }
        do {
            return (try objects.keys.objectKey(for: encryption, customerKey: customer.key), customer.md5)
        } catch ObjectError.customerKeyMismatch {
            throw S3Error.invalidRequest("The provided encryption parameters did not match the ones used when the upload was started.")
        }
    }

    func abortMultipartUpload(_ request: S3Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        try await catalog.uploads.abortUpload(
            bucket: bucket.name, key: try request.objectKey(), uploadID: try uploadID(request), nowMilliseconds: clock.nowMilliseconds())
        return Response(status: .noContent)
    }

    func listParts(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let key = try request.objectKey()
        let uploadID = try uploadID(request)
        let maxParts = try Self.boundedInteger(request, "max-parts", defaultValue: 1000, maximum: 1000)
        let marker = try Self.boundedInteger(request, "part-number-marker", defaultValue: 0, maximum: Limits.partNumberMax)
        let (upload, parts, more) = try catalog.uploads.parts(bucket: bucket.name, key: key, uploadID: uploadID, after: marker, limit: maxParts)
        var xml = XMLWriter()
        xml.openRoot("ListPartsResult")
        xml.element("Bucket", bucket.name)
        xml.element("Key", key.value)
        xml.element("UploadId", uploadID.description)
        Self.writeOwner(&xml, upload.owner, element: "Initiator")
        Self.writeOwner(&xml, upload.owner)
        xml.element("StorageClass", upload.storageClass ?? "STANDARD")
        xml.element("PartNumberMarker", marker)
        xml.element("NextPartNumberMarker", parts.last?.partNumber ?? marker)
        xml.element("MaxParts", maxParts)
        xml.element("IsTruncated", more)
        if let algorithm = upload.checksumAlgorithm {
            xml.element("ChecksumAlgorithm", ChecksumHeaders.name(algorithm))
            xml.element("ChecksumType", upload.checksumType == .composite ? "COMPOSITE" : "FULL_OBJECT")
        }
        for part in parts {
            xml.open("Part")
            xml.element("PartNumber", part.partNumber)
            xml.element("LastModified", Timestamp.iso8601(milliseconds: part.lastModifiedMilliseconds))
            xml.element("ETag", "\"\(part.etag)\"")
            xml.element("Size", part.byteCount)
            if let checksum = part.checksum { xml.element("Checksum" + ChecksumHeaders.name(checksum.algorithm), Base64.encode(checksum.bytes)) }
            xml.close("Part")
        }
        xml.close("ListPartsResult")
        return Self.xmlResponse(xml)
    }

    func listMultipartUploads(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let prefix = request.queryValue("prefix") ?? ""
        let delimiter = request.queryValue("delimiter").flatMap { $0.isEmpty ? nil : $0 }
        let encodeURL = try Self.encodingType(request)
        let maxUploads = try Self.boundedInteger(request, "max-uploads", defaultValue: 1000, maximum: 1000)
        let keyMarker = request.queryValue("key-marker")
        let uploadIDMarker = request.queryValue("upload-id-marker").flatMap { keyMarker == nil || $0.isEmpty ? nil : UploadID(parsing: $0) }
        let (_, page) = try catalog.uploads.listUploads(
            bucket: bucket.name, prefix: Array(prefix.utf8), delimiter: delimiter.map { Array($0.utf8) }, keyMarker: keyMarker,
            uploadIDMarker: uploadIDMarker, limit: maxUploads
        )
        let encode: (String) -> String = encodeURL ? { PercentEncoding.encode($0, keepSlash: true) } : { $0 }
        var xml = XMLWriter()
        xml.openRoot("ListMultipartUploadsResult")
        xml.element("Bucket", bucket.name)
        xml.element("KeyMarker", encode(keyMarker ?? ""))
        xml.element("UploadIdMarker", request.queryValue("upload-id-marker") ?? "")
        if page.isTruncated {
            xml.element("NextKeyMarker", encode(page.nextKeyMarker ?? ""))
            xml.element("NextUploadIdMarker", page.nextUploadIDMarker ?? "")
        }
        xml.element("Prefix", encode(prefix))
        if let delimiter { xml.element("Delimiter", encode(delimiter)) }
        if encodeURL { xml.element("EncodingType", "url") }
        xml.element("MaxUploads", maxUploads)
        xml.element("IsTruncated", page.isTruncated)
        for upload in page.uploads {
            xml.open("Upload")
            xml.element("Key", encode(upload.key))
            xml.element("UploadId", upload.uploadID.description)
            Self.writeOwner(&xml, upload.owner, element: "Initiator")
            Self.writeOwner(&xml, upload.owner)
            xml.element("StorageClass", upload.storageClass ?? "STANDARD")
            xml.element("Initiated", Timestamp.iso8601(milliseconds: upload.initiatedMilliseconds))
            if let algorithm = upload.checksumAlgorithm { xml.element("ChecksumAlgorithm", ChecksumHeaders.name(algorithm)) }
            xml.close("Upload")
        }
        Self.writeCommonPrefixes(&xml, page.commonPrefixes, encode)
        xml.close("ListMultipartUploadsResult")
        return Self.xmlResponse(xml)
    }

    /// A non-negative integer query parameter, capped at `maximum`.
    static func boundedInteger(_ request: S3Request, _ name: String, defaultValue: Int, maximum: Int) throws -> Int {
        guard let text = request.queryValue(name) else { return defaultValue }
        guard let value = Int(text), value >= 0 else {
            throw S3Error.invalidArgument("Provided \(name) not an integer or within integer range", name: name, value: text)
        }
        return min(value, maximum)
    }
}
