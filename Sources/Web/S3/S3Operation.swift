import Access
import HTTPSupport
import HTTPTypes
import Objects

/// Which S3 operation a request is, decided from the method, the path and the query.
public enum S3Operation: Equatable, Sendable {
    case listBuckets
    case createBucket
    case headBucket
    case deleteBucket
    case getBucketLocation
    case getBucketVersioning
    case putBucketVersioning
    case listObjects
    case listObjectsV2
    case listObjectVersions
    case deleteObjects
    case putObject
    case copyObject
    case getObject
    case headObject
    case deleteObject
    case createMultipartUpload
    case uploadPart
    case uploadPartCopy
    case completeMultipartUpload
    case abortMultipartUpload
    case listParts
    case listMultipartUploads
    /// A subresource S3 has and spore does not implement: answered with NotImplemented.
    case notImplemented(String)
    /// BitTorrent files are not offered; S3 answers 404 for objects without one.
    case putBucketLifecycle
    case getBucketLifecycle
    case deleteBucketLifecycle
    case putObjectTagging
    case getObjectTagging
    case deleteObjectTagging
    case putBucketTagging
    case getBucketTagging
    case deleteBucketTagging
    case getObjectTorrent
    case getObjectAttributes
    case getBucketACL
    case putBucketACL
    case getObjectACL
    case putObjectACL
    case getBucketPolicy
    case putBucketPolicy
    case deleteBucketPolicy
    case getBucketPolicyStatus
    case getPublicAccessBlock
    case putPublicAccessBlock
    case deletePublicAccessBlock
    case getOwnershipControls
    case putOwnershipControls
    case deleteOwnershipControls
    case getBucketCORS
    case putBucketCORS
    case deleteBucketCORS
    case postObject
    case putObjectLockConfiguration
    case getObjectLockConfiguration
    case putObjectRetention
    case getObjectRetention
    case putObjectLegalHold
    case getObjectLegalHold
    case putBucketEncryption
    case getBucketEncryption
    case deleteBucketEncryption
    /// Spore's extension: `GET|HEAD /{bucket}?x-spore-zip&prefix=P`, everything under a prefix
    /// the caller may read, as one zip archive.
    case getPrefixZip
    /// A bucket configuration spore does not offer, which SDKs read to learn it is unset
    /// (notification, logging, encryption …): answered as AWS answers for a bucket without it.
    case getBucketDefault(String)
    case methodNotAllowed

    /// The query parameter that asks for a prefix as a zip archive (`getPrefixZip`).
    public static let zipQueryName = "x-spore-zip"

    /// Query parameters that select a bucket or object subresource.
    static let subresources: Set<String> = [
        "accelerate", "acl", "analytics", "attributes", "cors", "delete", "encryption", "intelligent-tiering", "inventory",
        "legal-hold", "lifecycle", "location", "logging", "metadataTable", "metrics", "notification", "object-lock",
        "ownershipControls", "policy", "policyStatus", "publicAccessBlock", "replication", "requestPayment", "restore",
        "retention", "select", "session", "tagging", "torrent", "uploads", "versioning", "versions", "website",
    ]

    /// Subresources spore serves with some method: another method on them is MethodNotAllowed.
    static let bucketSubresources: Set<String> = [
        "location", "versioning", "versions", "uploads", "acl", "policy", "policyStatus", "publicAccessBlock", "ownershipControls",
        "cors", "tagging", "lifecycle", "delete", "object-lock", "encryption",
    ]
    static let objectSubresources: Set<String> = ["torrent", "tagging", "attributes", "acl", "uploads", "retention", "legal-hold"]

    public static func resolve(_ request: S3Request) -> S3Operation {
        let subresource = request.query.first { subresources.contains($0.name) }?.name
        guard request.bucket != nil else {
            return request.method == .get ? .listBuckets : .methodNotAllowed
        }
        if request.keyBytes == nil {
            return bucketOperation(request, subresource: subresource)
        }
        return objectOperation(request, subresource: subresource)
    }

    private static func bucketOperation(_ request: S3Request, subresource: String?) -> S3Operation {
        if request.hasQuery(zipQueryName), subresource == nil, request.method == .get || request.method == .head { return .getPrefixZip }
        switch (request.method, subresource) {
        case (.get, nil): return request.queryValue("list-type") == "2" ? .listObjectsV2 : .listObjects
        case (.get, "location"): return .getBucketLocation
        case (.get, "versioning"): return .getBucketVersioning
        case (.put, "versioning"): return .putBucketVersioning
        case (.get, "versions"): return .listObjectVersions
        case (.get, "uploads"): return .listMultipartUploads
        case (.get, "acl"): return .getBucketACL
        case (.put, "acl"): return .putBucketACL
        case (.get, "policy"): return .getBucketPolicy
        case (.put, "policy"): return .putBucketPolicy
        case (.delete, "policy"): return .deleteBucketPolicy
        case (.get, "policyStatus"): return .getBucketPolicyStatus
        case (.get, "publicAccessBlock"): return .getPublicAccessBlock
        case (.put, "publicAccessBlock"): return .putPublicAccessBlock
        case (.delete, "publicAccessBlock"): return .deletePublicAccessBlock
        case (.get, "ownershipControls"): return .getOwnershipControls
        case (.put, "ownershipControls"): return .putOwnershipControls
        case (.delete, "ownershipControls"): return .deleteOwnershipControls
        case (.get, "cors"): return .getBucketCORS
        case (.put, "cors"): return .putBucketCORS
        case (.delete, "cors"): return .deleteBucketCORS
        case (.post, nil): return .postObject
        case (.put, "tagging"): return .putBucketTagging
        case (.get, "tagging"): return .getBucketTagging
        case (.delete, "tagging"): return .deleteBucketTagging
        case (.put, "lifecycle"): return .putBucketLifecycle
        case (.get, "lifecycle"): return .getBucketLifecycle
        case (.delete, "lifecycle"): return .deleteBucketLifecycle
        case (.put, "object-lock"): return .putObjectLockConfiguration
        case (.get, "object-lock"): return .getObjectLockConfiguration
        case (.put, "encryption"): return .putBucketEncryption
        case (.get, "encryption"): return .getBucketEncryption
        case (.delete, "encryption"): return .deleteBucketEncryption
        case (.put, nil): return .createBucket
        case (.head, nil): return .headBucket
        case (.delete, nil): return .deleteBucket
        case (.post, "delete"): return .deleteObjects
        case (.get, .some(let name)) where S3Service.bucketDefaults[name] != nil: return .getBucketDefault(name)
        case (_, .some(let name)) where bucketSubresources.contains(name): return .methodNotAllowed
        case (_, .some(let name)): return .notImplemented(name)
        default: return .methodNotAllowed
        }
    }

    private static func objectOperation(_ request: S3Request, subresource: String?) -> S3Operation {
        let isCopy = request.header("x-amz-copy-source") != nil
        let hasUploadID = request.hasQuery("uploadId")
        switch (request.method, subresource) {
        case (.get, nil): return hasUploadID ? .listParts : .getObject
        case (.get, "torrent"): return .getObjectTorrent
        case (.put, "tagging"): return .putObjectTagging
        case (.get, "tagging"): return .getObjectTagging
        case (.delete, "tagging"): return .deleteObjectTagging
        case (.get, "attributes"): return .getObjectAttributes
        case (.get, "acl"): return .getObjectACL
        case (.put, "acl"): return .putObjectACL
        case (.put, "retention"): return .putObjectRetention
        case (.get, "retention"): return .getObjectRetention
        case (.put, "legal-hold"): return .putObjectLegalHold
        case (.get, "legal-hold"): return .getObjectLegalHold
        case (.head, nil): return .headObject
        case (.put, nil):
            if hasUploadID || request.hasQuery("partNumber") { return isCopy ? .uploadPartCopy : .uploadPart }
            return isCopy ? .copyObject : .putObject
        case (.delete, nil): return hasUploadID ? .abortMultipartUpload : .deleteObject
        case (.post, "uploads"): return .createMultipartUpload
        case (.post, nil): return hasUploadID ? .completeMultipartUpload : .methodNotAllowed
        case (_, .some(let name)) where objectSubresources.contains(name): return .methodNotAllowed
        case (_, .some(let name)): return .notImplemented(name)
        default: return .methodNotAllowed
        }
    }
}
