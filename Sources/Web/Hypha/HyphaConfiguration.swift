import Crypto
import HTTPSupport
import Index

/// Settings of the Hypha-style API.
public struct HyphaConfiguration: Sendable {
    /// Where the S3 API is mounted on the HTTP listener, for clients that can reach one port only.
    public static let s3ProxyPath = "/s3"

    /// The bucket that holds every workspace's files under `{workspace}/`.
    public var workspaceBucket: String
    /// How clients reach the S3 API (presigned URLs point here).
    public var s3BaseURL: String
    /// How clients reach the HTTP listener (the `/s3` proxy path, share links).
    public var httpBaseURL: String
    /// Whether presigned URLs point at `/s3` on the HTTP listener unless a call says otherwise.
    public var useProxyByDefault: Bool
    /// The region presigned URLs are signed for, and `generate_credential` reports.
    public var region: String
    /// The HS256 key of tokens.
    public var jwtSecret: [UInt8]
    /// Signs the presigned URLs the API hands out.
    public var signer: AccessKeyPair
    /// The user that owns the workspace bucket and the objects written through this API.
    public var storageOwner: String

    public init(
        workspaceBucket: String, s3BaseURL: String, httpBaseURL: String, useProxyByDefault: Bool, region: String, jwtSecret: [UInt8],
        signer: AccessKeyPair, storageOwner: String
    ) {
        self.workspaceBucket = workspaceBucket
        self.s3BaseURL = s3BaseURL
        self.httpBaseURL = httpBaseURL
        self.useProxyByDefault = useProxyByDefault
        self.region = region
        self.jwtSecret = jwtSecret
        self.signer = signer
        self.storageOwner = storageOwner
    }

    /// The token key: `jwt_secret` when set (to share tokens with a Hypha server that uses the same
    /// `HYPHA_JWT_SECRET`), else derived from the data directory's server secret.
    public static func jwtSecret(serverSecret: String, override: String?) -> [UInt8] {
        if let override, !override.isEmpty { return Array(override.utf8) }
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Array(serverSecret.utf8)), salt: Array("spore".utf8), info: Array("hypha tokens".utf8),
            outputByteCount: 32
        )
        return key.withUnsafeBytes { Array($0) }
    }
}
