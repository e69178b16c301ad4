import Access
import HTTPSupport
import Objects

/// Settings of the S3 face. The limits of stored objects are the object service's (`ObjectSettings`).
public struct S3Configuration: Sendable {
    /// The region reported by GetBucketLocation and used when signing URLs spore makes itself.
    /// Requests signed for any region are accepted.
    public var region: String
    /// Enables virtual-host style addressing (`bucket.domain`) when set.
    public var domain: String?
    /// Origins allowed on buckets without a CORS configuration (`*` for any); empty: none.
    public var corsOrigins: [String] = []
    /// Whether the S3 listener speaks TLS (`aws:SecureTransport` in bucket policies).
    public var listenerIsSecure = false

    public init(region: String = "us-east-1", domain: String? = nil) {
        self.region = region
        self.domain = domain
    }
}
