import BlobStore
import Crypto

/// AWS Signature Version 4: canonical request, string to sign, signing key and signature.
public enum SigV4 {
    public static let algorithm = "AWS4-HMAC-SHA256"
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The canonical URI S3 uses: each byte of the decoded path encoded once, `/` kept.
    public static func canonicalURI(decodedPath: [UInt8]) -> String {
        decodedPath.isEmpty ? "/" : PercentEncoding.encode(decodedPath, keepSlash: true)
    }

    /// Sorted, strictly encoded `name=value` pairs; `excluding` drops a parameter (the signature
    /// itself in presigned URLs).
    public static func canonicalQuery(_ query: [(name: String, value: String?)], excluding: String? = nil) -> String {
        var pairs = [(name: String, value: String)]()
        for item in query where item.name != excluding {
            pairs.append((PercentEncoding.encode(item.name), PercentEncoding.encode(item.value ?? "")))
        }
        pairs.sort { lhs, rhs in
            if lhs.name != rhs.name { return lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8) }
            return lhs.value.utf8.lexicographicallyPrecedes(rhs.value.utf8)
        }
        return pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// A header value as SigV4 wants it: trimmed, runs of spaces collapsed.
    public static func canonicalHeaderValue(_ value: String) -> String {
        var output = [UInt8]()
        var lastWasSpace = false
        for byte in value.utf8 {
            let isSpace = byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
            if isSpace {
                if !lastWasSpace && !output.isEmpty { output.append(UInt8(ascii: " ")) }
                lastWasSpace = true
            } else {
                output.append(byte)
                lastWasSpace = false
            }
        }
        if output.last == UInt8(ascii: " ") { output.removeLast() }
        return String(decoding: output, as: UTF8.self)
    }

    /// Built by appending into one reserved string: every request is verified, and interpolating
    /// each line allocated a string per header.
    public static func canonicalRequest(
        method: String, canonicalURI: String, canonicalQuery: String, headers: [(name: String, value: String)],
        signedHeaders: String, payloadHash: String
    ) -> String {
        var length = method.utf8.count + canonicalURI.utf8.count + canonicalQuery.utf8.count + signedHeaders.utf8.count + payloadHash.utf8.count + 6
        for (name, value) in headers { length += name.utf8.count + value.utf8.count + 2 }
        var text = ""
        text.reserveCapacity(length)
        text.append(method)
        text.append("\n")
        text.append(canonicalURI)
        text.append("\n")
        text.append(canonicalQuery)
        text.append("\n")
        for (name, value) in headers {
            text.append(name)
            text.append(":")
            text.append(value)
            text.append("\n")
        }
        text.append("\n")
        text.append(signedHeaders)
        text.append("\n")
        text.append(payloadHash)
        return text
    }

    public static func stringToSign(amzDate: String, scope: String, canonicalRequest: String) -> String {
        "\(algorithm)\n\(amzDate)\n\(scope)\n\(Hex.encode(sha256(canonicalRequest)))"
    }

    /// SHA-256 of a string's UTF-8 bytes, hashed in place rather than copied into an array first.
    public static func sha256(_ text: String) -> SHA256.Digest {
        var text = text
        return text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
    }

    public static func signingKey(secret: String, date: String, region: String, service: String) -> SymmetricKey {
        let dateKey = hmac(Array("AWS4\(secret)".utf8), date)
        let regionKey = hmac(dateKey, region)
        let serviceKey = hmac(regionKey, service)
        return SymmetricKey(data: hmac(serviceKey, "aws4_request"))
    }

    public static func signature(key: SymmetricKey, stringToSign: String) -> String {
        var text = stringToSign
        return text.withUTF8 { Hex.encode(HMAC<SHA256>.authenticationCode(for: UnsafeRawBufferPointer($0), using: key)) }
    }

    /// The same signature from an HMAC already keyed with the signing key (a copy is used).
    public static func signature(keyedMAC: HMAC<SHA256>, stringToSign: String) -> String {
        var mac = keyedMAC
        var text = stringToSign
        text.withUTF8 { mac.update(data: UnsafeRawBufferPointer($0)) }
        return Hex.encode(mac.finalize())
    }

    public static func hmac(_ key: [UInt8], _ message: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key)))
    }

    /// Compares two signatures in time that does not depend on where they differ.
    public static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs.utf8, rhs.utf8) { difference |= left ^ right }
        return difference == 0
    }
}
