import Access
import BlobStore
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import NIOCore
import Objects

/// Bucket and object ACLs, bucket policies, PublicAccessBlock, ownership controls and CORS.
extension S3Service {
    static let allUsersURI = "http://acs.amazonaws.com/groups/global/AllUsers"
    static let authenticatedUsersURI = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
    static let objectOwnershipValues: Set<String> = ["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"]

    // MARK: ACLs

    /// The ACL a request sets with `x-amz-acl` or `x-amz-grant-*` headers, or nil when it sets none.
    func requestedACL(_ request: S3Request, ownerID: String, bucketOwnerID: String? = nil) throws -> AccessControlList? {
        if let canned = request.header("x-amz-acl") {
            guard let acl = AccessControlList.canned(canned, ownerID: ownerID, bucketOwnerID: bucketOwnerID) else {
                throw S3Error.invalidArgument("", name: "x-amz-acl", value: canned)
            }
            return acl
        }
        var grants = [AccessControlList.Grant]()
        let headers: [(String, AccessControlList.Permission)] = [
            ("x-amz-grant-full-control", .fullControl), ("x-amz-grant-read", .read), ("x-amz-grant-write", .write),
            ("x-amz-grant-read-acp", .readACP), ("x-amz-grant-write-acp", .writeACP),
        ]
        for (header, permission) in headers {
            guard let value = request.header(header) else { continue }
            for item in value.split(separator: ",") {
                let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces() }
                guard parts.count == 2 else { throw S3Error.invalidArgument("Invalid grant", name: header, value: value) }
                let target = parts[1].trimmingCharacters(in: "\"")
                switch parts[0].lowercased() {
                case "id": grants.append(.init(.user(try knownCanonicalID(target)), permission))
                case "uri" where target == Self.allUsersURI: grants.append(.init(.allUsers, permission))
                case "uri" where target == Self.authenticatedUsersURI: grants.append(.init(.authenticatedUsers, permission))
                case "emailaddress": grants.append(.init(.user(try canonicalID(forEmail: target)), permission))
                default: throw S3Error.invalidArgument("Invalid grantee", name: header, value: value)
                }
            }
        }
        return grants.isEmpty ? nil : AccessControlList(grants: grants)
    }

    /// The owner and ACL of an object a request writes. Under `BucketOwnerEnforced` (and under
    /// `BucketOwnerPreferred` with `bucket-owner-full-control`) the bucket owner owns it.
    func newObjectAccess(_ request: S3Request, bucket: BucketRecord, auth: Authentication) throws -> (owner: String, acl: AccessControlList?) {
        let canned = request.header("x-amz-acl")
        let bucketOwned =
            bucket.ownership == "BucketOwnerEnforced"
            || (bucket.ownership == "BucketOwnerPreferred" && canned == "bucket-owner-full-control")
        let owner = bucketOwned ? bucket.owner : auth.principal.user
        let acl = try requestedACL(
            request, ownerID: Principal.canonicalID(forUser: owner), bucketOwnerID: Principal.canonicalID(forUser: bucket.owner)
        )
        try checkACLAllowed(acl, bucket: bucket, cannedName: canned)
        return (owner, bucket.ownership == "BucketOwnerEnforced" ? nil : acl)
    }

    /// A grantee's canonical id, if it names a user spore knows.
    func knownCanonicalID(_ id: String) throws -> String {
        guard credentials.userNames().contains(where: { Principal.canonicalID(forUser: $0) == id }) else {
            throw S3Error.invalidArgument("Invalid id", name: "CanonicalUser/ID", value: id)
        }
        return id
    }

    /// spore's users have no email addresses: a grant by email names the user whose name is the
    /// address's local part (`alice@…` is alice).
    func canonicalID(forEmail email: String) throws -> String {
        let local = String(email.split(separator: "@", maxSplits: 1).first ?? "")
        guard !local.isEmpty, credentials.userNames().contains(local) else {
            throw S3Error("UnresolvableGrantByEmailAddress", .badRequest, "The e-mail address you provided does not match any account on record.")
        }
        return Principal.canonicalID(forUser: local)
    }

    /// Refuses ACLs the bucket's settings do not allow (PublicAccessBlock, BucketOwnerEnforced).
    func checkACLAllowed(_ acl: AccessControlList?, bucket: BucketRecord, cannedName: String?) throws {
        guard let acl else { return }
        if bucket.ownership == "BucketOwnerEnforced", cannedName != "bucket-owner-full-control" {
            throw S3Error("AccessControlListNotSupported", .badRequest, "The bucket does not allow ACLs")
        }
        if acl.isPublic, (bucket.publicAccessBlock ?? 0) & 0b1 != 0 { throw S3Error.accessDenied() }
    }

    func parseACLDocument(_ body: [UInt8]) throws -> AccessControlList {
        guard let document = try? XMLReader.parse(body), document.name == "AccessControlPolicy",
            let list = document.child("AccessControlList")
        else { throw S3Error.malformedXML() }
        var grants = [AccessControlList.Grant]()
        for grant in list.children("Grant") {
            guard let grantee = grant.child("Grantee"), let permissionText = grant.value("Permission"),
                let permission = AccessControlList.Permission(rawValue: permissionText)
            else { throw S3Error.malformedXML() }
            if let id = grantee.value("ID") {
                grants.append(.init(.user(try knownCanonicalID(id)), permission))
            } else if let uri = grantee.value("URI") {
                switch uri {
                case Self.allUsersURI: grants.append(.init(.allUsers, permission))
                case Self.authenticatedUsersURI: grants.append(.init(.authenticatedUsers, permission))
                default: throw S3Error.invalidArgument("Invalid group uri", name: "uri", value: uri)
                }
            } else if let email = grantee.value("EmailAddress") {
                grants.append(.init(.user(try canonicalID(forEmail: email)), permission))
            } else {
                throw S3Error.malformedXML()
            }
        }
        return AccessControlList(grants: grants)
    }

    func renderACL(_ acl: AccessControlList?, owner: String) -> XMLWriter {
        let ownerID = Principal.canonicalID(forUser: owner)
        // Group grants first, then users (in the order given), as RGW lists them.
        let given = acl?.grants ?? [.init(.user(ownerID), .fullControl)]
        let grants =
            given.filter { if case .user = $0.grantee { return false } else { return true } }
            + given.filter { if case .user = $0.grantee { return true } else { return false } }
        var xml = XMLWriter()
        xml.openRoot("AccessControlPolicy")
        xml.open("Owner")
        xml.element("ID", ownerID)
        xml.element("DisplayName", owner)
        xml.close("Owner")
        xml.open("AccessControlList")
        for grant in grants {
            xml.open("Grant")
            switch grant.grantee {
            case .user(let id):
                xml.raw(#"<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">"#)
                xml.element("ID", id)
                xml.element("DisplayName", displayName(forCanonicalID: id))
            case .allUsers:
                xml.raw(#"<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">"#)
                xml.element("URI", Self.allUsersURI)
            case .authenticatedUsers:
                xml.raw(#"<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">"#)
                xml.element("URI", Self.authenticatedUsersURI)
            }
            xml.close("Grantee")
            xml.element("Permission", grant.permission.rawValue)
            xml.close("Grant")
        }
        xml.close("AccessControlList")
        xml.close("AccessControlPolicy")
        return xml
    }

    func displayName(forCanonicalID id: String) -> String {
        var names = credentials.userNames()
        names += (try? catalog.identity.users().map(\.name)) ?? []
        return names.first { Principal.canonicalID(forUser: $0) == id } ?? id
    }

    func getBucketACL(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        return Self.xmlResponse(renderACL(bucket.acl, owner: bucket.owner))
    }

    func putBucketACL(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let ownerID = Principal.canonicalID(forUser: bucket.owner)
        let body = try await verifiedBody(http, request, auth)
        let acl = try requestedACL(request, ownerID: ownerID) ?? (body.isEmpty ? nil : parseACLDocument(body))
        guard let acl else { throw S3Error.malformedXML() }
        try checkACLAllowed(acl, bucket: bucket, cannedName: request.header("x-amz-acl"))
        try await catalog.buckets.updateBucket(named: bucket.name) { $0.acl = acl }
        return Response(status: .ok, headers: [.contentLength: "0"])
    }

    func getObjectACL(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let (bucket, version) = try authorizedObject(request, auth)
        var headers = HTTPFields()
        if !version.isNullVersion { headers[Self.versionIDField] = version.versionID.rawValue }
        _ = bucket
        return Self.xmlResponse(renderACL(version.acl, owner: version.owner), headers: headers)
    }

    func putObjectACL(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        let (bucket, version) = try authorizedObject(request, auth)
        let body = try await verifiedBody(http, request, auth)
        let ownerID = Principal.canonicalID(forUser: version.owner)
        let acl =
            try requestedACL(request, ownerID: ownerID, bucketOwnerID: Principal.canonicalID(forUser: bucket.owner))
            ?? (body.isEmpty ? nil : parseACLDocument(body))
        guard let acl else { throw S3Error.malformedXML() }
        try checkACLAllowed(acl, bucket: bucket, cannedName: request.header("x-amz-acl"))
        let updated = try await catalog.objects.setACL(
            bucket: bucket.name, key: try request.objectKey(), versionID: try Self.versionID(request), acl: acl
        )
        return Self.versionChanged(updated)
    }

    /// The request's object (or version), after checking the request's action on it.
    func authorizedObject(_ request: S3Request, _ auth: Authentication) throws -> (BucketRecord, ObjectVersion) {
        guard let name = request.bucket else { throw S3Error.methodNotAllowed() }
        let key = try request.objectKey()
        let versionID = try Self.versionID(request)
        let (bucket, lookup) = try catalog.objects.lookup(bucket: name, key: key, versionID: versionID, nowMilliseconds: clock.nowMilliseconds())
        guard case .found(let version) = lookup else {
            try authorizeRead(auth, bucket, request: request, object: nil)
            throw versionID.map { S3Error.noSuchVersion(key.value, $0.rawValue) } ?? S3Error.noSuchKey(key.value)
        }
        try authorize(auth, bucket, request: request, object: version)
        return (bucket, version)
    }

    // MARK: Policies

    func getBucketPolicy(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        guard let policy = bucket.policy else {
            throw S3Error("NoSuchBucketPolicy", .notFound, "The bucket policy does not exist", fields: [("BucketName", bucket.name)])
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: policy)))
    }

    func putBucketPolicy(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let body = try await verifiedBody(http, request, auth, limit: Limits.policyDocumentByteCountMax + 1)
        let policy: BucketPolicy
        do {
            policy = try BucketPolicy(json: body, bucket: bucket.name)
        } catch {
            throw S3Error("MalformedPolicy", .badRequest, error.reason)
        }
        if policy.isPublic, (bucket.publicAccessBlock ?? 0) & 0b100 != 0 { throw S3Error.accessDenied() }
        try await catalog.buckets.updateBucket(named: bucket.name) { $0.policy = body }
        return Response(status: .noContent)
    }

    func deleteBucketPolicy(_ request: S3Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        try await catalog.buckets.updateBucket(named: bucket.name) { $0.policy = nil }
        return Response(status: .noContent)
    }

    func getBucketPolicyStatus(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let policyIsPublic = bucket.policy.flatMap { try? BucketPolicy(json: $0, bucket: bucket.name) }?.isPublic ?? false
        let isPublic = policyIsPublic || bucket.acl?.isPublic == true
        var xml = XMLWriter()
        xml.openRoot("PolicyStatus")
        xml.element("IsPublic", isPublic)
        xml.close("PolicyStatus")
        return Self.xmlResponse(xml)
    }

    // MARK: PublicAccessBlock and ownership

    static let blockFlags = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"]

    func getPublicAccessBlock(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        guard let flags = bucket.publicAccessBlock else {
            throw S3Error(
                "NoSuchPublicAccessBlockConfiguration", .notFound, "The public access block configuration was not found",
                fields: [("BucketName", bucket.name)])
        }
        var xml = XMLWriter()
        xml.openRoot("PublicAccessBlockConfiguration")
        for (index, name) in Self.blockFlags.enumerated() { xml.element(name, flags & (1 << index) != 0) }
        xml.close("PublicAccessBlockConfiguration")
        return Self.xmlResponse(xml)
    }

    func putPublicAccessBlock(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let body = try await verifiedBody(http, request, auth)
        guard let document = try? XMLReader.parse(body), document.name == "PublicAccessBlockConfiguration" else { throw S3Error.malformedXML() }
        var flags: UInt8 = 0
        for (index, name) in Self.blockFlags.enumerated() where document.value(name)?.lowercased() == "true" { flags |= 1 << index }
        let chosen = flags
        try await catalog.buckets.updateBucket(named: bucket.name) { $0.publicAccessBlock = chosen }
        return Response(status: .ok, headers: [.contentLength: "0"])
    }

    func deletePublicAccessBlock(_ request: S3Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        try await catalog.buckets.updateBucket(named: bucket.name) { $0.publicAccessBlock = nil }
        return Response(status: .noContent)
    }

    func getOwnershipControls(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        guard let ownership = bucket.ownership else {
            throw S3Error(
                "OwnershipControlsNotFoundError", .notFound, "The bucket ownership controls were not found", fields: [("BucketName", bucket.name)])
        }
        var xml = XMLWriter()
        xml.openRoot("OwnershipControls")
        xml.open("Rule")
        xml.element("ObjectOwnership", ownership)
        xml.close("Rule")
        xml.close("OwnershipControls")
        return Self.xmlResponse(xml)
    }

    func putOwnershipControls(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let body = try await verifiedBody(http, request, auth)
        guard let document = try? XMLReader.parse(body), document.name == "OwnershipControls",
            let ownership = document.child("Rule")?.value("ObjectOwnership"),
            Self.objectOwnershipValues.contains(ownership)
        else { throw S3Error.malformedXML() }
        if ownership == "BucketOwnerEnforced", let acl = bucket.acl,
            acl.grants != [.init(.user(Principal.canonicalID(forUser: bucket.owner)), .fullControl)]
        {
            throw S3Error(
                "InvalidBucketAclWithObjectOwnership", .badRequest, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
        }
        try await catalog.buckets.updateBucket(named: bucket.name) { $0.ownership = ownership }
        return Response(status: .ok, headers: [.contentLength: "0"])
    }

    func deleteOwnershipControls(_ request: S3Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        try await catalog.buckets.updateBucket(named: bucket.name) { $0.ownership = nil }
        return Response(status: .noContent)
    }

    // MARK: CORS

    func getBucketCORS(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        guard let document = bucket.cors, let configuration = try? CORSConfiguration.parse(document) else {
            throw S3Error("NoSuchCORSConfiguration", .notFound, "The CORS configuration does not exist", fields: [("BucketName", bucket.name)])
        }
        return Self.xmlResponse(configuration.render())
    }

    func putBucketCORS(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let body = try await verifiedBody(http, request, auth)
        try checkBodyChecksums(body, request)
        _ = try CORSConfiguration.parse(body)
        try await catalog.buckets.updateBucket(named: bucket.name) { $0.cors = body }
        return Response(status: .ok, headers: [.contentLength: "0"])
    }

    func deleteBucketCORS(_ request: S3Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        try await catalog.buckets.updateBucket(named: bucket.name) { $0.cors = nil }
        return Response(status: .noContent)
    }

    /// `x-amz-checksum-*` of a small body read whole.
    func checkBodyChecksums(_ body: [UInt8], _ request: S3Request) throws {
        let (expected, _) = try ChecksumHeaders.parse(request)
        guard !expected.isEmpty else { return }
        let digests = ContentHasherBridge.digests(body, expected.map(\.algorithm))
        for checksum in expected where digests.first(where: { $0.algorithm == checksum.algorithm }) != checksum {
            throw S3Error.badDigest("The \(ChecksumHeaders.name(checksum.algorithm)) you specified did not match the calculated checksum.")
        }
    }

    /// The CORS rules that apply to a bucket: its own, or the configured default.
    /// The bucket's CORS rules, else the server-wide `cors_origins` default (which also covers
    /// requests without a bucket, like ListBuckets).
    func corsConfiguration(for bucket: BucketRecord?) -> CORSConfiguration? {
        if let document = bucket?.cors { return try? CORSConfiguration.parse(document) }
        return configuration.corsOrigins.isEmpty ? nil : CORSConfiguration.permissive(origins: configuration.corsOrigins)
    }

    func corsConfiguration(forBucketNamed name: String?) -> CORSConfiguration? {
        guard let name else { return corsConfiguration(for: nil) }
        guard let bucket = try? catalog.buckets.bucket(named: name) else { return nil }
        return corsConfiguration(for: bucket)
    }
}

enum ContentHasherBridge {
    static func digests(_ body: [UInt8], _ algorithms: [ChecksumAlgorithm]) -> [ChecksumValue] {
        ContentHasher.digests(of: body, checksums: Set(algorithms)).checksums
    }
}
