import CoreMetrics
import Synchronization

/// Request counters, latency and traffic of the S3 face, through swift-metrics (the daemon
/// bootstraps a Prometheus backend; without one they cost next to nothing).
final class S3Metrics: Sendable {
    private struct Instruments: Sendable {
        let requests: Counter
        let duration: Timer
    }

    private let instruments = Mutex<[String: Instruments]>([:])
    private let received = Counter(label: "spore_s3_received_bytes_total")
    private let sent = Counter(label: "spore_s3_sent_bytes_total")

    func record(operation: String, status: Int, nanoseconds: Int64, receivedBytes: Int64, sentBytes: Int64) {
        let key = "\(operation) \(status)"
        let instrument = instruments.withLock { cache in
            if let found = cache[key] { return found }
            let made = Instruments(
                requests: Counter(label: "spore_s3_requests_total", dimensions: [("operation", operation), ("status", String(status))]),
                duration: Timer(label: "spore_s3_request_duration_seconds", dimensions: [("operation", operation)], preferredDisplayUnit: .seconds)
            )
            cache[key] = made
            return made
        }
        instrument.requests.increment()
        instrument.duration.recordNanoseconds(nanoseconds)
        if receivedBytes > 0 { received.increment(by: receivedBytes) }
        if sentBytes > 0 { sent.increment(by: sentBytes) }
    }
}

extension S3Operation {
    /// The operation's S3 API name, for logs and metrics.
    public var name: String {
        switch self {
        case .listBuckets: return "ListBuckets"
        case .createBucket: return "CreateBucket"
        case .headBucket: return "HeadBucket"
        case .deleteBucket: return "DeleteBucket"
        case .getBucketLocation: return "GetBucketLocation"
        case .getBucketVersioning: return "GetBucketVersioning"
        case .putBucketVersioning: return "PutBucketVersioning"
        case .listObjects: return "ListObjects"
        case .listObjectsV2: return "ListObjectsV2"
        case .listObjectVersions: return "ListObjectVersions"
        case .deleteObjects: return "DeleteObjects"
        case .putObject: return "PutObject"
        case .copyObject: return "CopyObject"
        case .getObject: return "GetObject"
        case .headObject: return "HeadObject"
        case .deleteObject: return "DeleteObject"
        case .createMultipartUpload: return "CreateMultipartUpload"
        case .uploadPart: return "UploadPart"
        case .uploadPartCopy: return "UploadPartCopy"
        case .completeMultipartUpload: return "CompleteMultipartUpload"
        case .abortMultipartUpload: return "AbortMultipartUpload"
        case .listParts: return "ListParts"
        case .listMultipartUploads: return "ListMultipartUploads"
        case .putBucketLifecycle: return "PutBucketLifecycleConfiguration"
        case .getBucketLifecycle: return "GetBucketLifecycleConfiguration"
        case .deleteBucketLifecycle: return "DeleteBucketLifecycle"
        case .putObjectTagging: return "PutObjectTagging"
        case .getObjectTagging: return "GetObjectTagging"
        case .deleteObjectTagging: return "DeleteObjectTagging"
        case .putBucketTagging: return "PutBucketTagging"
        case .getBucketTagging: return "GetBucketTagging"
        case .deleteBucketTagging: return "DeleteBucketTagging"
        case .getObjectTorrent: return "GetObjectTorrent"
        case .getObjectAttributes: return "GetObjectAttributes"
        case .getBucketACL: return "GetBucketAcl"
        case .putBucketACL: return "PutBucketAcl"
        case .getObjectACL: return "GetObjectAcl"
        case .putObjectACL: return "PutObjectAcl"
        case .getBucketPolicy: return "GetBucketPolicy"
        case .putBucketPolicy: return "PutBucketPolicy"
        case .deleteBucketPolicy: return "DeleteBucketPolicy"
        case .getBucketPolicyStatus: return "GetBucketPolicyStatus"
        case .getPublicAccessBlock: return "GetPublicAccessBlock"
        case .putPublicAccessBlock: return "PutPublicAccessBlock"
        case .deletePublicAccessBlock: return "DeletePublicAccessBlock"
        case .getOwnershipControls: return "GetBucketOwnershipControls"
        case .putOwnershipControls: return "PutBucketOwnershipControls"
        case .deleteOwnershipControls: return "DeleteBucketOwnershipControls"
        case .getBucketCORS: return "GetBucketCors"
        case .putBucketCORS: return "PutBucketCors"
        case .deleteBucketCORS: return "DeleteBucketCors"
        case .postObject: return "PostObject"
        case .getBucketDefault(let name): return "GetBucket(\(name))"
        case .notImplemented(let name): return "Unsupported(\(name))"
        case .methodNotAllowed: return "MethodNotAllowed"
        }
    }
}

extension S3Operation {
    /// The IAM action the operation needs, as bucket policies name it.
    func action(_ request: S3Request) -> String {
        let versioned = request.hasQuery("versionId")
        switch self {
        case .listBuckets: return "s3:ListAllMyBuckets"
        case .createBucket: return "s3:CreateBucket"
        case .headBucket: return "s3:ListBucket"
        case .deleteBucket: return "s3:DeleteBucket"
        case .getBucketLocation: return "s3:GetBucketLocation"
        case .getBucketVersioning: return "s3:GetBucketVersioning"
        case .putBucketVersioning: return "s3:PutBucketVersioning"
        case .listObjects, .listObjectsV2: return "s3:ListBucket"
        case .listObjectVersions: return "s3:ListBucketVersions"
        case .deleteObjects: return "s3:DeleteObject"
        case .putObject, .copyObject, .createMultipartUpload, .uploadPart, .uploadPartCopy, .completeMultipartUpload: return "s3:PutObject"
        case .getObject, .headObject, .getObjectTorrent: return versioned ? "s3:GetObjectVersion" : "s3:GetObject"
        case .deleteObject: return versioned ? "s3:DeleteObjectVersion" : "s3:DeleteObject"
        case .abortMultipartUpload: return "s3:AbortMultipartUpload"
        case .listParts: return "s3:ListMultipartUploadParts"
        case .listMultipartUploads: return "s3:ListBucketMultipartUploads"
        case .putBucketLifecycle, .deleteBucketLifecycle: return "s3:PutLifecycleConfiguration"
        case .getBucketLifecycle: return "s3:GetLifecycleConfiguration"
        case .putObjectTagging: return versioned ? "s3:PutObjectVersionTagging" : "s3:PutObjectTagging"
        case .getObjectTagging: return versioned ? "s3:GetObjectVersionTagging" : "s3:GetObjectTagging"
        case .deleteObjectTagging: return versioned ? "s3:DeleteObjectVersionTagging" : "s3:DeleteObjectTagging"
        case .putBucketTagging, .deleteBucketTagging: return "s3:PutBucketTagging"
        case .getBucketTagging: return "s3:GetBucketTagging"
        case .getObjectAttributes: return versioned ? "s3:GetObjectVersionAttributes" : "s3:GetObjectAttributes"
        case .getBucketACL: return "s3:GetBucketAcl"
        case .putBucketACL: return "s3:PutBucketAcl"
        case .getObjectACL: return versioned ? "s3:GetObjectVersionAcl" : "s3:GetObjectAcl"
        case .putObjectACL: return versioned ? "s3:PutObjectVersionAcl" : "s3:PutObjectAcl"
        case .getBucketPolicy: return "s3:GetBucketPolicy"
        case .putBucketPolicy: return "s3:PutBucketPolicy"
        case .deleteBucketPolicy: return "s3:DeleteBucketPolicy"
        case .getBucketPolicyStatus: return "s3:GetBucketPolicyStatus"
        case .getPublicAccessBlock: return "s3:GetBucketPublicAccessBlock"
        case .putPublicAccessBlock, .deletePublicAccessBlock: return "s3:PutBucketPublicAccessBlock"
        case .getOwnershipControls: return "s3:GetBucketOwnershipControls"
        case .putOwnershipControls, .deleteOwnershipControls: return "s3:PutBucketOwnershipControls"
        case .getBucketCORS: return "s3:GetBucketCORS"
        case .putBucketCORS, .deleteBucketCORS: return "s3:PutBucketCORS"
        case .postObject: return "s3:PutObject"
        case .getBucketDefault(let name): return S3Service.bucketDefaults[name]?.action ?? "s3:Unsupported"
        case .notImplemented, .methodNotAllowed: return "s3:Unsupported"
        }
    }
}
