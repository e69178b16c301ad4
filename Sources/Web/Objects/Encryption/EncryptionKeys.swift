import BlobStore
import Crypto
import Foundation
import Index
import Synchronization

/// The master keys of SSE-S3 and SSE-KMS, and the data keys they seal.
///
/// Master keys live in the index (daemon settings `kms-key/<id>`), each version sealed with
/// AES-256-GCM under a key derived from the server secret, so a copy of the index alone (a stolen
/// disk without the data directory's secret file) opens nothing. Every object gets its own random
/// data key, sealed by the current version of its master key; rotating a master key adds a
/// version for new objects and keeps the old ones for the objects they sealed. SSE-C keys are
/// never stored: only a salted HMAC that tells the right key from a wrong one.
public final class EncryptionKeys: Sendable {
    /// The master key of SSE-S3 and of SSE-KMS requests that name none; made on first use.
    public static let defaultKeyID = "spore-default"
    /// Key ids: what AWS allows in an alias or key id, bounded.
    public static let keyIDByteCountMax = 256
    /// Versions a master key may have (each rotation adds one).
    public static let versionCountMax = 1000
    static let settingPrefix = "kms-key/"
    static let dataKeyByteCount = 32

    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case invalidKeyID(String)
        case keyExists(String)
        case tooManyVersions(String)
        /// A sealed data key or master key that does not open: the index or the secret changed.
        case unsealFailed(String)

        public var description: String {
            switch self {
            case .invalidKeyID(let id): return "\(id) is not a valid key id"
            case .keyExists(let id): return "master key \(id) exists"
            case .tooManyVersions(let id): return "master key \(id) has \(EncryptionKeys.versionCountMax) versions, the most it may have"
            case .unsealFailed(let what): return "\(what) does not open with this server's secret"
            }
        }
    }

    /// What `list` reports of a master key (never its bytes).
    public struct MasterKeyInfo: Sendable, Equatable {
        public let id: String
        public let versionCount: Int
        public let createdAtMilliseconds: Int64
        public let rotatedAtMilliseconds: Int64
    }

    private let catalog: Catalog
    private let sealingKey: SymmetricKey
    private let customerMACKey: SymmetricKey
    /// Opened master key versions by id, so a read does not unseal on every request.
    private let cache = Mutex<[String: [SymmetricKey]]>([:])

    public init(catalog: Catalog, serverSecret: String) {
        self.catalog = catalog
        let material = SymmetricKey(data: Array(serverSecret.utf8))
        sealingKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: material, salt: Array("spore".utf8), info: Array("kms master keys".utf8), outputByteCount: 32)
        customerMACKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: material, salt: Array("spore".utf8), info: Array("sse-c key check".utf8), outputByteCount: 32)
    }

    public static func isValidKeyID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= keyIDByteCountMax
            && id.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || [UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: ".")].contains(byte)
            }
    }

    // MARK: Master keys

    /// Makes a new master key with one version.
    public func createKey(_ id: String, nowMilliseconds: Int64) async throws {
        guard Self.isValidKeyID(id) else { throw Failure.invalidKeyID(id) }
        let record = try MasterKeyRecord(createdAtMilliseconds: nowMilliseconds, versions: [seal(Self.randomKey(), id: id, version: 1)])
        try await catalog.updateDaemonSetting(Self.settingPrefix + id) { value in
            guard value == nil else { throw Failure.keyExists(id) }
            value = record.encoded()
        }
    }

    /// Adds a version to a master key: new objects use it, older objects keep theirs.
    public func rotateKey(_ id: String, nowMilliseconds: Int64) async throws {
        let sealingKey = self.sealingKey
        try await catalog.updateDaemonSetting(Self.settingPrefix + id) { value in
            guard let bytes = value else { throw ObjectError.unknownMasterKey(id) }
            var record = try MasterKeyRecord(decoding: bytes)
            guard record.versions.count < Self.versionCountMax else { throw Failure.tooManyVersions(id) }
            record.versions.append(try Self.seal(Self.randomKey(), id: id, version: UInt32(record.versions.count + 1), with: sealingKey))
            record.rotatedAtMilliseconds = nowMilliseconds
            value = record.encoded()
        }
    }

    public func list() throws -> [MasterKeyInfo] {
        try catalog.daemonSettingNames(prefix: Self.settingPrefix).compactMap { name in
            let id = String(name.dropFirst(Self.settingPrefix.count))
            guard let bytes = try catalog.daemonSetting(name) else { return nil }
            let record = try MasterKeyRecord(decoding: bytes)
            return MasterKeyInfo(
                id: id, versionCount: record.versions.count, createdAtMilliseconds: record.createdAtMilliseconds,
                rotatedAtMilliseconds: record.rotatedAtMilliseconds)
        }
    }

    /// Whether a master key exists.
    public func exists(_ id: String) throws -> Bool { try catalog.daemonSetting(Self.settingPrefix + id) != nil }

    /// Every version of a master key, opened. The record is read every time (an LMDB read); only
    /// the unsealing is cached, and only for the same number of versions, so a rotation racing a
    /// read can never leave a stale list in the cache.
    private func versions(of id: String) throws -> [SymmetricKey] {
        guard let bytes = try catalog.daemonSetting(Self.settingPrefix + id) else { throw ObjectError.unknownMasterKey(id) }
        let record = try MasterKeyRecord(decoding: bytes)
        if let cached = cache.withLock({ $0[id] }), cached.count == record.versions.count { return cached }
        let opened = try record.versions.enumerated().map { index, sealed in
            try Self.open(sealed, id: id, version: UInt32(index + 1), with: sealingKey)
        }
        cache.withLock { $0[id] = opened }
        return opened
    }

    // MARK: Object keys

    /// A new object's key and the record that lets it be found again: a fresh data key sealed by
    /// the master key's current version (the default key is made on first use).
    public func newDataKey(
        kind: EncryptionKind, masterKeyID: String?, context: String?, bucketKeyEnabled: Bool, nowMilliseconds: Int64
    ) async throws -> (SymmetricKey, ObjectEncryption) {
        precondition(kind != .customer, "SSE-C keys come from the client")
        let id = masterKeyID ?? Self.defaultKeyID
        if id == Self.defaultKeyID, try !exists(id) {
            do { try await createKey(id, nowMilliseconds: nowMilliseconds) } catch Failure.keyExists(_) {}
        }
        let versions = try versions(of: id)
        let dataKey = Self.randomKey()
        let version = UInt32(versions.count)
        let sealed = try Self.sealDataKey(dataKey, masterKey: versions[versions.count - 1], id: id, version: version)
        let record = ObjectEncryption(
            kind: kind, masterKeyID: id, masterKeyVersion: version, sealedDataKey: sealed, context: context, bucketKeyEnabled: bucketKeyEnabled)
        return (SymmetricKey(data: dataKey), record)
    }

    /// The record of an SSE-C object: a fresh salt and the key's MAC under it.
    public func customerRecord(customerKey: [UInt8]) -> ObjectEncryption {
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255) }
        return ObjectEncryption(kind: .customer, customerKeySalt: salt, customerKeyMAC: customerMAC(customerKey, salt: salt))
    }

    private func customerMAC(_ key: [UInt8], salt: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: salt + key, using: customerMACKey))
    }

    /// The key an object's bytes were sealed with; nil for plain objects. Refusals are
    /// `ObjectError.customerKeyRequired`, `.customerKeyMismatch` and `.customerKeyNotApplicable`.
    public func objectKey(for encryption: ObjectEncryption?, customerKey: [UInt8]?) throws -> SymmetricKey? {
        guard let encryption else {
            if customerKey != nil { throw ObjectError.customerKeyNotApplicable }
            return nil
        }
        switch encryption.kind {
        case .customer:
            guard let customerKey else { throw ObjectError.customerKeyRequired }
            let computed = customerMAC(customerKey, salt: encryption.customerKeySalt)
            // Constant time: the MAC must not tell a guesser how much of it matched.
            guard computed.count == encryption.customerKeyMAC.count,
                zip(computed, encryption.customerKeyMAC).reduce(UInt8(0), { $0 | ($1.0 ^ $1.1) }) == 0
            else { throw ObjectError.customerKeyMismatch }
            return SymmetricKey(data: customerKey)
        case .s3, .kms:
            if customerKey != nil { throw ObjectError.customerKeyNotApplicable }
            guard let id = encryption.masterKeyID else { throw Failure.unsealFailed("an encryption record without its master key") }
            let versions = try versions(of: id)
            let index = Int(encryption.masterKeyVersion) - 1
            guard versions.indices.contains(index) else { throw Failure.unsealFailed("version \(encryption.masterKeyVersion) of \(id)") }
            return SymmetricKey(
                data: try Self.openDataKey(encryption.sealedDataKey, masterKey: versions[index], id: id, version: encryption.masterKeyVersion))
        }
    }

    /// The ETag of an SSE-C body: not its MD5, which anyone who may list or ask a conditional GET
    /// would see and could check guesses of the content against, but a MAC of it under the
    /// customer's key. The same bytes under the same key give the same ETag (a part uploaded twice
    /// keeps its ETag), and nothing is learned without the key. For other kinds the MD5, as AWS.
    public static func etag(md5: [UInt8], kind: EncryptionKind?, objectKey: SymmetricKey?) -> String {
        guard kind == .customer, let objectKey else { return Hex.encode(md5) }
        let macKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: objectKey, info: Array("spore sse-c etag".utf8), outputByteCount: 32)
        return Hex.encode(Array(HMAC<SHA256>.authenticationCode(for: md5, using: macKey).prefix(16)))
    }

    // MARK: Sealing

    static func randomKey() -> [UInt8] { SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) } }

    private func seal(_ key: [UInt8], id: String, version: UInt32) throws -> [UInt8] {
        try Self.seal(key, id: id, version: version, with: sealingKey)
    }

    /// The additional data binds a sealed key to its master key's id and version, so records
    /// cannot be swapped between keys.
    private static func binding(_ what: String, id: String, version: UInt32) -> [UInt8] { Array("\(what)|\(id)|\(version)".utf8) }

    private static func seal(_ key: [UInt8], id: String, version: UInt32, with sealingKey: SymmetricKey) throws -> [UInt8] {
        guard let combined = try AES.GCM.seal(key, using: sealingKey, authenticating: binding("master", id: id, version: version)).combined
        else { throw Failure.unsealFailed("master key \(id)") }
        return Array(combined)
    }

    private static func open(_ sealed: [UInt8], id: String, version: UInt32, with sealingKey: SymmetricKey) throws -> SymmetricKey {
        guard let box = try? AES.GCM.SealedBox(combined: sealed),
            let key = try? AES.GCM.open(box, using: sealingKey, authenticating: binding("master", id: id, version: version))
        else { throw Failure.unsealFailed("master key \(id) version \(version)") }
        return SymmetricKey(data: key)
    }

    private static func sealDataKey(_ key: [UInt8], masterKey: SymmetricKey, id: String, version: UInt32) throws -> [UInt8] {
        guard let combined = try AES.GCM.seal(key, using: masterKey, authenticating: binding("data", id: id, version: version)).combined
        else { throw Failure.unsealFailed("a data key") }
        return Array(combined)
    }

    private static func openDataKey(_ sealed: [UInt8], masterKey: SymmetricKey, id: String, version: UInt32) throws -> [UInt8] {
        guard let box = try? AES.GCM.SealedBox(combined: sealed),
            let key = try? AES.GCM.open(box, using: masterKey, authenticating: binding("data", id: id, version: version)),
            key.count == dataKeyByteCount
        else { throw Failure.unsealFailed("the data key of an object sealed by \(id)") }
        return Array(key)
    }
}

/// A master key as the index keeps it: its sealed versions, oldest first.
struct MasterKeyRecord {
    var createdAtMilliseconds: Int64
    var rotatedAtMilliseconds: Int64 = 0
    var versions: [[UInt8]]

    init(createdAtMilliseconds: Int64, versions: [[UInt8]]) {
        self.createdAtMilliseconds = createdAtMilliseconds
        self.rotatedAtMilliseconds = createdAtMilliseconds
        self.versions = versions
    }

    func encoded() -> [UInt8] {
        var writer = RecordWriter(format: 1)
        writer.field(1, createdAtMilliseconds)
        writer.field(2, rotatedAtMilliseconds)
        for version in versions { writer.field(3, bytes: version) }
        return writer.bytes
    }

    init(decoding bytes: [UInt8]) throws {
        var reader = try RecordReader(bytes)
        var record = MasterKeyRecord(createdAtMilliseconds: 0, versions: [])
        while let (tag, value) = try reader.next() {
            switch tag {
            case 1: record.createdAtMilliseconds = try RecordReader.int64(value)
            case 2: record.rotatedAtMilliseconds = try RecordReader.int64(value)
            case 3: record.versions.append(Array(value))
            default: continue
            }
        }
        guard !record.versions.isEmpty else { throw IndexError.corrupt("a master key without versions") }
        self = record
    }
}
