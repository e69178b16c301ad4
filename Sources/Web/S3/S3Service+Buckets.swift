import Access
import BlobStore
import Crypto
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Objects

extension S3Service {
    func listBuckets(_ request: S3Request, _ auth: Authentication) throws -> Response {
        try requireSigned(auth)
        let scoped = Set(auth.principal.scopes.map(\.bucket))
        let prefix = request.queryValue("prefix") ?? ""
        var after: String?
        if let token = request.queryValue("continuation-token"), !token.isEmpty {
            guard let bytes = Base64.decode(token), let name = String(validating: bytes, as: UTF8.self) else {
                throw S3Error.invalidArgument("The continuation token provided is incorrect", name: "continuation-token", value: token)
            }
            after = name
        }
        var limit = Limits.listBucketsCountMax
        if let text = request.queryValue("max-buckets") {
            guard let value = Int(text), value >= 1, value <= Limits.listBucketsCountMax else {
                throw S3Error.invalidArgument("Argument max-buckets must be an integer between 1 and 10000", name: "max-buckets", value: text)
            }
            limit = value
        }
        var buckets = try catalog.buckets.list().filter { bucket in
            (scoped.isEmpty ? auth.principal.isRoot || bucket.owner == auth.principal.user : scoped.contains(bucket.name))
                && bucket.name.hasPrefix(prefix)
                && (after.map { $0.utf8.lexicographicallyPrecedes(bucket.name.utf8) } ?? true)
        }
        let isTruncated = buckets.count > limit
        buckets = Array(buckets.prefix(limit))
        var xml = XMLWriter()
        xml.openRoot("ListAllMyBucketsResult")
        xml.open("Owner")
        xml.element("ID", Principal.canonicalID(forUser: auth.principal.user))
        xml.element("DisplayName", auth.principal.user)
        xml.close("Owner")
        xml.open("Buckets")
        for bucket in buckets {
            xml.open("Bucket")
            xml.element("Name", bucket.name)
            xml.element("CreationDate", Timestamp.iso8601(milliseconds: bucket.createdAtMilliseconds))
            xml.close("Bucket")
        }
        xml.close("Buckets")
        if isTruncated, let last = buckets.last { xml.element("ContinuationToken", Base64.encode(Array(last.name.utf8))) }
        if !prefix.isEmpty { xml.element("Prefix", prefix) }
        xml.close("ListAllMyBucketsResult")
        return Self.xmlResponse(xml)
    }

    func createBucket(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        try requireFullKey(auth)
        guard let name = request.bucket else { throw S3Error.methodNotAllowed() }
        guard let bucketName = BucketName(validating: name) else { throw S3Error.invalidBucketName(name) }
        let body = try await verifiedBody(http, request, auth)
        var location: String?
        if !body.isEmpty {
            do {
                let document = try XMLReader.parse(body)
                guard document.name == "CreateBucketConfiguration" else { throw S3Error.malformedXML() }
                location = document.value("LocationConstraint").flatMap { $0.isEmpty ? nil : $0 }
            } catch is XMLParseError {
                throw S3Error.malformedXML()
            }
        }
        let objectLock = request.header("x-amz-bucket-object-lock-enabled")?.lowercased() == "true"
        let ownership = request.header("x-amz-object-ownership")
        if let ownership, !Self.objectOwnershipValues.contains(ownership) {
            throw S3Error.invalidArgument("Invalid x-amz-object-ownership header", name: "x-amz-object-ownership", value: ownership)
        }
        let ownerID = Principal.canonicalID(forUser: auth.principal.user)
        let acl = try requestedACL(request, ownerID: ownerID)
        if acl != nil, ownership == "BucketOwnerEnforced" {
            throw S3Error(
                "InvalidBucketAclWithObjectOwnership", .badRequest, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
        }
        do {
            _ = try await catalog.buckets.createBucket(
                bucketName, owner: auth.principal.user, location: location, objectLockEnabled: objectLock, acl: acl,
                ownership: ownership, nowMilliseconds: clock.nowMilliseconds()
            )
        } catch IndexError.bucketOwnedByCaller(let name) {
            // As on AWS: in us-east-1, creating a bucket you already own succeeds; every other
            // region answers BucketAlreadyOwnedByYou. A re-create that would change the bucket's ACL
            // is refused (as RGW does) rather than silently resetting it, as AWS would.
            guard configuration.region == "us-east-1", location == nil || location == "us-east-1" else {
                throw S3Error.bucketAlreadyOwnedByYou(name)
            }
            let existing = try catalog.buckets.bucket(named: name)
            let current = existing?.acl ?? AccessControlList.canned("private", ownerID: ownerID)
            if (acl ?? AccessControlList.canned("private", ownerID: ownerID)) != current { throw S3Error.bucketAlreadyExists(name) }
        }
        var headers = HTTPFields()
        headers[.location] = "/\(name)"
        headers[.contentLength] = "0"
        return Response(status: .ok, headers: headers)
    }

    func headBucket(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        var headers = HTTPFields()
        headers[HTTPField.Name("x-amz-bucket-region")!] = bucket.location ?? configuration.region
        headers[.contentLength] = "0"
        return Response(status: .ok, headers: headers)
    }

    func deleteBucket(_ request: S3Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        try await catalog.buckets.deleteBucket(named: bucket.name)
        return Response(status: .noContent)
    }

    func getBucketLocation(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        var xml = XMLWriter()
        let location = bucket.location ?? (configuration.region == "us-east-1" ? "" : configuration.region)
        xml.raw("\n<LocationConstraint xmlns=\"\(XMLWriter.s3Namespace)\">\(XMLWriter.escape(location))</LocationConstraint>")
        return Self.xmlResponse(xml)
    }

    func getBucketVersioning(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        var xml = XMLWriter()
        xml.openRoot("VersioningConfiguration")
        switch bucket.versioning {
        case .unversioned: break
        case .enabled: xml.element("Status", "Enabled")
        case .suspended: xml.element("Status", "Suspended")
        }
        xml.close("VersioningConfiguration")
        return Self.xmlResponse(xml)
    }

    func putBucketVersioning(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let body = try await verifiedBody(http, request, auth)
        guard let document = try? XMLReader.parse(body), document.name == "VersioningConfiguration" else {
            throw S3Error.malformedXML()
        }
        switch document.value("Status") {
        case "Enabled": try await catalog.buckets.setVersioning(bucket: bucket.name, .enabled)
        case "Suspended":
            if bucket.objectLockEnabled {
                throw S3Error.invalidBucketState("An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")
            }
            try await catalog.buckets.setVersioning(bucket: bucket.name, .suspended)
        default: throw S3Error.malformedXML()
        }
        return Response(status: .ok, headers: [.contentLength: "0"])
    }

    /// Reads a whole (small) request body, at most `limit` bytes, and checks it with `verifyPayload`:
    /// the one way configuration and batch handlers take their bodies, so none skips the check.
    func verifiedBody(_ http: Request, _ request: S3Request, _ auth: Authentication, limit: Int = Limits.xmlBodyByteCountMax) async throws -> [UInt8]
    {
        let body = try await Self.collectBody(http, limit: limit)
        try verifyPayload(body, request, auth)
        return body
    }

    /// Checks a whole (small) body against `x-amz-content-sha256` and `Content-MD5`.
    private func verifyPayload(_ body: [UInt8], _ request: S3Request, _ auth: Authentication) throws {
        if case .sha256(let expected) = auth.payload {
            let actual = Hex.encode(SHA256.hash(data: body))
            guard actual == expected else { throw S3Error.contentSHA256Mismatch(client: expected, server: actual) }
        }
        if let header = request.header("content-md5") {
            guard let expected = Base64.decode(header), expected.count == 16 else { throw S3Error.invalidDigest() }
            guard Array(Insecure.MD5.hash(data: body)) == expected else { throw S3Error.badDigest() }
        }
    }
}

extension S3Error {
    static func invalidBucketState(_ message: String) -> S3Error { S3Error("InvalidBucketState", .conflict, message) }
}
