import BlobStore
import Synchronization

/// A key's record in the key tree: its id (for its noncurrent versions) and its current version.
struct ObjectEntry {
    var keyID: UInt64
    var current: ObjectVersion

    func encoded() -> [UInt8] { KeyBytes.uint64(keyID) + current.encoded() }

    init(keyID: UInt64, current: ObjectVersion) {
        self.keyID = keyID
        self.current = current
    }

    init(decoding payload: ArraySlice<UInt8>) throws(IndexError) {
        guard payload.count > 8 else { throw IndexError.corrupt("object entry too short") }
        keyID = KeyBytes.readUInt64(payload)
        current = try ObjectVersion(decoding: Array(payload.dropFirst(8)))
    }
}

/// Conditions a write checks against the current version, in the same transaction that writes.
public struct WritePreconditions: Sendable, Equatable {
    /// `If-None-Match`: `*` fails if the key exists; an ETag fails if it matches.
    public var ifNoneMatch: String?
    /// `If-Match`: fails unless the current ETag matches (`*`: unless the key exists).
    public var ifMatch: String?

    public init(ifNoneMatch: String? = nil, ifMatch: String? = nil) {
        self.ifNoneMatch = ifNoneMatch
        self.ifMatch = ifMatch
    }

    public static let none = WritePreconditions()

    func check(current: ObjectVersion?, bucket: String, key: String) throws {
        if let ifMatch {
            guard let current else { throw IndexError.noSuchKey(bucket: bucket, key: key) }
            guard Self.matches(ifMatch, etag: current.etag) else { throw IndexError.preconditionFailed }
        }
        if let ifNoneMatch, let current, Self.matches(ifNoneMatch, etag: current.etag) {
            throw IndexError.preconditionFailed
        }
    }

    /// Whether an `If-Match`-style list (`*`, or comma-separated ETags, quoted or not) names `etag`.
    public static func matches(_ header: String, etag: String) -> Bool {
        for candidate in header.split(separator: ",") {
            var trimmed = candidate.trimmingSpaces()
            if trimmed == "*" { return true }
            if trimmed.hasPrefix("W/") { trimmed = String(trimmed.dropFirst(2)) }
            if trimmed.count >= 2, trimmed.hasPrefix("\""), trimmed.hasSuffix("\"") {
                trimmed = String(trimmed.dropFirst().dropLast())
            }
            if trimmed == etag { return true }
        }
        return false
    }
}

extension Substring {
    /// Drops leading and trailing spaces and tabs.
    ///
    /// Works on the UTF-8 bytes: the Character-wise `reversed().drop(while:)` it replaces ran
    /// unspecialized generic code and took 30 % of the daemon's CPU under small requests, since
    /// every SigV4 header passes through here.
    public func trimmingSpaces() -> String {
        let bytes = utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start = bytes.index(after: start) }
        while start < end {
            let last = bytes.index(before: end)
            guard bytes[last] == 0x20 || bytes[last] == 0x09 else { break }
            end = last
        }
        // Space and tab are one-byte scalars, so both ends stay on scalar boundaries.
        return String(self[start..<end])
    }

    /// The pieces between occurrences of the ASCII byte `separator`, found on the UTF-8 bytes.
    ///
    /// `split(separator:)` with a Character walks grapheme clusters; header and query parsing on
    /// every request only ever split on ASCII punctuation, which this finds byte by byte.
    public func splitting(onASCII separator: UInt8, omittingEmptySubsequences: Bool = true) -> [Substring] {
        precondition(separator < 0x80, "an ASCII separator keeps every piece on scalar boundaries")
        let bytes = utf8
        var pieces: [Substring] = []
        var start = bytes.startIndex
        var index = start
        while index != bytes.endIndex {
            if bytes[index] == separator {
                if !omittingEmptySubsequences || start != index { pieces.append(self[start..<index]) }
                start = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
        if !omittingEmptySubsequences || start != bytes.endIndex { pieces.append(self[start..<bytes.endIndex]) }
        return pieces
    }
}

/// What a lookup found.
public enum ObjectLookup: Sendable {
    case found(ObjectVersion)
    /// The current version (or the version asked for) is a delete marker.
    case deleteMarker(ObjectVersion)
    case notFound
}

/// What a delete did.
public struct DeleteOutcome: Sendable {
    /// The delete marker it wrote, if it wrote one.
    public let createdMarker: ObjectVersion?
    /// The version it removed for good, if any.
    public let removed: ObjectVersion?
}

extension ObjectStore {
    /// Looks up a bucket and one of its keys in a single read transaction: the GET and HEAD path.
    /// Expired versions are not found.
    public func lookup(
        bucket name: String, key: ObjectKey, versionID: VersionID? = nil, nowMilliseconds: Int64
    ) throws -> (BucketRecord, ObjectLookup) {
        try read { transaction in
            let bucket = try catalog.requireBucket(transaction, named: name)
            return (bucket, try lookup(transaction, bucket: bucket, key: key, versionID: versionID, nowMilliseconds: nowMilliseconds))
        }
    }

    private func lookup(
        _ transaction: borrowing LMDBTransaction, bucket: BucketRecord, key: ObjectKey, versionID: VersionID?, nowMilliseconds: Int64
    ) throws -> ObjectLookup {
        guard let entry = try catalog.loadEntry(transaction, bucketID: bucket.id, key: key) else { return .notFound }
        let version: ObjectVersion?
        if let versionID, versionID != entry.current.versionID {
            version = try catalog.noncurrentVersion(transaction, keyID: entry.keyID, versionID: versionID)
        } else {
            version = entry.current
        }
        guard let version, !version.isExpired(atMilliseconds: nowMilliseconds) else { return .notFound }
        return version.isDeleteMarker ? .deleteMarker(version) : .found(version)
    }

    /// `lookup`, and the bucket's lifecycle policy read in the same transaction (GET and HEAD
    /// answer `x-amz-expiration` from it without a second read). A policy that cannot be read
    /// is no policy here, as it was when it was read apart: it never fails the read of an object.
    public func lookupWithLifecycle(
        bucket name: String, key: ObjectKey, versionID: VersionID? = nil, nowMilliseconds: Int64
    ) throws -> (BucketRecord, ObjectLookup, LifecyclePolicy?) {
        try read { transaction in
            let bucket = try catalog.requireBucket(transaction, named: name)
            let policy = try? catalog.lifecyclePolicy(transaction, bucketID: bucket.id)
            return (bucket, try lookup(transaction, bucket: bucket, key: key, versionID: versionID, nowMilliseconds: nowMilliseconds), policy)
        }
    }

    /// Stores a new version of `key` as its current version, following the bucket's versioning
    /// state. The version's blobs must already be placed. Returns the version as stored (with its
    /// sequence number and version id).
    public func putObject(
        bucket name: String, key: ObjectKey, version: ObjectVersion, preconditions: WritePreconditions = .none,
        nowMilliseconds: Int64
    ) async throws -> ObjectVersion {
        try await writer.write { transaction in
            try self.catalog.putObject(
                transaction, bucket: name, key: key, version: version, preconditions: preconditions, nowMilliseconds: nowMilliseconds)
        }
    }

    /// Deletes `key` (writing a delete marker on versioning buckets) or, with `versionID`, removes
    /// that version for good. A version under Object Lock is refused with `objectLocked`
    /// (GOVERNANCE gives way to `bypassGovernance`, which the caller grants only to principals
    /// allowed `s3:BypassGovernanceRetention` who asked for it).
    public func deleteObject(
        bucket name: String, key: ObjectKey, versionID: VersionID? = nil, owner: String, bypassGovernance: Bool = false,
        nowMilliseconds: Int64
    ) async throws -> DeleteOutcome {
        try await writer.write { transaction in
            try self.catalog.deleteObject(
                transaction, bucket: name, key: key, versionID: versionID, owner: owner, bypassGovernance: bypassGovernance,
                nowMilliseconds: nowMilliseconds)
        }
    }

    /// Deletes many keys in one durable commit (DeleteObjects). Each key succeeds or fails alone.
    public func deleteObjects(
        bucket name: String, _ targets: [(key: ObjectKey, versionID: VersionID?)], owner: String,
        bypassGovernance: @escaping @Sendable (ObjectKey) -> Bool = { _ in false }, nowMilliseconds: Int64
    ) async throws -> [Result<DeleteOutcome, IndexError>] {
        try await writer.write { transaction in
            try targets.map { target -> Result<DeleteOutcome, IndexError> in
                do {
                    return .success(
                        try transaction.nested { child in
                            try self.catalog.deleteObject(
                                child, bucket: name, key: target.key, versionID: target.versionID, owner: owner,
                                bypassGovernance: bypassGovernance(target.key), nowMilliseconds: nowMilliseconds
                            )
                        })
                } catch let error as IndexError {
                    return .failure(error)
                }
            }
        }
    }
}

extension Catalog {
    // MARK: Reads

    func loadEntry(_ transaction: borrowing LMDBTransaction, bucketID: UInt64, key: ObjectKey) throws -> ObjectEntry? {
        guard let payload = try keyTree.get(transaction, root: bucketID, key: key.bytes) else { return nil }
        return try ObjectEntry(decoding: payload[...])
    }

    /// Noncurrent versions of a key, newest first.
    func noncurrentVersions(_ transaction: borrowing LMDBTransaction, keyID: UInt64) throws -> [ObjectVersion] {
        let prefix = KeyBytes.uint64(keyID)
        return try transaction.withCursor(databases.versions) { cursor in
            var versions = [ObjectVersion]()
            var entry = try cursor.seek(atOrAfter: prefix)
            while let current = entry, current.key.starts(with: prefix) {
                versions.append(try ObjectVersion(decoding: current.value))
                entry = try cursor.next()
            }
            return versions
        }
    }

    func noncurrentVersion(_ transaction: borrowing LMDBTransaction, keyID: UInt64, versionID: VersionID) throws -> ObjectVersion? {
        if let sequence = versionID.sequence {
            return try transaction.get(databases.versions, Self.versionKey(keyID, sequence)).map { try ObjectVersion(decoding: $0) }
        }
        return try noncurrentVersions(transaction, keyID: keyID).first { $0.isNullVersion }
    }

    static func versionKey(_ keyID: UInt64, _ sequence: UInt64) -> [UInt8] {
        KeyBytes.uint64(keyID) + KeyBytes.uint64(UInt64.max - sequence)
    }

    // MARK: Writes

    func putObject(
        _ transaction: borrowing LMDBTransaction, bucket name: String, key: ObjectKey, version: ObjectVersion,
        preconditions: WritePreconditions, nowMilliseconds: Int64
    ) throws -> ObjectVersion {
        let bucket = try requireBucket(transaction, named: name)
        let entry = try loadEntry(transaction, bucketID: bucket.id, key: key)
        let visible = entry.map(\.current).flatMap { $0.isDeleteMarker || $0.isExpired(atMilliseconds: nowMilliseconds) ? nil : $0 }
        try preconditions.check(current: visible, bucket: name, key: key.value)
        let plan = VersioningPlan.put(
            state: bucket.versioning, current: (isNull: entry?.current.isNullVersion ?? false, exists: entry != nil)
        )
        var stored = version
        stored.sequence = try allocateID(transaction)
        stored.isNullVersion = plan.newIsNull
        let keyID = try entry?.keyID ?? allocateID(transaction)
        try apply(transaction, plan: plan, bucketID: bucket.id, keyID: keyID, current: entry?.current, nowMilliseconds: nowMilliseconds)
        try adjustStatistics(transaction, bucketID: bucket.id, stored, sign: 1)
        // A single fresh blob's MD5 is the version's ETag; keep it with the blob for part copies.
        // (Not for encrypted versions: their blob holds ciphertext, whose MD5 is not the ETag.)
        let md5 = stored.body.chunks.count == 1 && stored.etag.utf8.count == 32 && stored.encryption == nil ? hexBytes(stored.etag) : nil
        try references.retain(transaction, stored.body.chunks, md5: md5)
        try addExpiry(transaction, bucketID: bucket.id, keyID: keyID, key: key, version: stored)
        try keyTree.put(transaction, root: bucket.id, key: key.bytes, payload: ObjectEntry(keyID: keyID, current: stored).encoded()) {
            try allocateID(transaction)
        }
        try scheduleAfterWrite(transaction, bucket: bucket, key: key, nowMilliseconds: nowMilliseconds)
        if isArtifactBucket(name) {
            let counted = entry.map { !$0.current.isDeleteMarker } ?? false
            try artifacts.fileChanged(transaction, key: key.value, countDelta: counted ? 0 : 1, present: true)
        }
        return stored
    }

    func isArtifactBucket(_ name: String) -> Bool { artifactBucket.withLock { $0 == name } }

    func deleteObject(
        _ transaction: borrowing LMDBTransaction, bucket name: String, key: ObjectKey, versionID: VersionID?,
        owner: String, bypassGovernance: Bool = false, nowMilliseconds: Int64
    ) throws -> DeleteOutcome {
        let bucket = try requireBucket(transaction, named: name)
        let entry = try loadEntry(transaction, bucketID: bucket.id, key: key)
        if let versionID {
            guard let entry else { return DeleteOutcome(createdMarker: nil, removed: nil) }
            return try removeVersion(
                transaction, bucket: bucket, key: key, entry: entry, versionID: versionID, bypassGovernance: bypassGovernance,
                nowMilliseconds: nowMilliseconds)
        }
        let plan = VersioningPlan.delete(
            state: bucket.versioning, current: (isNull: entry?.current.isNullVersion ?? false, exists: entry != nil)
        )
        if isArtifactBucket(name), let entry, !entry.current.isDeleteMarker {
            try artifacts.fileChanged(transaction, key: key.value, countDelta: -1, present: false)
        }
        if plan.removesKey {
            guard let entry else { return DeleteOutcome(createdMarker: nil, removed: nil) }
            try dropVersion(transaction, bucketID: bucket.id, entry.current, nowMilliseconds: nowMilliseconds)
            try keyTree.delete(transaction, root: bucket.id, key: key.bytes)
            return DeleteOutcome(createdMarker: nil, removed: entry.current)
        }
        let keyID = try entry?.keyID ?? allocateID(transaction)
        let marker = ObjectVersion.deleteMarker(
            sequence: try allocateID(transaction), isNullVersion: plan.newIsNull, owner: owner, nowMilliseconds: nowMilliseconds
        )
        try apply(transaction, plan: plan, bucketID: bucket.id, keyID: keyID, current: entry?.current, nowMilliseconds: nowMilliseconds)
        try keyTree.put(transaction, root: bucket.id, key: key.bytes, payload: ObjectEntry(keyID: keyID, current: marker).encoded()) {
            try allocateID(transaction)
        }
        try scheduleAfterWrite(transaction, bucket: bucket, key: key, nowMilliseconds: nowMilliseconds)
        return DeleteOutcome(createdMarker: marker, removed: nil)
    }

    private func removeVersion(
        _ transaction: borrowing LMDBTransaction, bucket: BucketRecord, key: ObjectKey, entry: ObjectEntry,
        versionID: VersionID, bypassGovernance: Bool, nowMilliseconds: Int64
    ) throws -> DeleteOutcome {
        if entry.current.versionID == versionID {
            try dropVersion(transaction, bucketID: bucket.id, entry.current, bypassGovernance: bypassGovernance, nowMilliseconds: nowMilliseconds)
            // The newest noncurrent version, if any, becomes current.
            let promoted = try noncurrentVersions(transaction, keyID: entry.keyID).first
            if let promoted {
                try transaction.delete(databases.versions, Self.versionKey(entry.keyID, promoted.sequence))
                try keyTree.put(
                    transaction, root: bucket.id, key: key.bytes,
                    payload: ObjectEntry(keyID: entry.keyID, current: promoted).encoded()
                ) { try allocateID(transaction) }
            } else {
                try keyTree.delete(transaction, root: bucket.id, key: key.bytes)
            }
            // Expiry sweeps come here too: an artifact file that expires leaves its slot's count.
            if isArtifactBucket(bucket.name) {
                let (was, now) = (!entry.current.isDeleteMarker, promoted.map { !$0.isDeleteMarker } ?? false)
                let present = promoted.map { !$0.isDeleteMarker && !$0.isExpired(atMilliseconds: nowMilliseconds) } ?? false
                try artifacts.fileChanged(transaction, key: key.value, countDelta: (now ? 1 : 0) - (was ? 1 : 0), present: present)
            }
            return DeleteOutcome(createdMarker: nil, removed: entry.current)
        }
        guard let version = try noncurrentVersion(transaction, keyID: entry.keyID, versionID: versionID) else {
            return DeleteOutcome(createdMarker: nil, removed: nil)
        }
        try dropVersion(transaction, bucketID: bucket.id, version, bypassGovernance: bypassGovernance, nowMilliseconds: nowMilliseconds)
        try transaction.delete(databases.versions, Self.versionKey(entry.keyID, version.sequence))
        return DeleteOutcome(createdMarker: nil, removed: version)
    }

    /// Carries out what a plan says about the current version and a noncurrent null version.
    private func apply(
        _ transaction: borrowing LMDBTransaction, plan: VersioningPlan, bucketID: UInt64, keyID: UInt64, current: ObjectVersion?,
        nowMilliseconds: Int64
    ) throws {
        if let current {
            switch plan.currentFate {
            case .none: break
            case .demote: try transaction.put(databases.versions, Self.versionKey(keyID, current.sequence), current.encoded())
            case .drop: try dropVersion(transaction, bucketID: bucketID, current, nowMilliseconds: nowMilliseconds)
            }
        }
        if plan.dropsNoncurrentNull, let null = try noncurrentVersions(transaction, keyID: keyID).first(where: { $0.isNullVersion }) {
            try transaction.delete(databases.versions, Self.versionKey(keyID, null.sequence))
            try dropVersion(transaction, bucketID: bucketID, null, nowMilliseconds: nowMilliseconds)
        }
    }

    /// Releases a version's blobs, its expiry entry and its share of the bucket's counts. The
    /// caller removes the record itself. Every way a version disappears comes here, so this is
    /// where Object Lock is enforced: a protected version throws before anything changes (and the
    /// caller's transaction is abandoned with it).
    func dropVersion(
        _ transaction: borrowing LMDBTransaction, bucketID: UInt64, _ version: ObjectVersion, bypassGovernance: Bool = false,
        nowMilliseconds: Int64
    ) throws {
        if let refusal = version.removalRefusal(nowMilliseconds: nowMilliseconds, bypassGovernance: bypassGovernance) {
            throw IndexError.objectLocked(refusal)
        }
        try adjustStatistics(transaction, bucketID: bucketID, version, sign: -1)
        try references.release(transaction, version.body.chunks, nowMilliseconds: nowMilliseconds)
        if let expiry = version.expiresAtMilliseconds {
            try transaction.delete(databases.expiry, Self.expiryKey(expiry, version.sequence))
        }
    }

    private func addExpiry(_ transaction: borrowing LMDBTransaction, bucketID: UInt64, keyID: UInt64, key: ObjectKey, version: ObjectVersion) throws {
        guard let expiry = version.expiresAtMilliseconds else { return }
        try transaction.put(databases.expiry, Self.expiryKey(expiry, version.sequence), KeyBytes.uint64(bucketID) + key.bytes)
    }

    static func expiryKey(_ milliseconds: Int64, _ sequence: UInt64) -> [UInt8] {
        KeyBytes.uint64(UInt64(bitPattern: max(milliseconds, 0))) + KeyBytes.uint64(sequence)
    }

    var references: BlobReferences {
        BlobReferences(blobs: databases.blobs, garbage: databases.garbage, meta: databases.meta, placements: placementsBox.withLock { $0 })
    }
}

extension ObjectStore {
    /// Records blobs that are on disk but that nothing refers to (a write whose commit failed, a
    /// crash leftover), so that the collector removes them after the grace period.
    public func adoptOrphans(_ digests: [BlobDigest], nowMilliseconds: Int64) async throws {
        let references = self.catalog.references
        try await writer.write { transaction in
            for digest in digests {
                try references.adoptOrphan(transaction, digest, byteCount: 0, nowMilliseconds: nowMilliseconds)
            }
        }
    }

    /// Records the CRC-32 computed for a version stored before spore kept it at ingest, if that
    /// version is still the key's current one (a newer write keeps its own).
    public func recordCRC32(bucket name: String, key: ObjectKey, sequence: UInt64, crc32: UInt32) async throws {
        try await writer.write { transaction in
            let bucket = try self.catalog.requireBucket(transaction, named: name)
            guard var entry = try self.catalog.loadEntry(transaction, bucketID: bucket.id, key: key), entry.current.sequence == sequence,
                entry.current.crc32 == nil
            else { return }
            entry.current.crc32 = crc32
            try self.catalog.keyTree.put(transaction, root: bucket.id, key: key.bytes, payload: entry.encoded()) { try self.allocateID(transaction) }
        }
    }
}

extension ObjectStore {
    /// Replaces the tags of a version (the current one without `versionID`). Returns the version.
    public func setTags(
        bucket name: String, key: ObjectKey, versionID: VersionID?, tags: [(name: String, value: String)], nowMilliseconds: Int64
    ) async throws -> ObjectVersion {
        let databases = self.databases
        return try await writer.write { transaction in
            let bucket = try self.catalog.requireBucket(transaction, named: name)
            guard var entry = try self.catalog.loadEntry(transaction, bucketID: bucket.id, key: key) else {
                if let versionID { throw IndexError.noSuchVersion(bucket: name, key: key.value, versionID: versionID.rawValue) }
                throw IndexError.noSuchKey(bucket: name, key: key.value)
            }
            var updated: ObjectVersion
            if versionID == nil || versionID == entry.current.versionID {
                guard !entry.current.isDeleteMarker else { throw IndexError.deleteMarker(operation: "PutObjectTagging") }
                entry.current.tags = tags
                updated = entry.current
                try self.catalog.keyTree.put(transaction, root: bucket.id, key: key.bytes, payload: entry.encoded()) {
                    try self.allocateID(transaction)
                }
            } else {
                guard let versionID,
                    var version = try self.catalog.noncurrentVersions(transaction, keyID: entry.keyID).first(where: { $0.versionID == versionID })
                else {
                    throw IndexError.noSuchVersion(bucket: name, key: key.value, versionID: versionID?.rawValue ?? "")
                }
                version.tags = tags
                updated = version
                try transaction.put(databases.versions, Catalog.versionKey(entry.keyID, version.sequence), version.encoded())
            }
            if let policy = try self.catalog.lifecyclePolicy(transaction, bucketID: bucket.id) {
                try self.catalog.scheduleAll(transaction, bucket: bucket, key: key, policy: policy, nowMilliseconds: nowMilliseconds)
            }
            return updated
        }
    }
}

extension ObjectStore {
    /// Replaces the ACL of a version (the current one without `versionID`).
    public func setACL(bucket name: String, key: ObjectKey, versionID: VersionID?, acl: AccessControlList) async throws -> ObjectVersion {
        let databases = self.databases
        return try await writer.write { transaction in
            let bucket = try self.catalog.requireBucket(transaction, named: name)
            guard var entry = try self.catalog.loadEntry(transaction, bucketID: bucket.id, key: key) else {
                throw IndexError.noSuchKey(bucket: name, key: key.value)
            }
            if versionID == nil || versionID == entry.current.versionID {
                entry.current.acl = acl
                try self.catalog.keyTree.put(transaction, root: bucket.id, key: key.bytes, payload: entry.encoded()) {
                    try self.allocateID(transaction)
                }
                return entry.current
            }
            guard let versionID,
                var version = try self.catalog.noncurrentVersions(transaction, keyID: entry.keyID).first(where: { $0.versionID == versionID })
            else {
                throw IndexError.noSuchVersion(bucket: name, key: key.value, versionID: versionID?.rawValue ?? "")
            }
            version.acl = acl
            try transaction.put(databases.versions, Catalog.versionKey(entry.keyID, version.sequence), version.encoded())
            return version
        }
    }
}
