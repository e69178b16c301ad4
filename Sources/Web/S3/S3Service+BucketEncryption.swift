import Access
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Objects

/// Default bucket encryption (PutBucketEncryption and friends): what a write that names no
/// encryption gets. Enforced where versions are written (`S3Service.writeEncryption`, and
/// `ObjectService.bucketDefaults` for the other faces).
extension S3Service {
    func putBucketEncryption(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let body = try await verifiedBody(http, request, auth)
        guard let document = try? XMLReader.parse(body), document.name == "ServerSideEncryptionConfiguration",
            let rule = document.child("Rule"), let defaults = rule.child("ApplyServerSideEncryptionByDefault"),
            let algorithm = defaults.value("SSEAlgorithm")
        else { throw S3Error.malformedXML() }
        let bucketKeyEnabled = rule.value("BucketKeyEnabled") == "true"
        let configuration: BucketEncryption
        switch algorithm {
        case "AES256":
            guard defaults.value("KMSMasterKeyID") == nil else {
                throw S3Error.invalidArgument("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms")
            }
            configuration = BucketEncryption(kind: .s3, bucketKeyEnabled: bucketKeyEnabled)
        case "aws:kms", "aws:kms:dsse":
            let keyID = defaults.value("KMSMasterKeyID").flatMap { $0.isEmpty ? nil : $0 }
            // A typo here would make every later write fail: the key must exist now.
            if let keyID, try !objects.keys.exists(keyID) { throw ObjectError.unknownMasterKey(keyID) }
            configuration = BucketEncryption(kind: .kms, masterKeyID: keyID, bucketKeyEnabled: bucketKeyEnabled)
        default:
            throw S3Error.malformedXML()
        }
        try await catalog.buckets.updateBucket(named: bucket.name) { $0.encryption = configuration }
        return Response(status: .ok, headers: [.contentLength: "0"])
    }

    func getBucketEncryption(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        guard let configuration = bucket.encryption else {
            throw S3Error(
                "ServerSideEncryptionConfigurationNotFoundError", .notFound, "The server side encryption configuration was not found",
                fields: [("BucketName", bucket.name)])
        }
        var xml = XMLWriter()
        xml.openRoot("ServerSideEncryptionConfiguration")
        xml.open("Rule")
        xml.open("ApplyServerSideEncryptionByDefault")
        xml.element("SSEAlgorithm", configuration.kind.headerValue)
        if configuration.kind == .kms { xml.element("KMSMasterKeyID", configuration.masterKeyID ?? EncryptionKeys.defaultKeyID) }
        xml.close("ApplyServerSideEncryptionByDefault")
        xml.element("BucketKeyEnabled", configuration.bucketKeyEnabled ? "true" : "false")
        xml.close("Rule")
        xml.close("ServerSideEncryptionConfiguration")
        return Self.xmlResponse(xml)
    }

    func deleteBucketEncryption(_ request: S3Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        try await catalog.buckets.updateBucket(named: bucket.name) { $0.encryption = nil }
        return Response(status: .noContent)
    }
}
