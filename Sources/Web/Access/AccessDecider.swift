import HTTPSupport
import Index
import Objects
import Synchronization

/// Decides whether a principal may perform an S3 action on a bucket or object, combining the key's
/// scope, the bucket policy, ownership, ACLs and the PublicAccessBlock. A pure function of its
/// inputs (parsed policies are cached).
public final class AccessDecider: Sendable {
    /// Parsed policies kept before the cache is cleared.
    static let policyCacheCountMax = 256

    private let policies = Mutex<[[UInt8]: BucketPolicy]>([:])

    public init() {}

    /// The facts about one request that a decision needs.
    public struct Query: Sendable {
        public var principal: Principal
        public var action: String
        public var bucket: BucketRecord
        public var key: String?
        /// The object's ACL and owner, for object-level actions on an existing object.
        public var objectACL: AccessControlList?
        public var objectOwner: String?
        /// `s3:prefix`, `s3:delimiter`, `s3:max-keys`, `aws:SourceIp` …
        public var context: [String: String]

        public init(principal: Principal, action: String, bucket: BucketRecord, key: String?, context: [String: String] = [:]) {
            self.principal = principal
            self.action = action
            self.bucket = bucket
            self.key = key
            self.context = context
        }
    }

    /// Actions that change something (refused to read-only keys).
    static func isWrite(_ action: String) -> Bool {
        !(action.hasPrefix("s3:Get") || action.hasPrefix("s3:List") || action == "s3:HeadBucket")
    }

    public func allows(_ query: Query) -> Bool {
        let principal = query.principal
        if !principal.scopes.isEmpty || principal.isReadOnly {
            guard Self.scopeAllows(query) else { return false }
        }
        if principal.isRoot { return true }
        let block = query.bucket.publicAccessBlock ?? 0
        let ignorePublicACLs = block & 0b10 != 0
        let restrictPublic = block & 0b1000 != 0
        if let policy = policy(for: query.bucket) {
            var resource = "arn:aws:s3:::" + query.bucket.name
            if let key = query.key { resource += "/" + key }
            var context = query.context
            context["aws:securetransport"] = context["aws:securetransport"] ?? "false"
            let verdict = policy.evaluate(
                BucketPolicy.Request(
                    action: query.action, resource: resource, user: principal.isAnonymous ? nil : principal.user,
                    canonicalID: principal.canonicalID, context: context
                ),
                ignorePublic: restrictPublic && principal.user != query.bucket.owner
            )
            if verdict == .deny { return false }
            if verdict == .allow { return true }
        }
        // Only root makes scoped keys, so a scope is root's grant as well as a limit: the key may
        // read (and unless read-only, write) objects in its scope, as Hypha's workspace policy
        // allows. Bucket configuration stays with the owner.
        // Object Lock's powers (bypassing GOVERNANCE, setting or lifting retention and holds) are
        // not part of that grant: they stay with the owner, root and policies.
        if !principal.scopes.isEmpty, !Self.objectLockActions.contains(query.action),
            query.key != nil || Self.isListing(query.action) || query.action == "s3:GetBucketLocation"
        {
            return true
        }
        if !principal.isAnonymous && principal.user == query.bucket.owner { return true }
        return aclAllows(query, ignorePublic: ignorePublicACLs)
    }

    static let objectLockActions: Set<String> = [
        "s3:BypassGovernanceRetention", "s3:PutObjectRetention", "s3:PutObjectLegalHold",
    ]

    /// What the bucket and object ACLs grant for the action.
    private func aclAllows(_ query: Query, ignorePublic: Bool) -> Bool {
        let principal = query.principal
        let id = principal.canonicalID
        let signed = !principal.isAnonymous
        let bucketACL = query.bucket.acl ?? AccessControlList(grants: [])
        switch query.action {
        case "s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads", "s3:HeadBucket":
            return bucketACL.allows(.read, canonicalID: id, isAuthenticated: signed, ignorePublic: ignorePublic)
        case "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts":
            return bucketACL.allows(.write, canonicalID: id, isAuthenticated: signed, ignorePublic: ignorePublic)
        case "s3:GetBucketAcl":
            return bucketACL.allows(.readACP, canonicalID: id, isAuthenticated: signed, ignorePublic: ignorePublic)
        case "s3:PutBucketAcl":
            return bucketACL.allows(.writeACP, canonicalID: id, isAuthenticated: signed, ignorePublic: ignorePublic)
        case "s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes", "s3:GetObjectTagging", "s3:GetObjectVersionTagging":
            if let owner = query.objectOwner, signed, owner == principal.user { return true }
            return (query.objectACL ?? AccessControlList(grants: [])).allows(
                .read, canonicalID: id, isAuthenticated: signed, ignorePublic: ignorePublic)
        case "s3:GetObjectAcl", "s3:GetObjectVersionAcl":
            if let owner = query.objectOwner, signed, owner == principal.user { return true }
            return (query.objectACL ?? AccessControlList(grants: [])).allows(
                .readACP, canonicalID: id, isAuthenticated: signed, ignorePublic: ignorePublic)
        case "s3:PutObjectAcl", "s3:PutObjectVersionAcl":
            if let owner = query.objectOwner, signed, owner == principal.user { return true }
            return (query.objectACL ?? AccessControlList(grants: [])).allows(
                .writeACP, canonicalID: id, isAuthenticated: signed, ignorePublic: ignorePublic)
        default:
            return false
        }
    }

    static func isListing(_ action: String) -> Bool {
        ["s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads", "s3:HeadBucket"].contains(action)
    }

    /// A scoped or read-only key: only its buckets and prefixes, and only reads when read-only.
    static func scopeAllows(_ query: Query) -> Bool {
        let principal = query.principal
        if principal.isReadOnly && isWrite(query.action) { return false }
        guard !principal.scopes.isEmpty else { return true }
        let scopes = principal.scopes.filter { $0.bucket == query.bucket.name }
        guard !scopes.isEmpty else { return false }
        switch query.action {
        case "s3:GetBucketLocation", "s3:HeadBucket":
            return true
        case "s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads":
            let prefix = query.context["s3:prefix"] ?? ""
            return scopes.contains { scope in scope.prefix.isEmpty || prefix.hasPrefix(scope.prefix) }
        default:
            guard let key = query.key else {
                // Bucket configuration is for whole-bucket keys only.
                return scopes.contains { $0.prefix.isEmpty }
            }
            return scopes.contains { scope in
                scope.prefix.isEmpty || key.hasPrefix(scope.prefix) || (scope.prefix.hasSuffix("/") && key == String(scope.prefix.dropLast()))
            }
        }
    }

    private func policy(for bucket: BucketRecord) -> BucketPolicy? {
        guard let document = bucket.policy else { return nil }
        let cacheKey = Array(bucket.name.utf8) + [0] + document
        if let cached = policies.withLock({ $0[cacheKey] }) { return cached }
        guard let parsed = try? BucketPolicy(json: document, bucket: bucket.name) else { return nil }
        policies.withLock { cache in
            if cache.count >= Self.policyCacheCountMax { cache.removeAll() }
            cache[cacheKey] = parsed
        }
        return parsed
    }
}
