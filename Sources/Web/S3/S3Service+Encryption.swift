import Access
import BlobStore
import Crypto
import HTTPSupport
import HTTPTypes
import Index
import Objects

/// Server-side encryption on the S3 face: the SSE-C, SSE-S3 and SSE-KMS headers of writes and
/// reads, resolved to keys through `EncryptionKeys`, and the headers answers carry.
extension S3Service {
    static let sseField = HTTPField.Name("x-amz-server-side-encryption")!
    static let sseKMSKeyField = HTTPField.Name("x-amz-server-side-encryption-aws-kms-key-id")!
    static let sseContextField = HTTPField.Name("x-amz-server-side-encryption-context")!
    static let sseBucketKeyField = HTTPField.Name("x-amz-server-side-encryption-bucket-key-enabled")!
    static let sseCustomerAlgorithmField = HTTPField.Name("x-amz-server-side-encryption-customer-algorithm")!
    static let sseCustomerKeyMD5Field = HTTPField.Name("x-amz-server-side-encryption-customer-key-md5")!
    static let customerKeyPrefix = "x-amz-server-side-encryption-customer-"
    static let copySourceCustomerKeyPrefix = "x-amz-copy-source-server-side-encryption-customer-"

    /// An SSE-C key as a request gave it.
    struct CustomerKey: Sendable {
        let key: [UInt8]
        /// The key's MD5, base64, as the client sent it (echoed back).
        let md5: String
    }

    /// A write's encryption: the key its bytes are sealed with and the record kept with them.
    struct WriteEncryption: Sendable {
        let key: SymmetricKey
        let record: ObjectEncryption
        let customerKeyMD5: String?
    }

    /// The SSE-C headers under `prefix` (the object's own, or the copy source's), checked as AWS
    /// checks them; nil when there are none.
    func customerKey(_ request: S3Request, _ auth: Authentication, prefix: String = S3Service.customerKeyPrefix) throws -> CustomerKey? {
        let algorithm = request.header(prefix + "algorithm")
        let keyText = request.header(prefix + "key")
        let md5Text = request.header(prefix + "key-md5")
        guard algorithm != nil || keyText != nil || md5Text != nil else { return nil }
        guard let algorithm else {
            throw S3Error.invalidArgument(
                "Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.",
                name: prefix + "algorithm", value: "null")
        }
        guard algorithm == "AES256" else {
            throw S3Error.invalidArgument("The encryption algorithm specified is not valid.", name: prefix + "algorithm", value: algorithm)
        }
        guard let keyText, let key = Base64.decode(keyText), key.count == 32 else {
            throw S3Error.invalidArgument("The secret key was invalid for the specified algorithm.", name: prefix + "key", value: "")
        }
        guard let md5Text else {
            throw S3Error.invalidArgument(
                "Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.",
                name: prefix + "key-MD5", value: "null")
        }
        guard Base64.decode(md5Text) == Array(Insecure.MD5.hash(data: key)) else {
            throw S3Error.invalidArgument(
                "The calculated MD5 hash of the key did not match the hash that was provided.", name: prefix + "key-MD5", value: md5Text)
        }
        try requireProtectedTransport(auth)
        return CustomerKey(key: key, md5: md5Text)
    }

    /// AWS takes SSE-C keys over HTTPS only. Spore also takes them over plain HTTP from loopback and
    /// private-network addresses (a LAN box and its CI, where TLS is often off), never from a
    /// public address, where the key would cross networks in clear.
    func requireProtectedTransport(_ auth: Authentication) throws {
        guard !auth.secureTransport else { return }
        if let address = auth.sourceIP, Self.isLocalNetwork(address) { return }
        throw S3Error.invalidRequest("Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.")
    }

    /// Loopback, RFC 1918, link-local, IPv6 unique-local and link-local addresses.
    static func isLocalNetwork(_ address: String) -> Bool {
        let text = address.lowercased().hasPrefix("::ffff:") ? String(address.dropFirst(7)) : address.lowercased()
        if text.contains(":") {
            return text == "::1" || text.hasPrefix("fe80:") || text.hasPrefix("fc") || text.hasPrefix("fd")
        }
        let octets = text.split(separator: ".").compactMap { UInt8($0) }
        guard octets.count == 4 else { return false }
        switch (octets[0], octets[1]) {
        case (127, _), (10, _), (192, 168), (169, 254): return true
        case (172, 16...31): return true
        default: return false
        }
    }

    /// What a write asks for: SSE-C, `x-amz-server-side-encryption` (AES256 or aws:kms), or the
    /// bucket's default; resolved to a fresh key and its record. Nil for a plain write.
    func writeEncryption(_ request: S3Request, _ auth: Authentication, bucket: BucketRecord) async throws -> WriteEncryption? {
        let method = request.header("x-amz-server-side-encryption")
        let keyID = request.header("x-amz-server-side-encryption-aws-kms-key-id")
        let customer = try customerKey(request, auth)
        if method != nil, customer != nil {
            throw S3Error.invalidArgument(
                "Server Side Encryption with Customer provided key is incompatible with the encryption method specified",
                name: "x-amz-server-side-encryption", value: method)
        }
        if keyID != nil, method != "aws:kms" {
            throw S3Error.invalidArgument(
                "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms")
        }
        if let customer {
            return WriteEncryption(
                key: SymmetricKey(data: customer.key), record: objects.keys.customerRecord(customerKey: customer.key), customerKeyMD5: customer.md5)
        }
        let now = clock.nowMilliseconds()
        let bucketKey = request.header("x-amz-server-side-encryption-bucket-key-enabled")?.lowercased() == "true"
        switch method {
        case nil:
            guard let defaults = bucket.encryption else { return nil }
            let (key, record) = try await objects.keys.newDataKey(
                kind: defaults.kind, masterKeyID: defaults.kind == .kms ? defaults.masterKeyID : nil, context: nil,
                bucketKeyEnabled: defaults.bucketKeyEnabled, nowMilliseconds: now)
            return WriteEncryption(key: key, record: record, customerKeyMD5: nil)
        case "AES256":
            let (key, record) = try await objects.keys.newDataKey(
                kind: .s3, masterKeyID: nil, context: nil, bucketKeyEnabled: bucketKey, nowMilliseconds: now)
            return WriteEncryption(key: key, record: record, customerKeyMD5: nil)
        case "aws:kms", "aws:kms:dsse":
            let context = request.header("x-amz-server-side-encryption-context")
            if let context {
                guard let decoded = Base64.decode(context), decoded.first(where: { $0 != 0x20 }) == UInt8(ascii: "{") else {
                    throw S3Error.invalidArgument(
                        "The encryption context is not valid base64-encoded JSON.", name: "x-amz-server-side-encryption-context", value: context)
                }
            }
            let (key, record) = try await objects.keys.newDataKey(
                kind: .kms, masterKeyID: keyID ?? bucket.encryption?.masterKeyID, context: context, bucketKeyEnabled: bucketKey, nowMilliseconds: now)
            return WriteEncryption(key: key, record: record, customerKeyMD5: nil)
        default:
            throw S3Error.invalidArgument(
                "The encryption method specified is not supported", name: "x-amz-server-side-encryption", value: method)
        }
    }

    /// Reads name encryption only through SSE-C: AWS refuses the write-side headers on GET and HEAD.
    static func refuseWriteEncryptionHeaders(_ request: S3Request) throws {
        if request.header("x-amz-server-side-encryption") != nil || request.header("x-amz-server-side-encryption-aws-kms-key-id") != nil {
            throw S3Error.invalidArgument("x-amz-server-side-encryption header is not supported for this operation.")
        }
    }

    /// The headers that tell a client how a version is encrypted.
    static func addEncryptionHeaders(_ headers: inout HTTPFields, _ encryption: ObjectEncryption?, customerKeyMD5: String?) {
        guard let encryption else { return }
        switch encryption.kind {
        case .customer:
            headers[sseCustomerAlgorithmField] = "AES256"
            if let customerKeyMD5 { headers[sseCustomerKeyMD5Field] = customerKeyMD5 }
        case .s3:
            headers[sseField] = "AES256"
        case .kms:
            headers[sseField] = "aws:kms"
            headers[sseKMSKeyField] = encryption.masterKeyID ?? EncryptionKeys.defaultKeyID
            if encryption.bucketKeyEnabled { headers[sseBucketKeyField] = "true" }
            if let context = encryption.context { headers[sseContextField] = context }
        }
    }
}
