import Access
import BlobStore
import HTTPSupport
import Hummingbird
import Index
import Objects

extension S3Service {
    /// ListObjects (version 1) and ListObjectsV2.
    func listObjects(_ request: S3Request, _ auth: Authentication, version: Int) throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let prefix = request.queryValue("prefix") ?? ""
        let delimiter = request.queryValue("delimiter").flatMap { $0.isEmpty ? nil : $0 }
        let encodeURL = try Self.encodingType(request)
        var maxKeys = ListQuery.pageEntryCountMax
        if let text = request.queryValue("max-keys") {
            guard let value = Int(text), value >= 0 else {
                throw S3Error.invalidArgument("Provided max-keys not an integer or within integer range", name: "max-keys", value: text)
            }
            maxKeys = min(value, ListQuery.pageEntryCountMax)
        }
        let continuationToken = version == 2 ? request.queryValue("continuation-token") : nil
        let startAfter = version == 2 ? request.queryValue("start-after") : nil
        let marker = version == 1 ? request.queryValue("marker") : nil
        var after: [UInt8]?
        if let token = continuationToken, !token.isEmpty {
            guard let decoded = Base64.decode(token), !decoded.isEmpty, decoded.first == Self.tokenFormat else {
                throw S3Error.invalidArgument("The continuation token provided is incorrect", name: "continuation-token", value: token)
            }
            after = Array(decoded.dropFirst())
        } else if let startAfter, !startAfter.isEmpty {
            after = Array(startAfter.utf8)
        } else if let marker, !marker.isEmpty {
            after = Array(marker.utf8)
        }
        let query = ListQuery(prefix: Array(prefix.utf8), delimiter: delimiter.map { Array($0.utf8) }, after: after, maxEntries: maxKeys)
        let (_, page) = try catalog.objects.listObjects(bucket: bucket.name, query: query, nowMilliseconds: clock.nowMilliseconds())
        let encode: (String) -> String = encodeURL ? { PercentEncoding.encode($0, keepSlash: true) } : { $0 }

        var xml = XMLWriter()
        xml.openRoot("ListBucketResult")
        xml.element("Name", bucket.name)
        // botocore decodes the top-level Prefix of v2 only; AWS leaves v1's as it is.
        xml.element("Prefix", version == 2 ? encode(prefix) : prefix)
        if version == 1 {
            xml.element("Marker", encode(marker ?? ""))
            if page.isTruncated, delimiter != nil, let last = page.lastItem {
                xml.element("NextMarker", encode(String(decoding: last, as: UTF8.self)))
            }
        } else {
            if let startAfter { xml.element("StartAfter", encode(startAfter)) }
            if let continuationToken { xml.element("ContinuationToken", continuationToken) }
            if page.isTruncated, let last = page.lastItem {
                xml.element("NextContinuationToken", Base64.encode([Self.tokenFormat] + last))
            }
            xml.element("KeyCount", page.entries.count + page.commonPrefixes.count)
        }
        xml.element("MaxKeys", maxKeys)
        if let delimiter { xml.element("Delimiter", encode(delimiter)) }
        if encodeURL { xml.element("EncodingType", "url") }
        xml.element("IsTruncated", page.isTruncated)
        let includeOwner = version == 1 || request.queryValue("fetch-owner") == "true"
        for entry in page.entries {
            xml.open("Contents")
            xml.element("Key", encode(entry.key))
            xml.element("LastModified", Timestamp.iso8601(milliseconds: entry.version.lastModifiedMilliseconds))
            xml.element("ETag", "\"\(entry.version.etag)\"")
            for checksum in entry.version.checksums { xml.element("ChecksumAlgorithm", ChecksumHeaders.name(checksum.algorithm)) }
            if !entry.version.checksums.isEmpty {
                xml.element("ChecksumType", entry.version.checksumType == .composite ? "COMPOSITE" : "FULL_OBJECT")
            }
            xml.element("Size", entry.version.byteCount)
            if includeOwner { Self.writeOwner(&xml, entry.version.owner) }
            xml.element("StorageClass", entry.version.storageClass ?? "STANDARD")
            xml.close("Contents")
        }
        Self.writeCommonPrefixes(&xml, page.commonPrefixes, encode)
        xml.close("ListBucketResult")
        return Self.xmlResponse(xml)
    }

    /// Marks continuation tokens as ours; the rest is the last key or common prefix listed.
    static let tokenFormat: UInt8 = 1

    static func encodingType(_ request: S3Request) throws -> Bool {
        guard let value = request.queryValue("encoding-type") else { return false }
        guard value.lowercased() == "url" else {
            throw S3Error.invalidArgument("Invalid Encoding Method specified in Request", name: "encoding-type", value: value)
        }
        return true
    }

    /// `<Owner>` (or `<Initiator>`) with the user's canonical id and name.
    static func writeOwner(_ xml: inout XMLWriter, _ user: String, element: String = "Owner") {
        xml.open(element)
        xml.element("ID", Principal.canonicalID(forUser: user))
        xml.element("DisplayName", user)
        xml.close(element)
    }

    /// The `<CommonPrefixes>` of a listing page (ListObjects, ListObjectVersions, ListMultipartUploads).
    static func writeCommonPrefixes(_ xml: inout XMLWriter, _ prefixes: [String], _ encode: (String) -> String) {
        for prefix in prefixes {
            xml.open("CommonPrefixes")
            xml.element("Prefix", encode(prefix))
            xml.close("CommonPrefixes")
        }
    }
}
