import Synchronization

/// A managed user.
public struct UserRecord: Sendable, Equatable {
    public let name: String
    public var createdAtMilliseconds: Int64
    public var isDisabled: Bool

    func encoded() -> [UInt8] {
        var writer = RecordWriter(format: 1)
        writer.field(1, createdAtMilliseconds)
        writer.field(2, isDisabled)
        return writer.bytes
    }

    init(name: String, createdAtMilliseconds: Int64, isDisabled: Bool = false) {
        self.name = name
        self.createdAtMilliseconds = createdAtMilliseconds
        self.isDisabled = isDisabled
    }

    init(name: String, decoding bytes: [UInt8]) throws(IndexError) {
        var reader = try RecordReader(bytes)
        var record = UserRecord(name: name, createdAtMilliseconds: 0)
        while let (tag, value) = try reader.next() {
            switch tag {
            case 1: record.createdAtMilliseconds = try RecordReader.int64(value)
            case 2: record.isDisabled = RecordReader.bool(value)
            default: continue
            }
        }
        self = record
    }
}

/// Where a key may act: a bucket and a key prefix in it (empty: the whole bucket).
public struct KeyScope: Sendable, Equatable, Hashable {
    public let bucket: String
    public let prefix: String

    public init(bucket: String, prefix: String) {
        self.bucket = bucket
        self.prefix = prefix
    }
}

/// A managed access key. The secret is sealed with the server secret; only the daemon opens it.
public struct AccessKeyRecord: Sendable, Equatable {
    public let accessKey: String
    public var user: String
    public var sealedSecret: [UInt8]
    /// Empty: everything the user may do. Otherwise only these buckets and prefixes.
    public var scopes: [KeyScope]
    public var isReadOnly: Bool
    public var expiresAtMilliseconds: Int64?
    public var createdAtMilliseconds: Int64
    public var isDisabled: Bool
    /// A free-form label (for example the Hypha workspace that asked for it).
    public var label: String?

    public init(
        accessKey: String, user: String, sealedSecret: [UInt8], scopes: [KeyScope], isReadOnly: Bool, expiresAtMilliseconds: Int64?,
        createdAtMilliseconds: Int64, isDisabled: Bool = false, label: String? = nil
    ) {
        self.accessKey = accessKey
        self.user = user
        self.sealedSecret = sealedSecret
        self.scopes = scopes
        self.isReadOnly = isReadOnly
        self.expiresAtMilliseconds = expiresAtMilliseconds
        self.createdAtMilliseconds = createdAtMilliseconds
        self.isDisabled = isDisabled
        self.label = label
    }

    func encoded() -> [UInt8] {
        var writer = RecordWriter(format: 1)
        writer.field(1, user)
        writer.field(2, bytes: sealedSecret)
        for scope in scopes { writer.field(3, parts: [Array(scope.bucket.utf8), Array(scope.prefix.utf8)]) }
        writer.field(4, isReadOnly)
        if let expiry = expiresAtMilliseconds { writer.field(5, expiry) }
        writer.field(6, createdAtMilliseconds)
        writer.field(7, isDisabled)
        if let label { writer.field(8, label) }
        return writer.bytes
    }

    init(accessKey: String, decoding bytes: [UInt8]) throws(IndexError) {
        var reader = try RecordReader(bytes)
        var record = AccessKeyRecord(
            accessKey: accessKey, user: "", sealedSecret: [], scopes: [], isReadOnly: false, expiresAtMilliseconds: nil, createdAtMilliseconds: 0)
        while let (tag, value) = try reader.next() {
            switch tag {
            case 1: record.user = RecordReader.string(value)
            case 2: record.sealedSecret = Array(value)
            case 3:
                let pair = try ObjectVersion.pair(value)
                record.scopes.append(KeyScope(bucket: pair.name, prefix: pair.value))
            case 4: record.isReadOnly = RecordReader.bool(value)
            case 5: record.expiresAtMilliseconds = try RecordReader.int64(value)
            case 6: record.createdAtMilliseconds = try RecordReader.int64(value)
            case 7: record.isDisabled = RecordReader.bool(value)
            case 8: record.label = RecordReader.string(value)
            default: continue
            }
        }
        self = record
    }
}

/// A share link: a token that grants reading one object, for as long as it says.
public struct ShareRecord: Sendable, Equatable {
    public let token: String
    public var bucket: String
    public var key: String
    public var createdBy: String
    public var createdAtMilliseconds: Int64
    public var expiresAtMilliseconds: Int64?
    /// Salted HMAC of the password, when the link has one.
    public var passwordDigest: [UInt8]?
    public var passwordSalt: [UInt8]?
    public var downloadsMax: Int64?
    public var downloadCount: Int64
    public var isRevoked: Bool

    public init(
        token: String, bucket: String, key: String, createdBy: String, createdAtMilliseconds: Int64, expiresAtMilliseconds: Int64?,
        passwordDigest: [UInt8]?, passwordSalt: [UInt8]?, downloadsMax: Int64?
    ) {
        self.token = token
        self.bucket = bucket
        self.key = key
        self.createdBy = createdBy
        self.createdAtMilliseconds = createdAtMilliseconds
        self.expiresAtMilliseconds = expiresAtMilliseconds
        self.passwordDigest = passwordDigest
        self.passwordSalt = passwordSalt
        self.downloadsMax = downloadsMax
        self.downloadCount = 0
        self.isRevoked = false
    }

    func encoded() -> [UInt8] {
        var writer = RecordWriter(format: 1)
        writer.field(1, bucket)
        writer.field(2, key)
        writer.field(3, createdBy)
        writer.field(4, createdAtMilliseconds)
        if let value = expiresAtMilliseconds { writer.field(5, value) }
        if let value = passwordDigest { writer.field(6, bytes: value) }
        if let value = passwordSalt { writer.field(7, bytes: value) }
        if let value = downloadsMax { writer.field(8, value) }
        writer.field(9, downloadCount)
        writer.field(10, isRevoked)
        return writer.bytes
    }

    init(token: String, decoding bytes: [UInt8]) throws(IndexError) {
        var reader = try RecordReader(bytes)
        var record = ShareRecord(
            token: token, bucket: "", key: "", createdBy: "", createdAtMilliseconds: 0, expiresAtMilliseconds: nil,
            passwordDigest: nil, passwordSalt: nil, downloadsMax: nil)
        while let (tag, value) = try reader.next() {
            switch tag {
            case 1: record.bucket = RecordReader.string(value)
            case 2: record.key = RecordReader.string(value)
            case 3: record.createdBy = RecordReader.string(value)
            case 4: record.createdAtMilliseconds = try RecordReader.int64(value)
            case 5: record.expiresAtMilliseconds = try RecordReader.int64(value)
            case 6: record.passwordDigest = Array(value)
            case 7: record.passwordSalt = Array(value)
            case 8: record.downloadsMax = try RecordReader.int64(value)
            case 9: record.downloadCount = try RecordReader.int64(value)
            case 10: record.isRevoked = RecordReader.bool(value)
            default: continue
            }
        }
        self = record
    }

    /// Whether the link still opens at `now` (not revoked, not expired, downloads left).
    public func isUsable(atMilliseconds now: Int64) -> Bool {
        if isRevoked { return false }
        if let expiry = expiresAtMilliseconds, now >= expiry { return false }
        if let max = downloadsMax, downloadCount >= max { return false }
        return true
    }
}

/// Users, access keys and share links: a store over the catalog's environment and writer.
public struct IdentityStore: Sendable {
    let catalog: Catalog

    // MARK: Users

    public func createUser(_ name: String, nowMilliseconds: Int64) async throws -> UserRecord {
        defer { catalog.bumpIdentityGeneration() }
        return try await catalog.writer.write { transaction in
            guard try transaction.get(catalog.databases.users, Array(name.utf8)) == nil else { throw IndexError.alreadyExists("user \(name)") }
            let record = UserRecord(name: name, createdAtMilliseconds: nowMilliseconds)
            try transaction.put(catalog.databases.users, Array(name.utf8), record.encoded())
            return record
        }
    }

    public func users() throws -> [UserRecord] {
        try catalog.read { transaction in
            try transaction.withCursor(catalog.databases.users) { cursor in
                var records = [UserRecord]()
                var entry = try cursor.first()
                while let current = entry {
                    records.append(try UserRecord(name: String(decoding: current.key, as: UTF8.self), decoding: current.value))
                    entry = try cursor.next()
                }
                return records
            }
        }
    }

    public func user(named name: String) throws -> UserRecord? {
        try catalog.read { transaction in
            try transaction.get(catalog.databases.users, Array(name.utf8)).map { try UserRecord(name: name, decoding: $0) }
        }
    }

    public func setUserDisabled(_ name: String, _ disabled: Bool) async throws {
        defer { catalog.bumpIdentityGeneration() }
        try await catalog.writer.write { transaction in
            guard let bytes = try transaction.get(catalog.databases.users, Array(name.utf8)) else { throw IndexError.notFound("user \(name)") }
            var record = try UserRecord(name: name, decoding: bytes)
            record.isDisabled = disabled
            try transaction.put(catalog.databases.users, Array(name.utf8), record.encoded())
        }
    }

    /// Deletes a user and every key of theirs. Their buckets stay (root can still reach them).
    public func deleteUser(_ name: String) async throws {
        defer { catalog.bumpIdentityGeneration() }
        try await catalog.writer.write { transaction in
            guard try transaction.delete(catalog.databases.users, Array(name.utf8)) else { throw IndexError.notFound("user \(name)") }
            var doomed = [[UInt8]]()
            try transaction.withCursor(catalog.databases.accessKeys) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    if try AccessKeyRecord(accessKey: "", decoding: current.value).user == name { doomed.append(current.key) }
                    entry = try cursor.next()
                }
            }
            for key in doomed { try transaction.delete(catalog.databases.accessKeys, key) }
        }
    }

    // MARK: Access keys

    public func createAccessKey(_ record: AccessKeyRecord) async throws {
        defer { catalog.bumpIdentityGeneration() }
        try await catalog.writer.write { transaction in
            guard try transaction.get(catalog.databases.accessKeys, Array(record.accessKey.utf8)) == nil else {
                throw IndexError.alreadyExists("access key \(record.accessKey)")
            }
            try transaction.put(catalog.databases.accessKeys, Array(record.accessKey.utf8), record.encoded())
        }
    }

    public func accessKey(_ accessKey: String) throws -> AccessKeyRecord? {
        try catalog.read { transaction in
            try transaction.get(catalog.databases.accessKeys, Array(accessKey.utf8)).map { try AccessKeyRecord(accessKey: accessKey, decoding: $0) }
        }
    }

    public func accessKeys(user: String? = nil) throws -> [AccessKeyRecord] {
        try catalog.read { transaction in
            try transaction.withCursor(catalog.databases.accessKeys) { cursor in
                var records = [AccessKeyRecord]()
                var entry = try cursor.first()
                while let current = entry {
                    let record = try AccessKeyRecord(accessKey: String(decoding: current.key, as: UTF8.self), decoding: current.value)
                    if user == nil || record.user == user { records.append(record) }
                    entry = try cursor.next()
                }
                return records
            }
        }
    }

    public func deleteAccessKey(_ accessKey: String) async throws {
        defer { catalog.bumpIdentityGeneration() }
        try await catalog.writer.write { transaction in
            guard try transaction.delete(catalog.databases.accessKeys, Array(accessKey.utf8)) else {
                throw IndexError.notFound("access key \(accessKey)")
            }
        }
    }

    public func setAccessKeyDisabled(_ accessKey: String, _ disabled: Bool) async throws {
        defer { catalog.bumpIdentityGeneration() }
        try await catalog.writer.write { transaction in
            guard let bytes = try transaction.get(catalog.databases.accessKeys, Array(accessKey.utf8)) else {
                throw IndexError.notFound("access key \(accessKey)")
            }
            var record = try AccessKeyRecord(accessKey: accessKey, decoding: bytes)
            record.isDisabled = disabled
            try transaction.put(catalog.databases.accessKeys, Array(accessKey.utf8), record.encoded())
        }
    }

    // MARK: Token revocations

    /// Revokes one token (named by its id) until `expiresAtSeconds`, after which it is refused
    /// anyway; entries that have served their time go at the same write.
    public func revokeToken(id: String, expiresAtSeconds: Int64, nowSeconds: Int64) async throws {
        let database = catalog.databases.revocations
        try await catalog.writer.write { transaction in
            var expired: [[UInt8]] = []
            try transaction.withCursor(database) { cursor in
                var entry = try cursor.seek(atOrAfter: Array("t".utf8))
                while let current = entry, current.key.first == UInt8(ascii: "t") {
                    if Self.seconds(current.value) < nowSeconds { expired.append(Array(current.key)) }
                    entry = try cursor.next()
                }
            }
            for key in expired { _ = try transaction.delete(database, key) }
            try transaction.put(database, Array(("t" + id).utf8), Self.bytes(expiresAtSeconds))
        }
    }

    /// Revokes every token of `user` issued at or before `issuedUpToSeconds`.
    public func revokeTokens(user: String, issuedUpToSeconds: Int64) async throws {
        let database = catalog.databases.revocations
        try await catalog.writer.write { transaction in
            try transaction.put(database, Array(("u" + user).utf8), Self.bytes(issuedUpToSeconds))
        }
    }

    /// Whether a token (its id, user and issue time) has been revoked.
    public func isTokenRevoked(id: String, user: String, issuedAtSeconds: Int64) throws -> Bool {
        let database = catalog.databases.revocations
        return try catalog.read { transaction in
            if try transaction.get(database, Array(("t" + id).utf8)) != nil { return true }
            guard let before = try transaction.get(database, Array(("u" + user).utf8)) else { return false }
            return issuedAtSeconds <= Self.seconds(before)
        }
    }

    static func bytes(_ seconds: Int64) -> [UInt8] { withUnsafeBytes(of: seconds.bigEndian) { Array($0) } }

    static func seconds(_ bytes: some Collection<UInt8>) -> Int64 {
        bytes.prefix(8).reduce(Int64(0)) { $0 << 8 | Int64($1) }
    }

    // MARK: Share links

    public func createShare(_ record: ShareRecord) async throws {
        try await catalog.writer.write { transaction in
            _ = try catalog.requireBucket(transaction, named: record.bucket)
            try transaction.put(catalog.databases.shares, Array(record.token.utf8), record.encoded())
        }
    }

    public func share(_ token: String) throws -> ShareRecord? {
        try catalog.read { transaction in
            try transaction.get(catalog.databases.shares, Array(token.utf8)).map { try ShareRecord(token: token, decoding: $0) }
        }
    }

    public func shares() throws -> [ShareRecord] {
        try catalog.read { transaction in
            try transaction.withCursor(catalog.databases.shares) { cursor in
                var records = [ShareRecord]()
                var entry = try cursor.first()
                while let current = entry {
                    records.append(try ShareRecord(token: String(decoding: current.key, as: UTF8.self), decoding: current.value))
                    entry = try cursor.next()
                }
                return records
            }
        }
    }

    public func revokeShare(_ token: String) async throws {
        try await catalog.writer.write { transaction in
            guard let bytes = try transaction.get(catalog.databases.shares, Array(token.utf8)) else { throw IndexError.notFound("share \(token)") }
            var record = try ShareRecord(token: token, decoding: bytes)
            record.isRevoked = true
            try transaction.put(catalog.databases.shares, Array(token.utf8), record.encoded())
        }
    }

    /// Counts one download if the link is still usable at `now`; returns the record as it was used.
    public func consumeShare(_ token: String, nowMilliseconds: Int64) async throws -> ShareRecord? {
        return try await catalog.writer.write { transaction in
            guard let bytes = try transaction.get(catalog.databases.shares, Array(token.utf8)) else { return nil }
            var record = try ShareRecord(token: token, decoding: bytes)
            guard record.isUsable(atMilliseconds: nowMilliseconds) else { return nil }
            record.downloadCount += 1
            try transaction.put(catalog.databases.shares, Array(token.utf8), record.encoded())
            return record
        }
    }

    // MARK: Change tracking

    /// Bumped whenever users or keys change, so caches of credentials know to reload.
    public var identityGeneration: UInt64 { catalog.identityCounter.load(ordering: .relaxed) }

}

extension Catalog {
    /// Users, access keys and share links.
    public var identity: IdentityStore { IdentityStore(catalog: self) }

    func bumpIdentityGeneration() { identityCounter.add(1, ordering: .relaxed) }
}
