import Access
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Objects

/// Object and bucket tag sets.
enum TagSet {
    static func invalidTag(_ message: String) -> S3Error { S3Error("InvalidTag", .badRequest, message) }

    /// Parses a `<Tagging><TagSet>…` document.
    static func parse(_ body: [UInt8], countMax: Int) throws -> [(name: String, value: String)] {
        guard let document = try? XMLReader.parse(body), document.name == "Tagging", let set = document.child("TagSet") else {
            throw S3Error.malformedXML()
        }
        var tags = [(name: String, value: String)]()
        for tag in set.children("Tag") {
            guard let key = tag.value("Key") else { throw S3Error.malformedXML() }
            tags.append((key, tag.value("Value") ?? ""))
        }
        try validate(tags, countMax: countMax)
        return tags
    }

    /// Parses the `x-amz-tagging` header (`k1=v1&k2=v2`, URL-encoded).
    static func parseHeader(_ text: String) throws -> [(name: String, value: String)] {
        var tags = [(name: String, value: String)]()
        for item in text.split(separator: "&") {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = PercentEncoding.decodeString(parts[0], plusIsSpace: true),
                let value = PercentEncoding.decodeString(parts.count > 1 ? parts[1] : "", plusIsSpace: true)
            else {
                throw invalidTag(
                    "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
            }
            tags.append((key, value))
        }
        try validate(tags, countMax: Limits.objectTagCountMax)
        return tags
    }

    static func validate(_ tags: [(name: String, value: String)], countMax: Int) throws {
        guard tags.count <= countMax else { throw invalidTag("Object tags cannot be greater than \(countMax)") }
        var names = Set<String>()
        for (name, value) in tags {
            guard !name.isEmpty, name.count <= Limits.tagKeyByteCountMax else { throw invalidTag("The TagKey you have provided is invalid") }
            guard value.count <= Limits.tagValueByteCountMax else {
                throw invalidTag("The TagValue you have provided is too long, max length is \(Limits.tagValueByteCountMax)")
            }
            guard names.insert(name).inserted else { throw invalidTag("Cannot provide multiple Tags with the same key") }
        }
    }

    static func render(_ tags: [(name: String, value: String)]) -> XMLWriter {
        var xml = XMLWriter()
        xml.openRoot("Tagging")
        xml.open("TagSet")
        // S3 lists tags in key order, whatever order they were given in.
        for (name, value) in tags.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }) {
            xml.open("Tag")
            xml.element("Key", name)
            xml.element("Value", value)
            xml.close("Tag")
        }
        xml.close("TagSet")
        xml.close("Tagging")
        return xml
    }
}

extension S3Service {
    func putObjectTagging(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        let (bucket, _) = try authorizedObject(request, auth)
        let key = try request.objectKey()
        let body = try await verifiedBody(http, request, auth)
        let tags = try TagSet.parse(body, countMax: Limits.objectTagCountMax)
        let version = try await catalog.objects.setTags(
            bucket: bucket.name, key: key, versionID: try Self.versionID(request), tags: tags, nowMilliseconds: clock.nowMilliseconds()
        )
        return Self.versionChanged(version)
    }

    func getObjectTagging(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let (_, version) = try authorizedObject(request, auth)
        var headers = HTTPFields()
        if !version.isNullVersion { headers[Self.versionIDField] = version.versionID.rawValue }
        return Self.xmlResponse(TagSet.render(version.tags), headers: headers)
    }

    func deleteObjectTagging(_ request: S3Request, _ auth: Authentication) async throws -> Response {
        let (bucket, _) = try authorizedObject(request, auth)
        let version = try await catalog.objects.setTags(
            bucket: bucket.name, key: try request.objectKey(), versionID: try Self.versionID(request), tags: [],
            nowMilliseconds: clock.nowMilliseconds()
        )
        var headers = HTTPFields()
        if !version.isNullVersion { headers[Self.versionIDField] = version.versionID.rawValue }
        return Response(status: .noContent, headers: headers)
    }

    func putBucketTagging(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let body = try await verifiedBody(http, request, auth)
        let tags = try TagSet.parse(body, countMax: Limits.bucketTagCountMax)
        try await catalog.buckets.setBucketSetting(bucket: bucket.name, "tagging", TagSet.render(tags).bytes)
        return Response(status: .noContent)
    }

    func getBucketTagging(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        guard let document = try catalog.buckets.bucketSetting(bucket: bucket.name, "tagging") else {
            throw S3Error("NoSuchTagSet", .notFound, "The TagSet does not exist", fields: [("BucketName", bucket.name)])
        }
        return Response(status: .ok, headers: [.contentType: "application/xml"], body: ResponseBody(byteBuffer: .init(bytes: document)))
    }

    func deleteBucketTagging(_ request: S3Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        try await catalog.buckets.setBucketSetting(bucket: bucket.name, "tagging", nil)
        return Response(status: .noContent)
    }

    /// The optional `versionId` query parameter.
    static func versionID(_ request: S3Request) throws -> VersionID? {
        guard let text = request.queryValue("versionId") else { return nil }
        guard let parsed = VersionID(parsing: text) else {
            throw S3Error.invalidArgument("Invalid version id specified", name: "versionId", value: text)
        }
        return parsed
    }
}

extension S3Service {
    /// The answer to a change of one version's tags, ACL, retention or legal hold: 200, empty,
    /// with the version's id unless it is the null version.
    static func versionChanged(_ version: ObjectVersion) -> Response {
        var headers = HTTPFields()
        if !version.isNullVersion { headers[versionIDField] = version.versionID.rawValue }
        headers[.contentLength] = "0"
        return Response(status: .ok, headers: headers)
    }
}
