import Crypto

/// Seals access-key secrets with a key derived from the server secret (AES-GCM), so the index never
/// holds them in plain text, while spore can still open them to verify signatures.
public struct SecretSealer: Sendable {
    private let key: SymmetricKey
    /// A separate key for password digests: one key, one purpose.
    private let passwordKey: SymmetricKey

    public init(serverSecret: String) {
        let material = SymmetricKey(data: Array(serverSecret.utf8))
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: material, salt: Array("spore".utf8), info: Array("access-key secrets".utf8), outputByteCount: 32)
        passwordKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: material, salt: Array("spore".utf8), info: Array("share passwords".utf8), outputByteCount: 32)
    }

    /// AES-GCM with the default 12-byte nonce always has a combined form; this is never thrown.
    public struct Failure: Error {}

    public func seal(_ secret: String) throws -> [UInt8] {
        guard let combined = try AES.GCM.seal(Array(secret.utf8), using: key).combined else { throw Failure() }
        return Array(combined)
    }

    public func open(_ sealed: [UInt8]) -> String? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed), let plain = try? AES.GCM.open(box, using: key) else { return nil }
        return String(decoding: plain, as: UTF8.self)
    }

    /// A keyed digest of a password (share links), with the given salt. Keyed by the server
    /// secret, so a copy of the index alone does not allow guessing passwords offline.
    public func passwordDigest(_ password: String, salt: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: salt + Array(password.utf8), using: passwordKey))
    }

    /// Compares a password with a stored digest in constant time.
    public func passwordMatches(_ password: String, digest: [UInt8], salt: [UInt8]) -> Bool {
        let computed = passwordDigest(password, salt: salt)
        guard computed.count == digest.count else { return false }
        return zip(computed, digest).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
