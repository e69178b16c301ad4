import Foundation

/// An access key and its secret: what signs a presigned URL.
public struct AccessKeyPair: Sendable, Equatable {
    public let accessKey: String
    public let secretKey: String

    public init(accessKey: String, secretKey: String) {
        self.accessKey = accessKey
        self.secretKey = secretKey
    }
}

/// Builds SigV4 presigned URLs, as `generate_presigned_url` does, for URLs spore hands out itself
/// (the Hypha face's `put_file`/`get_file`, artifact downloads); the S3 face verifies them.
public enum PresignedURL {
    /// Spore's per-object TTL: a header, or (in presigned URLs, where the signature covers it) a
    /// query parameter of the upload; the object expires this many seconds after the write.
    public static let ttlName = "x-spore-ttl-seconds"

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// `base` is how clients reach the S3 API (`http://host:port`, optionally with a path such as
    /// `/s3`); the signature covers its host and path.
    public static func make(
        base: String, method: String, bucket: String, key: String, credential: AccessKeyPair, region: String, nowMilliseconds: Int64,
        expiresSeconds: Int64, extraQuery: [(name: String, value: String)] = []
    ) throws -> String {
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        guard let schemeEnd = trimmed.range(of: "://") else { throw Invalid(description: "\(base) is not an http(s) URL") }
        let afterScheme = trimmed[schemeEnd.upperBound...]
        let host = afterScheme.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        guard !host.isEmpty else { throw Invalid(description: "\(base) has no host") }
        let basePath = String(afterScheme.dropFirst(host.count))
        let path = Array(basePath.utf8) + Array("/\(bucket)/".utf8) + Array(key.utf8)
        let amzDate = Timestamp.amzDate(milliseconds: nowMilliseconds)
        let date = String(amzDate.prefix(8))
        let scope = "\(date)/\(region)/s3/aws4_request"
        var query: [(name: String, value: String?)] = [
            ("X-Amz-Algorithm", SigV4.algorithm), ("X-Amz-Credential", "\(credential.accessKey)/\(scope)"), ("X-Amz-Date", amzDate),
            ("X-Amz-Expires", String(expiresSeconds)), ("X-Amz-SignedHeaders", "host"),
        ]
        for item in extraQuery { query.append((item.name, item.value)) }
        let canonicalQuery = SigV4.canonicalQuery(query)
        let uri = SigV4.canonicalURI(decodedPath: path)
        let canonical = SigV4.canonicalRequest(
            method: method, canonicalURI: uri, canonicalQuery: canonicalQuery, headers: [("host", host)], signedHeaders: "host",
            payloadHash: SigV4.unsignedPayload
        )
        let key = SigV4.signingKey(secret: credential.secretKey, date: date, region: region, service: "s3")
        let signature = SigV4.signature(key: key, stringToSign: SigV4.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonical))
        let scheme = trimmed[..<schemeEnd.lowerBound]
        return "\(scheme)://\(host)\(uri)?\(canonicalQuery)&X-Amz-Signature=\(signature)"
    }
}
