import Access
import BlobStore
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Objects

extension S3Service {
    func listObjectVersions(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let prefix = request.queryValue("prefix") ?? ""
        let delimiter = request.queryValue("delimiter").flatMap { $0.isEmpty ? nil : $0 }
        let encodeURL = try Self.encodingType(request)
        let maxKeys = try Self.boundedInteger(request, "max-keys", defaultValue: 1000, maximum: 1000)
        let keyMarker = request.queryValue("key-marker")
        let versionIDMarkerText = request.queryValue("version-id-marker")
        var versionIDMarker: VersionID?
        if let text = versionIDMarkerText, !text.isEmpty {
            guard keyMarker?.isEmpty == false else {
                throw S3Error.invalidArgument("A version-id marker cannot be specified without a key marker.", name: "version-id-marker", value: text)
            }
            guard let parsed = VersionID(parsing: text) else {
                throw S3Error.invalidArgument("Invalid version id specified", name: "version-id-marker", value: text)
            }
            versionIDMarker = parsed
        }
        let (_, page) = try catalog.objects.listVersions(
            bucket: bucket.name, prefix: Array(prefix.utf8), delimiter: delimiter.map { Array($0.utf8) }, keyMarker: keyMarker,
            versionIDMarker: versionIDMarker, limit: maxKeys, nowMilliseconds: clock.nowMilliseconds()
        )
        let encode: (String) -> String = encodeURL ? { PercentEncoding.encode($0, keepSlash: true) } : { $0 }
        var xml = XMLWriter()
        xml.openRoot("ListVersionsResult")
        xml.element("Name", bucket.name)
        xml.element("Prefix", encode(prefix))
        xml.element("KeyMarker", encode(keyMarker ?? ""))
        xml.element("VersionIdMarker", versionIDMarkerText ?? "")
        if page.isTruncated {
            xml.element("NextKeyMarker", encode(page.nextKeyMarker ?? ""))
            if let next = page.nextVersionIDMarker { xml.element("NextVersionIdMarker", next) }
        }
        xml.element("MaxKeys", maxKeys)
        if let delimiter { xml.element("Delimiter", encode(delimiter)) }
        if encodeURL { xml.element("EncodingType", "url") }
        xml.element("IsTruncated", page.isTruncated)
        for entry in page.entries {
            let version = entry.version
            let element = version.isDeleteMarker ? "DeleteMarker" : "Version"
            xml.open(element)
            xml.element("Key", encode(entry.key))
            xml.element("VersionId", version.versionID.rawValue)
            xml.element("IsLatest", entry.isLatest)
            xml.element("LastModified", Timestamp.iso8601(milliseconds: version.lastModifiedMilliseconds))
            if !version.isDeleteMarker {
                xml.element("ETag", "\"\(version.etag)\"")
                for checksum in version.checksums { xml.element("ChecksumAlgorithm", ChecksumHeaders.name(checksum.algorithm)) }
                xml.element("Size", version.byteCount)
                xml.element("StorageClass", version.storageClass ?? "STANDARD")
            }
            Self.writeOwner(&xml, version.owner)
            xml.close(element)
        }
        Self.writeCommonPrefixes(&xml, page.commonPrefixes, encode)
        xml.close("ListVersionsResult")
        return Self.xmlResponse(xml)
    }

    static func headerInteger(_ request: S3Request, _ name: String, defaultValue: Int, maximum: Int) throws -> Int {
        guard let text = request.header(name) else { return defaultValue }
        guard let value = Int(text), value >= 0 else {
            throw S3Error.invalidArgument("\(name) must be a non-negative integer", name: name, value: text)
        }
        return min(value, maximum)
    }

    /// GetObjectAttributes: ETag, checksum, parts, storage class and size without the body.
    func getObjectAttributes(_ request: S3Request, _ auth: Authentication) async throws -> Response {
        guard let bucketName = request.bucket else { throw S3Error.methodNotAllowed() }
        let key = try request.objectKey()
        let versionID = try Self.versionID(request)
        let requested = Set((request.header("x-amz-object-attributes") ?? "").split(separator: ",").map { $0.trimmingSpaces() })
        let known: Set<String> = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"]
        guard !requested.isEmpty, requested.isSubset(of: known) else {
            throw S3Error.invalidArgument(
                "Invalid attribute name specified.", name: "x-amz-object-attributes", value: request.header("x-amz-object-attributes"))
        }
        let (bucket, lookup) = try catalog.objects.lookup(
            bucket: bucketName, key: key, versionID: versionID, nowMilliseconds: clock.nowMilliseconds())
        var object: ObjectVersion?
        if case .found(let version) = lookup { object = version }
        try authorize(auth, bucket, request: request, object: object)
        guard case .found(let version) = lookup else {
            if case .deleteMarker(let marker) = lookup {
                var error = versionID == nil ? S3Error.noSuchKey(key.value) : S3Error.methodNotAllowed()
                error.headers = [(Self.deleteMarkerField, "true"), (Self.versionIDField, marker.versionID.rawValue)]
                throw error
            }
            throw versionID.map { S3Error.noSuchVersion(key.value, $0.rawValue) } ?? S3Error.noSuchKey(key.value)
        }
        // SSE-C objects tell nothing about themselves without their key, as on AWS.
        _ = try objects.readKey(for: version, customerKey: try customerKey(request, auth)?.key)
        var xml = XMLWriter()
        xml.openRoot("GetObjectAttributesResponse")
        if requested.contains("ETag") { xml.element("ETag", version.etag) }
        if requested.contains("Checksum"), !version.checksums.isEmpty {
            xml.open("Checksum")
            let partCount = version.checksumType == .composite && !version.partByteCounts.isEmpty ? version.partByteCounts.count : nil
            for checksum in version.checksums {
                xml.element("Checksum" + ChecksumHeaders.name(checksum.algorithm), ChecksumHeaders.value(checksum, partCount: partCount))
            }
            xml.element("ChecksumType", version.checksumType == .composite ? "COMPOSITE" : "FULL_OBJECT")
            xml.close("Checksum")
        }
        if requested.contains("ObjectParts"), !version.partByteCounts.isEmpty {
            // GetObjectAttributes takes its part window from headers, not from the query.
            let marker = try Self.headerInteger(request, "x-amz-part-number-marker", defaultValue: 0, maximum: Limits.partNumberMax)
            let maxParts = try Self.headerInteger(request, "x-amz-max-parts", defaultValue: 1000, maximum: 1000)
            let numbers = Array((marker + 1)...max(marker + 1, version.partByteCounts.count)).filter { $0 <= version.partByteCounts.count }
            let shown = numbers.prefix(maxParts)
            xml.open("ObjectParts")
            xml.element("PartsCount", version.partByteCounts.count)
            xml.element("PartNumberMarker", marker)
            xml.element("NextPartNumberMarker", shown.last ?? marker)
            xml.element("MaxParts", maxParts)
            xml.element("IsTruncated", numbers.count > shown.count)
            for number in shown {
                xml.open("Part")
                xml.element("PartNumber", number)
                xml.element("Size", version.partByteCounts[number - 1])
                if number <= version.partChecksums.count {
                    let checksum = version.partChecksums[number - 1]
                    xml.element("Checksum" + ChecksumHeaders.name(checksum.algorithm), Base64.encode(checksum.bytes))
                }
                xml.close("Part")
            }
            xml.close("ObjectParts")
        }
        if requested.contains("StorageClass") { xml.element("StorageClass", version.storageClass ?? "STANDARD") }
        if requested.contains("ObjectSize") { xml.element("ObjectSize", version.byteCount) }
        xml.close("GetObjectAttributesResponse")
        var headers = HTTPFields()
        headers[.lastModified] = Timestamp.httpDate(milliseconds: version.lastModifiedMilliseconds)
        if !version.isNullVersion || versionID != nil { headers[Self.versionIDField] = version.versionID.rawValue }
        return Self.xmlResponse(xml, headers: headers)
    }
}
