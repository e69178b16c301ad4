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
        case .notImplemented(let name): return "Unsupported(\(name))"
        case .methodNotAllowed: return "MethodNotAllowed"
        }
    }
}
