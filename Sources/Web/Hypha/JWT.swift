import Crypto
import Foundation

/// JSON Web Tokens signed with HS256, the only kind Hypha mints with its own secret.
public enum JWT {
    /// Longest token accepted (a Hypha token is well under 1 KiB).
    static let tokenByteCountMax = 8 * 1024

    public enum Failure: Error, Equatable {
        case malformed(String)
        case badSignature
        case expired
    }

    /// Signs `claims` (a JSON object) with HS256.
    public static func sign(_ claims: [String: Any], secret: [UInt8]) throws -> String {
        let header = try JSONSerialization.data(withJSONObject: ["alg": "HS256", "typ": "JWT"], options: [.sortedKeys])
        let payload = try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])
        let signingInput = base64URL(Array(header)) + "." + base64URL(Array(payload))
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: secret))
        return signingInput + "." + base64URL(Array(mac))
    }

    /// Verifies an HS256 token and its `exp` at `nowSeconds`; returns the claims.
    public static func verify(_ token: String, secret: [UInt8], nowSeconds: Int64) throws(Failure) -> [String: Any] {
        guard token.utf8.count <= tokenByteCountMax else { throw .malformed("Token too long.") }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = decodeBase64URL(parts[0]),
            let header = (try? JSONSerialization.jsonObject(with: Data(headerBytes))) as? [String: Any]
        else { throw .malformed("Error decoding token headers.") }
        guard header["alg"] as? String == "HS256" else { throw .malformed("The specified alg value is not allowed") }
        // Only the canonical encoding of the signature is accepted, so a token has one spelling (no
        // variants that differ in unused bits or padding).
        guard let signature = decodeBase64URL(parts[2]), base64URL(signature) == parts[2] else { throw .malformed("Invalid crypto padding") }
        let signingInput = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: SymmetricKey(data: secret)) else {
            throw .badSignature
        }
        guard let payloadBytes = decodeBase64URL(parts[1]),
            let claims = (try? JSONSerialization.jsonObject(with: Data(payloadBytes))) as? [String: Any]
        else { throw .malformed("Invalid payload string") }
        if let expiry = (claims["exp"] as? NSNumber)?.int64Value, nowSeconds >= expiry { throw .expired }
        return claims
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Base64.encode(bytes).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: Substring) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.utf8.count % 4 != 0 { standard += "=" }
        return Base64.decode(standard)
    }
}
