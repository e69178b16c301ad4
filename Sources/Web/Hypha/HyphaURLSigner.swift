import Artifacts
import HTTPSupport
import Index
import Objects

/// Presigned URLs into the workspace bucket, for the artifact manager: SigV4, pointing at the S3
/// listener's public URL, or at `/s3` on the HTTP listener when `use_proxy` (or the server's
/// default) says so, so they work from other machines on the LAN.
struct HyphaURLSigner: ArtifactURLSigner {
    let configuration: HyphaConfiguration
    let clock: any WallClock

    func presign(method: String, key: String, expiresSeconds: Int, useProxy: Bool?) throws -> String {
        try sign(method: method, key: key, expiresSeconds: expiresSeconds, useProxy: useProxy, extraQuery: [])
    }

    func presignPart(key: String, uploadID: String, partNumber: Int, expiresSeconds: Int, useProxy: Bool?) throws -> String {
        try sign(
            method: "PUT", key: key, expiresSeconds: expiresSeconds, useProxy: useProxy,
            extraQuery: [("partNumber", String(partNumber)), ("uploadId", uploadID)])
    }

    private func sign(method: String, key: String, expiresSeconds: Int, useProxy: Bool?, extraQuery: [(name: String, value: String)]) throws -> String
    {
        let base =
            (useProxy ?? configuration.useProxyByDefault) ? configuration.httpBaseURL + HyphaConfiguration.s3ProxyPath : configuration.s3BaseURL
        return try PresignedURL.make(
            base: base, method: method, bucket: configuration.workspaceBucket, key: key, credential: configuration.signer,
            region: configuration.region, nowMilliseconds: clock.nowMilliseconds(), expiresSeconds: Int64(expiresSeconds), extraQuery: extraQuery
        )
    }
}
