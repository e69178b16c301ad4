import BlobStore
import Crypto
import Foundation
import HTTPSupport
import Objects
import SporeJSON

/// JSON Web Tokens signed with HS256, the only kind Hypha mints with its own secret.
public enum JWT {
    public enum Failure: Error, Equatable {
        case malformed(String)
        case badSignature
        case expired
    }

    /// Signs `claims` (a JSON object) with HS256.
    public static func sign(_ claims: JSONObject, secret: [UInt8]) -> String {
        let header: JSONValue = ["alg": "HS256", "typ": "JWT"]
        let signingInput = base64URL(header.jsonBytes) + "." + base64URL(JSONValue.object(claims).jsonBytes)
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: secret))
        return signingInput + "." + base64URL(Array(mac))
    }

    /// Verifies an HS256 token and its `exp` at `nowSeconds`; returns the claims.
    public static func verify(_ token: String, secret: [UInt8], nowSeconds: Int64) throws(Failure) -> JSONObject {
        guard token.utf8.count <= Limits.hyphaTokenByteCountMax else { throw .malformed("Token too long.") }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = decodeBase64URL(parts[0]), let header = (try? JSONValue(parsing: headerBytes))?.objectValue
        else { throw .malformed("Error decoding token headers.") }
        guard header["alg"]?.stringValue == "HS256" else { throw .malformed("The specified alg value is not allowed") }
        // Only the canonical encoding of the signature is accepted, so a token has one spelling (no
        // variants that differ in unused bits or padding).
        guard let signature = decodeBase64URL(parts[2]), base64URL(signature) == parts[2] else { throw .malformed("Invalid crypto padding") }
        let signingInput = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: SymmetricKey(data: secret)) else {
            throw .badSignature
        }
        guard let payloadBytes = decodeBase64URL(parts[1]), let claims = (try? JSONValue(parsing: payloadBytes))?.objectValue
        else { throw .malformed("Invalid payload string") }
        if let expiry = claims["exp"]?.intValue, nowSeconds >= expiry { throw .expired }
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
