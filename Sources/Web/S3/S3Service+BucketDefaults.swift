import Access
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Objects

/// Bucket configurations spore does not offer, answered as AWS answers for a bucket that has none,
/// so SDKs and consoles that probe them get a well-formed document or the usual "not found".
extension S3Service {
    struct BucketDefault {
        let action: String
        /// The empty document AWS returns, or nil when AWS answers with `missing`.
        let document: String?
        let missing: (code: String, message: String)?
    }

    static let bucketDefaults: [String: BucketDefault] = [
        "notification": BucketDefault(action: "s3:GetBucketNotification", document: "NotificationConfiguration", missing: nil),
        "logging": BucketDefault(action: "s3:GetBucketLogging", document: "BucketLoggingStatus", missing: nil),
        "accelerate": BucketDefault(action: "s3:GetAccelerateConfiguration", document: "AccelerateConfiguration", missing: nil),
        "requestPayment": BucketDefault(action: "s3:GetBucketRequestPayment", document: "RequestPaymentConfiguration", missing: nil),
        "website": BucketDefault(
            action: "s3:GetBucketWebsite", document: nil,
            missing: ("NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration")),
        "replication": BucketDefault(
            action: "s3:GetReplicationConfiguration", document: nil,
            missing: ("ReplicationConfigurationNotFoundError", "The replication configuration was not found")
        ),
    ]

    func getBucketDefault(_ request: S3Request, _ auth: Authentication, _ name: String) throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        guard let known = Self.bucketDefaults[name] else { throw S3Error.notImplemented(name) }
        if let missing = known.missing {
            throw S3Error(missing.code, .notFound, missing.message, fields: [("BucketName", bucket.name)])
        }
        var xml = XMLWriter()
        let root = known.document ?? name
        xml.openRoot(root)
        if name == "requestPayment" { xml.element("Payer", "BucketOwner") }
        xml.close(root)
        return Self.xmlResponse(xml)
    }
}
