import Access
import BlobStore
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Logging
import NIOCore
import Objects
import SporeJSON
import Synchronization

/// Buckets (list, create, delete, settings) and object versions (list, restore, delete one).
struct BucketRoutes {
    let face: ConsoleFace

    /// The id of the one lifecycle rule the settings dialog manages; other rules are left alone.
    static let expirationRuleID = "spore-console-expiration"
    static let expirationDaysMax: Int64 = 36_500
    static let versionListCountMax = 1000

    func register(on router: Router<SporeRequestContext>) {
        router.get("/api/buckets") { request, context in try listBuckets(request, context) }
        router.post("/api/buckets") { request, context in try await createBucket(request, context) }
        router.delete("/api/buckets/:bucket") { request, context in try await deleteBucket(request, context) }
        router.get("/api/buckets/:bucket/settings") { request, context in try settings(request, context) }
        router.put("/api/buckets/:bucket/settings") { request, context in try await changeSettings(request, context) }
        router.get("/api/versions/:bucket/:key") { request, context in try listVersions(request, context) }
        router.post("/api/versions/:bucket/:key/restore") { request, context in try await restore(request, context) }
        router.delete("/api/versions/:bucket/:key") { request, context in try await deleteVersion(request, context) }
    }

    private func listBuckets(_ request: Request, _ context: SporeRequestContext) throws -> Response {
        let caller = try face.caller(request, context: context)
        context.labels.set(operation: "console.ListBuckets", resource: "-")
        let visible = try face.catalog.buckets.list().filter { face.allows(caller, $0, action: "s3:ListBucket") }
        return JSONResponse.make([
            "buckets": .array(
                visible.prefix(Limits.listBucketsCountMax).map { bucket in
                    [
                        "Name": .string(bucket.name), "CreationDate": .string(Timestamp.iso8601(milliseconds: bucket.createdAtMilliseconds)),
                        "owner": .string(bucket.owner),
                    ]
                })
        ])
    }

    private func createBucket(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let caller = try face.caller(request, context: context)
        let body = try await ConsoleRequest.jsonObject(request)
        guard let name = body["name"]?.stringValue, let bucketName = BucketName(validating: name) else {
            throw ConsoleError.invalid("Bucket names are 3 to 63 lower-case letters, digits, dots and hyphens.")
        }
        context.labels.set(operation: "console.CreateBucket", resource: name)
        try face.requireFullKey(caller)
        _ = try await face.catalog.buckets.createBucket(bucketName, owner: caller.user, location: nil, nowMilliseconds: face.now)
        if body["versioning"]?.boolValue == true { try await face.catalog.buckets.setVersioning(bucket: name, .enabled) }
        return JSONResponse.make(["bucket": .string(name)], status: .created)
    }

    private func deleteBucket(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let caller = try face.caller(request, context: context)
        let name = try ConsoleRequest.parameter(context, "bucket")
        context.labels.set(operation: "console.DeleteBucket", resource: name)
        _ = try face.authorizedBucket(caller, name, action: "s3:DeleteBucket")
        try await face.catalog.buckets.deleteBucket(named: name)
        return JSONResponse.make(["message": "Bucket deleted", "bucket": .string(name)])
    }

    // MARK: Settings

    /// Private and link-local ranges: "the LAN" for a box on one. Not loopback: behind a reverse
    /// proxy on the box every client would look local.
    static let lanRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "fc00::/7", "fe80::/10"]

    static func lanReadPolicy(_ bucket: String) -> String {
        let ranges = lanRanges.map { "\"\($0)\"" }.joined(separator: ",")
        return
            #"{"Version":"2012-10-17","Statement":[{"Sid":"SporeConsoleLANRead","Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::\#(bucket)/*"],"Condition":{"IpAddress":{"aws:SourceIp":[\#(ranges)]}}}]}"#
    }

    /// A CORS configuration letting these origins use the bucket from a browser (every method,
    /// every request header, the headers an uploader reads exposed).
    static func corsDocument(_ origins: [String]) -> [UInt8] {
        var xml = "<CORSConfiguration><CORSRule><ID>spore-console</ID>"
        for origin in origins { xml += "<AllowedOrigin>\(Self.xmlEscaped(origin))</AllowedOrigin>" }
        for method in ["GET", "PUT", "POST", "DELETE", "HEAD"] { xml += "<AllowedMethod>\(method)</AllowedMethod>" }
        xml += "<AllowedHeader>*</AllowedHeader>"
        for header in ["ETag", "Content-Length", "Content-Range", "x-amz-version-id"] { xml += "<ExposeHeader>\(header)</ExposeHeader>" }
        xml += "<MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>"
        return Array(xml.utf8)
    }

    /// The origins of a configuration this console wrote; nil for one written otherwise.
    static func corsOrigins(_ document: [UInt8]) -> [String]? {
        let text = String(decoding: document, as: UTF8.self)
        guard text.hasPrefix("<CORSConfiguration><CORSRule><ID>spore-console</ID>") else { return nil }
        var origins = [String]()
        var rest = Substring(text)
        while let open = rest.range(of: "<AllowedOrigin>"), let close = rest.range(of: "</AllowedOrigin>"), open.upperBound <= close.lowerBound {
            origins.append(Self.xmlUnescaped(String(rest[open.upperBound..<close.lowerBound])))
            rest = rest[close.upperBound...]
        }
        return origins
    }

    static func xmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static func xmlUnescaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// `*`, or `scheme://host[:port]` with a `*` allowed in the host (S3's wildcard origins).
    static func isValidOrigin(_ origin: String) -> Bool {
        if origin == "*" { return true }
        guard origin.utf8.count <= 256, let schemeEnd = origin.range(of: "://") else { return false }
        let scheme = origin[..<schemeEnd.lowerBound]
        let rest = origin[schemeEnd.upperBound...]
        return (scheme == "http" || scheme == "https") && !rest.isEmpty
            && rest.allSatisfy { $0.isLetter || $0.isNumber || "-.:*[]".contains($0) }
    }

    static func publicReadPolicy(_ bucket: String) -> String {
        #"{"Version":"2012-10-17","Statement":[{"Sid":"SporeConsolePublicRead","Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::\#(bucket)/*"]}]}"#
    }

    private func describeSettings(_ bucket: BucketRecord) throws -> JSONValue {
        let versioning: String
        switch bucket.versioning {
        case .unversioned: versioning = "Off"
        case .enabled: versioning = "Enabled"
        case .suspended: versioning = "Suspended"
        }
        let access: String
        if let policy = bucket.policy {
            access =
                policy == Array(Self.publicReadPolicy(bucket.name).utf8)
                ? "public-read" : policy == Array(Self.lanReadPolicy(bucket.name).utf8) ? "lan-read" : "custom"
        } else {
            access = "private"
        }
        let rule = try face.catalog.lifecycleRules(bucket: bucket.name)?.first { $0.id == Self.expirationRuleID }
        return [
            "bucket": .string(bucket.name), "owner": .string(bucket.owner), "versioning": .string(versioning), "access": .string(access),
            "expirationDays": rule?.expirationDays.map { .int(Int64($0)) } ?? .null,
            "corsOrigins": bucket.cors.map { document in Self.corsOrigins(document).map { .array($0.map(JSONValue.string)) } ?? "custom" } ?? [],
        ]
    }

    private func settings(_ request: Request, _ context: SporeRequestContext) throws -> Response {
        let caller = try face.caller(request, context: context)
        let name = try ConsoleRequest.parameter(context, "bucket")
        context.labels.set(operation: "console.GetBucketSettings", resource: name)
        let bucket = try face.authorizedBucket(caller, name, action: "s3:GetBucketVersioning")
        return JSONResponse.make(try describeSettings(bucket))
    }

    /// Applies the fields given, each checked with its own S3 action, all before any is changed.
    private func changeSettings(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let caller = try face.caller(request, context: context)
        let name = try ConsoleRequest.parameter(context, "bucket")
        context.labels.set(operation: "console.PutBucketSettings", resource: name)
        let body = try await ConsoleRequest.jsonObject(request)
        guard let bucket = try face.catalog.buckets.bucket(named: name) else { throw ConsoleError.noSuchBucket(name) }
        var versioning: VersioningState?
        if let text = body["versioning"]?.stringValue {
            switch text {
            case "Enabled": versioning = .enabled
            case "Suspended", "Off":
                versioning = bucket.versioning == .unversioned ? nil : .suspended
                if versioning != nil, bucket.objectLockEnabled {
                    throw ConsoleError(
                        .conflict, "InvalidBucketState", "Object Lock is on for this bucket, so its versioning cannot be suspended.")
                }
            default: throw ConsoleError.invalid("versioning is Enabled or Suspended.")
            }
            try face.authorize(caller, bucket, action: "s3:PutBucketVersioning")
        }
        var policy: [UInt8]??
        if let text = body["access"]?.stringValue {
            switch text {
            case "public-read": policy = .some(Array(Self.publicReadPolicy(name).utf8))
            case "lan-read": policy = .some(Array(Self.lanReadPolicy(name).utf8))
            case "private": policy = .some(nil)
            default: throw ConsoleError.invalid("access is private, lan-read or public-read.")
            }
            try face.authorize(caller, bucket, action: text == "private" ? "s3:DeleteBucketPolicy" : "s3:PutBucketPolicy")
            // BlockPublicPolicy, as PutBucketPolicy honours it.
            if text != "private", (bucket.publicAccessBlock ?? 0) & 0b100 != 0 {
                throw ConsoleError.denied("This bucket blocks public policies (its PublicAccessBlock).")
            }
        }
        var expiration: Int64??
        if body.contains("expirationDays") {
            expiration = .some(try ConsoleRequest.int(body["expirationDays"], name: "expirationDays", range: 1...Self.expirationDaysMax))
            try face.authorize(caller, bucket, action: "s3:PutLifecycleConfiguration")
        }
        var cors: [UInt8]??
        if let value = body["corsOrigins"] {
            guard let list = value.arrayValue, list.count <= 100 else { throw ConsoleError.invalid("corsOrigins is a list of origins.") }
            let origins = try list.map { item -> String in
                guard let origin = item.stringValue, Self.isValidOrigin(origin) else {
                    throw ConsoleError.invalid("Origins are * or scheme://host[:port], e.g. https://app.lan:8080.")
                }
                return origin
            }
            cors = .some(origins.isEmpty ? nil : Self.corsDocument(origins))
            try face.authorize(caller, bucket, action: "s3:PutBucketCORS")
        }
        if let versioning { try await face.catalog.buckets.setVersioning(bucket: name, versioning) }
        if let cors { _ = try await face.catalog.buckets.updateBucket(named: name) { $0.cors = cors } }
        if let policy {
            _ = try await face.catalog.buckets.updateBucket(named: name) { $0.policy = policy }
        }
        if let expiration {
            var rules = (try face.catalog.lifecycleRules(bucket: name) ?? []).filter { $0.id != Self.expirationRuleID }
            if let days = expiration {
                rules.append(LifecycleRule(id: Self.expirationRuleID, isEnabled: true, filter: .init(), expirationDays: Int(days)))
            }
            try await face.catalog.setLifecycleRules(bucket: name, rules.isEmpty ? nil : rules, nowMilliseconds: face.now)
        }
        guard let changed = try face.catalog.buckets.bucket(named: name) else { throw ConsoleError.noSuchBucket(name) }
        return JSONResponse.make(try describeSettings(changed))
    }

    // MARK: Versions

    private func listVersions(_ request: Request, _ context: SporeRequestContext) throws -> Response {
        let caller = try face.caller(request, context: context)
        let name = try ConsoleRequest.parameter(context, "bucket")
        let key = try ConsoleRequest.decodeKey(try ConsoleRequest.parameter(context, "key"))
        context.labels.set(operation: "console.ListVersions", resource: name + "/" + key)
        _ = try face.authorizedBucket(caller, name, action: "s3:ListBucketVersions", prefix: key)
        let (_, page) = try face.catalog.objects.listVersions(
            bucket: name, prefix: Array(key.utf8), delimiter: nil, keyMarker: nil, versionIDMarker: nil, limit: Self.versionListCountMax,
            nowMilliseconds: face.now)
        let versions = page.entries.filter { $0.key == key }.map { entry -> JSONValue in
            [
                "versionId": .string(entry.version.versionID.rawValue), "isLatest": .bool(entry.isLatest),
                "isDeleteMarker": .bool(entry.version.isDeleteMarker), "size": .int(entry.version.byteCount),
                "lastModified": .string(Timestamp.iso8601(milliseconds: entry.version.lastModifiedMilliseconds)),
                "etag": .string("\"\(entry.version.etag)\""),
            ]
        }
        return JSONResponse.make(["key": .string(key), "versions": .array(versions)])
    }

    /// Makes an older version current again by copying it (as S3 clients do), so history is kept.
    private func restore(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let caller = try face.caller(request, context: context)
        let name = try ConsoleRequest.parameter(context, "bucket")
        let key = try ConsoleRequest.decodeKey(try ConsoleRequest.parameter(context, "key"))
        context.labels.set(operation: "console.RestoreVersion", resource: name + "/" + key)
        let body = try await ConsoleRequest.jsonObject(request)
        guard let text = body["versionId"]?.stringValue, let versionID = VersionID(parsing: text), let objectKey = ObjectKey(validating: key) else {
            throw ConsoleError.invalid("Send {\"versionId\": \"…\"}.")
        }
        let source = try ObjectRoutes(face: face).readableVersion(caller, bucket: name, key: key, versionID: text)
        guard let bucket = try face.catalog.buckets.bucket(named: name) else { throw ConsoleError.noSuchBucket(name) }
        try face.authorize(caller, bucket, action: "s3:PutObject", key: key, object: source)
        let now = face.now
        let owner = caller.user
        // The restored copy is a new version: it gets the bucket's default retention, never the
        // old version's lock (setting a lock takes its own permission).
        let retention = try await face.objects.bucketDefaults(bucket: name, encrypt: false).retention
        let (_, copy) = try await face.catalog.objects.copyObject(
            from: (name, objectKey, versionID), to: name, key: objectKey, preconditions: .none, nowMilliseconds: now
        ) { original in
            var copy = original
            copy.owner = owner
            copy.acl = nil
            copy.lastModifiedMilliseconds = now
            copy.retention = retention
            copy.legalHold = false
            return copy
        }
        return JSONResponse.make(["message": "Version restored", "versionId": .string(copy.versionID.rawValue)])
    }

    private func deleteVersion(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let caller = try face.caller(request, context: context)
        let name = try ConsoleRequest.parameter(context, "bucket")
        let key = try ConsoleRequest.decodeKey(try ConsoleRequest.parameter(context, "key"))
        context.labels.set(operation: "console.DeleteVersion", resource: name + "/" + key)
        guard let text = ConsoleRequest.query(request)["versionId"], let versionID = VersionID(parsing: text),
            let objectKey = ObjectKey(validating: key)
        else {
            throw ConsoleError.invalid("Give ?versionId=.")
        }
        _ = try face.authorizedBucket(caller, name, action: "s3:DeleteObjectVersion", key: key)
        _ = try await face.catalog.objects.deleteObject(
            bucket: name, key: objectKey, versionID: versionID, owner: caller.user, nowMilliseconds: face.now)
        return JSONResponse.make(["message": "Version deleted", "versionId": .string(text)])
    }
}
