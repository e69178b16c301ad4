import Access
import BlobStore
import Crypto
import HTTPSupport
import HTTPTypes
import Objects

/// AWS Signature Version 2, still produced by botocore's presigner for legacy regions and by s3cmd.
public enum SigV2 {
    /// Query parameters that are part of the signed resource.
    static let subresources: Set<String> = [
        "acl", "cors", "delete", "lifecycle", "location", "logging", "notification", "partNumber", "policy",
        "requestPayment", "response-cache-control", "response-content-disposition", "response-content-encoding",
        "response-content-language", "response-content-type", "response-expires", "restore", "tagging", "torrent",
        "uploadId", "uploads", "versionId", "versioning", "versions", "website", "replication", "encryption",
        "object-lock", "legal-hold", "retention", "publicAccessBlock", "ownershipControls", "accelerate", "attributes",
    ]

    /// The string to sign. `dateOrExpires` is the Date header (header auth, empty when x-amz-date is
    /// used) or the Expires parameter (query auth).
    public static func stringToSign(request: S3Request, dateOrExpires: String, encodedPath: String? = nil) -> String {
        var text = "\(request.method.rawValue)\n"
        text += (request.headers[.contentMD5] ?? "") + "\n"
        text += (request.headers[.contentType] ?? "") + "\n"
        text += dateOrExpires + "\n"
        var amzHeaders = [String: [String]]()
        for field in request.headers {
            let name = field.name.canonicalName
            guard name.hasPrefix("x-amz-") else { continue }
            amzHeaders[name, default: []].append(SigV4.canonicalHeaderValue(field.value))
        }
        for name in amzHeaders.keys.sorted() { text += "\(name):\(amzHeaders[name]!.joined(separator: ","))\n" }
        text += canonicalResource(request, encodedPath: encodedPath ?? request.rawPath)
        return text
    }

    static func canonicalResource(_ request: S3Request, encodedPath: String) -> String {
        var resource = encodedPath
        if let bucket = request.bucket, !request.decodedPath.starts(with: Array("/\(bucket)".utf8)) {
            resource = "/\(bucket)" + encodedPath  // virtual-host style
        }
        let signed = request.query
            .filter { subresources.contains($0.name) }
            .sorted { $0.name < $1.name }
            .map { item in item.value.map { "\(item.name)=\($0)" } ?? item.name }
        if !signed.isEmpty { resource += "?" + signed.joined(separator: "&") }
        return resource
    }

    public static func signature(secret: String, stringToSign: String) -> String {
        Base64.encode(Array(HMAC<Insecure.SHA1>.authenticationCode(for: Array(stringToSign.utf8), using: SymmetricKey(data: Array(secret.utf8)))))
    }
}

extension HTTPField.Name {
    static let contentMD5 = HTTPField.Name("content-md5")!
}
