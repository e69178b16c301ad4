import SporeJSON

/// The artifacts of the Hypha-style API: records by internal id, with indexes by alias, by parent
/// and by workspace, and the staged-file entries of open staging sessions, in databases of their
/// own over the catalog's environment and writer.
///
/// Domain rules (staging, versions, permissions) live above, in the `Artifacts` target; they run
/// inside one write transaction through `write`, using the transaction-level functions here and
/// the object functions (`objectVersion`, `countObjects`, `deleteObject`, `copyObject`), so an
/// operation that touches a record, its files and its parent commits or rolls back as one.
public struct ArtifactStore: Sendable {
    let catalog: Catalog

    /// Longest alias (Hypha's `MAX_ARTIFACT_ALIAS_LENGTH`).
    public static let aliasByteCountMax = 64

    var databases: Catalog.Databases { catalog.databases }

    /// Runs `body` in one durable write transaction on the index writer.
    public func write<Result: Sendable>(_ body: @escaping @Sendable (borrowing LMDBTransaction) throws -> Result) async throws -> Result {
        try await catalog.writer.write(body)
    }

    /// Runs `body` in a read transaction.
    public func read<Result>(_ body: (borrowing LMDBTransaction) throws -> Result) throws -> Result {
        try catalog.read(body)
    }

    // MARK: Records

    static func aliasKey(_ workspace: String, _ alias: String) -> [UInt8] { Array(workspace.utf8) + [0] + Array(alias.utf8) }
    static func pairKey(_ first: String, _ second: String) -> [UInt8] { Array(first.utf8) + [0] + Array(second.utf8) }

    public func record(_ transaction: borrowing LMDBTransaction, id: String) throws -> ArtifactRecord? {
        try transaction.withValue(databases.artifacts, Array(id.utf8)) { bytes in
            try bytes.map { try catalog.artifactRecords.record(id: id, bytes: $0) }
        }
    }

    /// The internal id of `workspace/alias`.
    public func id(_ transaction: borrowing LMDBTransaction, workspace: String, alias: String) throws -> String? {
        try transaction.get(databases.artifactAliases, Self.aliasKey(workspace, alias)).map { String(decoding: $0, as: UTF8.self) }
    }

    public func record(_ transaction: borrowing LMDBTransaction, workspace: String, alias: String) throws -> ArtifactRecord? {
        guard let id = try id(transaction, workspace: workspace, alias: alias) else { return nil }
        return try record(transaction, id: id)
    }

    /// Stores a new record; fails with `alreadyExists` when its alias is taken.
    public func insert(_ transaction: borrowing LMDBTransaction, _ record: ArtifactRecord) throws {
        let aliasKey = Self.aliasKey(record.workspace, record.alias)
        guard try transaction.get(databases.artifactAliases, aliasKey) == nil else {
            throw IndexError.alreadyExists("artifact \(record.qualifiedID)")
        }
        guard try transaction.get(databases.artifacts, Array(record.id.utf8)) == nil else { throw IndexError.alreadyExists("artifact \(record.id)") }
        try transaction.put(databases.artifactAliases, aliasKey, Array(record.id.utf8))
        try transaction.put(databases.artifactWorkspaces, Self.pairKey(record.workspace, record.id), [])
        if let parent = record.parentID { try transaction.put(databases.artifactChildren, Self.pairKey(parent, record.id), []) }
        try transaction.put(databases.artifacts, Array(record.id.utf8), record.encoded())
    }

    /// Stores a changed record, moving its alias and parent indexes when they changed.
    public func save(_ transaction: borrowing LMDBTransaction, _ record: ArtifactRecord) throws {
        guard let previous = try self.record(transaction, id: record.id) else { throw IndexError.notFound("artifact \(record.id)") }
        if previous.workspace != record.workspace || previous.alias != record.alias {
            let aliasKey = Self.aliasKey(record.workspace, record.alias)
            guard try transaction.get(databases.artifactAliases, aliasKey) == nil else {
                throw IndexError.alreadyExists("artifact \(record.qualifiedID)")
            }
            _ = try transaction.delete(databases.artifactAliases, Self.aliasKey(previous.workspace, previous.alias))
            try transaction.put(databases.artifactAliases, aliasKey, Array(record.id.utf8))
            _ = try transaction.delete(databases.artifactWorkspaces, Self.pairKey(previous.workspace, record.id))
            try transaction.put(databases.artifactWorkspaces, Self.pairKey(record.workspace, record.id), [])
        }
        if previous.parentID != record.parentID {
            if let old = previous.parentID { _ = try transaction.delete(databases.artifactChildren, Self.pairKey(old, record.id)) }
            if let new = record.parentID { try transaction.put(databases.artifactChildren, Self.pairKey(new, record.id), []) }
        }
        try transaction.put(databases.artifacts, Array(record.id.utf8), record.encoded())
    }

    /// Forgets a record and its index entries (its files are the caller's to delete).
    public func remove(_ transaction: borrowing LMDBTransaction, _ record: ArtifactRecord) throws {
        _ = try transaction.delete(databases.artifacts, Array(record.id.utf8))
        _ = try transaction.delete(databases.artifactAliases, Self.aliasKey(record.workspace, record.alias))
        _ = try transaction.delete(databases.artifactWorkspaces, Self.pairKey(record.workspace, record.id))
        if let parent = record.parentID { _ = try transaction.delete(databases.artifactChildren, Self.pairKey(parent, record.id)) }
        if let staging = record.staging { try retire(transaction, id: record.id, generation: staging.generation) }
        _ = try transaction.delete(databases.artifactCounters, Array(record.id.utf8))
    }

    /// The internal ids under a prefix key of a pair index, in key order (ids are uuid7, so that
    /// is creation order), at most `limit`.
    private func ids(_ transaction: borrowing LMDBTransaction, _ database: LMDBDatabase, under owner: String, limit: Int) throws -> [String] {
        let prefix = Array(owner.utf8) + [0]
        return try transaction.withCursor(database) { cursor in
            var found = [String]()
            var entry = try cursor.seek(atOrAfter: prefix)
            while let current = entry, current.key.starts(with: prefix), found.count < limit {
                found.append(String(decoding: current.key.dropFirst(prefix.count), as: UTF8.self))
                entry = try cursor.next()
            }
            return found
        }
    }

    /// The children of a collection, oldest first.
    public func children(_ transaction: borrowing LMDBTransaction, of parentID: String, limit: Int = .max) throws -> [ArtifactRecord] {
        try ids(transaction, databases.artifactChildren, under: parentID, limit: limit).compactMap { try record(transaction, id: $0) }
    }

    public func childCount(_ transaction: borrowing LMDBTransaction, of parentID: String) throws -> Int {
        try ids(transaction, databases.artifactChildren, under: parentID, limit: .max).count
    }

    /// Every artifact of a workspace, oldest first.
    public func artifacts(_ transaction: borrowing LMDBTransaction, inWorkspace workspace: String) throws -> [ArtifactRecord] {
        try ids(transaction, databases.artifactWorkspaces, under: workspace, limit: .max).compactMap { try record(transaction, id: $0) }
    }

    // MARK: Staged files

    static func stagedKey(_ id: String, _ generation: UInt64, _ path: String) -> [UInt8] {
        Array(id.utf8) + [0] + KeyBytes.uint64(generation) + Array(path.utf8)
    }

    /// The files of a staging session, in the order they were staged.
    public func stagedFiles(_ transaction: borrowing LMDBTransaction, id: String, generation: UInt64) throws -> [StagedFile] {
        let prefix = Self.stagedKey(id, generation, "")
        let files = try transaction.withCursor(databases.artifactStaged) { cursor in
            var found = [StagedFile]()
            var entry = try cursor.seek(atOrAfter: prefix)
            while let current = entry, current.key.starts(with: prefix) {
                found.append(StagedFile(path: String(decoding: current.key.dropFirst(prefix.count), as: UTF8.self), decoding: current.value))
                entry = try cursor.next()
            }
            return found
        }
        return files.sorted { $0.order < $1.order }
    }

    public func stagedFile(_ transaction: borrowing LMDBTransaction, id: String, generation: UInt64, path: String) throws -> StagedFile? {
        try transaction.get(databases.artifactStaged, Self.stagedKey(id, generation, path)).map { StagedFile(path: path, decoding: $0) }
    }

    public func putStagedFile(_ transaction: borrowing LMDBTransaction, id: String, generation: UInt64, _ file: StagedFile) throws {
        try transaction.put(databases.artifactStaged, Self.stagedKey(id, generation, file.path), file.encoded())
    }

    public func deleteStagedFile(_ transaction: borrowing LMDBTransaction, id: String, generation: UInt64, path: String) throws {
        _ = try transaction.delete(databases.artifactStaged, Self.stagedKey(id, generation, path))
    }

    /// Drops every entry of a session.
    public func deleteStagedFiles(_ transaction: borrowing LMDBTransaction, id: String, generation: UInt64) throws {
        let prefix = Self.stagedKey(id, generation, "")
        try transaction.withCursor(databases.artifactStaged) { cursor in
            var entry = try cursor.seek(atOrAfter: prefix)
            while let current = entry, current.key.starts(with: prefix) {
                try cursor.deleteCurrent()
                entry = try cursor.seek(atOrAfter: prefix)
            }
        }
    }

    // MARK: Files (objects of the workspace bucket), inside the same transaction

    /// The current, visible version of `key` in `bucket`, or nil.
    public func objectVersion(_ transaction: borrowing LMDBTransaction, bucket: String, key: String, nowMilliseconds: Int64) throws -> ObjectVersion?
    {
        guard let objectKey = ObjectKey(validating: key), let bucketRecord = try catalog.bucket(transaction, named: bucket) else { return nil }
        guard let entry = try catalog.loadEntry(transaction, bucketID: bucketRecord.id, key: objectKey) else { return nil }
        let current = entry.current
        return current.isDeleteMarker || current.isExpired(atMilliseconds: nowMilliseconds) ? nil : current
    }

    /// Visible objects under `prefix`, in key order: their keys (after the prefix) and versions,
    /// at most `limit`.
    public func objects(
        _ transaction: borrowing LMDBTransaction, bucket: String, prefix: String, nowMilliseconds: Int64, limit: Int = .max
    ) throws -> [(path: String, version: ObjectVersion)] {
        guard let bucketRecord = try catalog.bucket(transaction, named: bucket) else { return [] }
        let prefixBytes = Array(prefix.utf8)
        var found = [(path: String, version: ObjectVersion)]()
        try catalog.keyTree.scan(transaction, root: bucketRecord.id, from: prefixBytes) { key, payload in
            guard key.starts(with: prefixBytes), found.count < limit else { return .stop }
            let entry = try ObjectEntry(decoding: payload)
            if !entry.current.isDeleteMarker, !entry.current.isExpired(atMilliseconds: nowMilliseconds) {
                found.append((String(decoding: key.dropFirst(prefixBytes.count), as: UTF8.self), entry.current))
            }
            return .next
        }
        return found
    }

    /// How many visible objects are under `prefix` (a cursor walk; no records are decoded beyond
    /// what visibility needs).
    public func countObjects(_ transaction: borrowing LMDBTransaction, bucket: String, prefix: String, nowMilliseconds: Int64) throws -> Int {
        guard let bucketRecord = try catalog.bucket(transaction, named: bucket) else { return 0 }
        let prefixBytes = Array(prefix.utf8)
        var count = 0
        try catalog.keyTree.scan(transaction, root: bucketRecord.id, from: prefixBytes) { key, payload in
            guard key.starts(with: prefixBytes) else { return .stop }
            let entry = try ObjectEntry(decoding: payload)
            if !entry.current.isDeleteMarker, !entry.current.isExpired(atMilliseconds: nowMilliseconds) { count += 1 }
            return .next
        }
        return count
    }

    /// Deletes an object (its blobs go to the collector when no one else refers to them).
    public func deleteObject(_ transaction: borrowing LMDBTransaction, bucket: String, key: String, owner: String, nowMilliseconds: Int64) throws {
        guard let objectKey = ObjectKey(validating: key) else { return }
        _ = try catalog.deleteObject(transaction, bucket: bucket, key: objectKey, versionID: nil, owner: owner, nowMilliseconds: nowMilliseconds)
    }

    /// Copies an object to another key without copying bytes (the copy refers to the same blobs).
    public func copyObject(_ transaction: borrowing LMDBTransaction, bucket: String, from source: String, to target: String, nowMilliseconds: Int64)
        throws
    {
        guard let sourceKey = ObjectKey(validating: source), let targetKey = ObjectKey(validating: target) else { return }
        var copy = try catalog.resolveVersion(transaction, bucket: bucket, key: sourceKey, versionID: nil, nowMilliseconds: nowMilliseconds)
        copy.lastModifiedMilliseconds = nowMilliseconds
        _ = try catalog.putObject(transaction, bucket: bucket, key: targetKey, version: copy, preconditions: .none, nowMilliseconds: nowMilliseconds)
    }

    /// Deletes every object under `prefix`, at most `limit` in this transaction; returns how many.
    public func deleteObjects(
        _ transaction: borrowing LMDBTransaction, bucket: String, prefix: String, owner: String, nowMilliseconds: Int64, limit: Int
    ) throws -> Int {
        let doomed = try objects(transaction, bucket: bucket, prefix: prefix, nowMilliseconds: nowMilliseconds, limit: limit)
        for item in doomed {
            try deleteObject(transaction, bucket: bucket, key: prefix + item.path, owner: owner, nowMilliseconds: nowMilliseconds)
        }
        return doomed.count
    }

    // MARK: Counters

    /// Adds view and download counts gathered in memory (the statistics flush), in one commit.
    /// `batch` numbers the flush: each record remembers the last batch it holds, so a reader that
    /// adds the counts still in flight never counts a batch twice or misses one.
    public func addCounts(_ deltas: [String: (views: Double, downloads: Double)], batch: UInt64) async throws {
        guard !deltas.isEmpty else { return }
        try await write { transaction in
            for (id, delta) in deltas {
                guard var record = try self.record(transaction, id: id) else { continue }
                record.viewCount += delta.views
                record.downloadCount += delta.downloads
                record.countsBatch = max(record.countsBatch, batch)
                try transaction.put(self.databases.artifacts, Array(id.utf8), record.encoded())
            }
        }
    }

    /// Every artifact id (for fsck).
    public func allIDs() throws -> [String] {
        try read { transaction in
            try transaction.withCursor(databases.artifacts) { cursor in
                var found = [String]()
                var entry = try cursor.first()
                while let current = entry {
                    found.append(String(decoding: current.key, as: UTF8.self))
                    entry = try cursor.next()
                }
                return found
            }
        }
    }
}

extension Catalog {
    /// The artifacts of the Hypha-style API.
    public var artifacts: ArtifactStore { ArtifactStore(catalog: self) }
}

/// What `spore fsck` finds in the artifact catalog: index entries that disagree with records, and
/// files left under an artifact that no longer exists (a crash while a delete released them).
public struct ArtifactAudit: Sendable {
    public var artifactCount = 0
    /// Human-readable descriptions of records whose indexes disagree.
    public var inconsistencies: [String] = []
    /// `{ws}/artifacts/{id}/` prefixes whose artifact is gone (or `…/v{slot}/` whose version is),
    /// with how many objects remain.
    public var orphanPrefixes: [(prefix: String, objectCount: Int)] = []
    /// Artifacts whose file counters disagree with their objects and staged files.
    public var miscounted: [String] = []

    public var isClean: Bool { inconsistencies.isEmpty && orphanPrefixes.isEmpty && miscounted.isEmpty }
}

extension ArtifactStore {
    /// Checks every record against its indexes and looks for files of gone artifacts in `bucket`.
    public func audit(bucket: String, nowMilliseconds: Int64) throws -> ArtifactAudit {
        try read { transaction in
            var audit = ArtifactAudit()
            var known = Set<String>()
            var homes = [String: String]()
            var liveSlots = [String: Set<Int>]()
            try transaction.withCursor(databases.artifacts) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    let id = String(decoding: current.key, as: UTF8.self)
                    known.insert(id)
                    audit.artifactCount += 1
                    do {
                        let record = try ArtifactRecord(decoding: current.value)
                        homes[id] = record.workspace
                        if try self.id(transaction, workspace: record.workspace, alias: record.alias) != id {
                            audit.inconsistencies.append("artifact \(id): alias \(record.qualifiedID) does not point to it")
                        }
                        if try transaction.get(databases.artifactWorkspaces, Self.pairKey(record.workspace, id)) == nil {
                            audit.inconsistencies.append("artifact \(id): missing from the index of workspace \(record.workspace)")
                        }
                        if let parent = record.parentID {
                            if try self.record(transaction, id: parent) == nil {
                                audit.inconsistencies.append("artifact \(id): parent \(parent) does not exist")
                            } else if try transaction.get(databases.artifactChildren, Self.pairKey(parent, id)) == nil {
                                audit.inconsistencies.append("artifact \(id): missing from the children of \(parent)")
                            }
                        }
                        let slots = record.versions.map(\.slot) + (record.staging.map { [$0.slot] } ?? [])
                        liveSlots[id] = Set(slots)
                        if Set(slots).count != slots.count || slots.contains(where: { $0 >= record.nextSlot }) {
                            audit.inconsistencies.append("artifact \(id): storage slots \(slots) overlap or pass \(record.nextSlot)")
                        }
                    } catch {
                        audit.inconsistencies.append("artifact \(id): record does not decode")
                    }
                    entry = try cursor.next()
                }
            }
            guard let bucketRecord = try catalog.bucket(transaction, named: bucket) else { return audit }
            var counts = [String: Int]()
            var slotCounts = [String: [Int: Int]]()
            try catalog.keyTree.scan(transaction, root: bucketRecord.id, from: []) { key, payload in
                let text = String(decoding: key, as: UTF8.self)
                let parts = text.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
                guard parts.count >= 4, parts[1] == "artifacts" else { return .next }
                let id = String(parts[2])
                // Files under another workspace's `artifacts/{id}/` are not that artifact's.
                if !known.contains(id) || homes[id].map({ $0 != parts[0] }) == true {
                    counts["\(parts[0])/artifacts/\(id)/", default: 0] += 1
                    return .next
                }
                // A slot no version (nor the staging session) holds: a version deleted while its
                // files were being released.
                let slotName = parts[3].split(separator: "/", maxSplits: 1).first ?? ""
                if slotName.hasPrefix("v"), let slot = Int(slotName.dropFirst()) {
                    if liveSlots[id]?.contains(slot) == false { counts["\(parts[0])/artifacts/\(id)/v\(slot)/", default: 0] += 1 }
                    // Slots count stored objects, expired or not, until the sweep removes them.
                    let entry = try ObjectEntry(decoding: payload)
                    if !entry.current.isDeleteMarker { slotCounts[id, default: [:]][slot, default: 0] += 1 }
                }
                return .next
            }
            audit.orphanPrefixes = counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            for id in known.sorted() {
                let stored = try self.counters(transaction, id: id)
                let actual = try self.expectedCounters(transaction, id: id, slotCounts: slotCounts[id] ?? [:])
                if stored.slotFileCounts.filter({ $0.value != 0 }) != actual.slotFileCounts || stored.pendingUploads != actual.pendingUploads {
                    audit.miscounted.append(id)
                }
            }
            return audit
        }
    }
}

extension ArtifactStore {
    /// Deletes every object under `prefix`, a batch per commit; answers how many.
    public func releaseObjects(bucket: String, prefix: String, owner: String, nowMilliseconds: Int64, batchCountMax: Int = 1000) async throws -> Int {
        var total = 0
        while true {
            let removed = try await write { transaction in
                try self.deleteObjects(
                    transaction, bucket: bucket, prefix: prefix, owner: owner, nowMilliseconds: nowMilliseconds, limit: batchCountMax)
            }
            total += removed
            if removed < batchCountMax { return total }
        }
    }
}

extension ArtifactStore {
    /// The counters an artifact should have: its objects per slot, and its staged files without
    /// an object.
    func expectedCounters(_ transaction: borrowing LMDBTransaction, id: String, slotCounts: [Int: Int]) throws -> ArtifactFileCounters {
        var counters = ArtifactFileCounters()
        counters.slotFileCounts = slotCounts.filter { $0.value != 0 }
        if let staging = try record(transaction, id: id)?.staging {
            counters.pendingUploads = try stagedFiles(transaction, id: id, generation: staging.generation).filter { !$0.isRemoval && !$0.isUploaded }.count
        }
        return counters
    }

    /// Recomputes an artifact's counters from its objects and staged files (`spore fsck --repair`),
    /// setting each staged file's upload state from its object.
    public func recount(id: String, bucket: String, nowMilliseconds: Int64) async throws {
        try await write { transaction in
            guard let record = try self.record(transaction, id: id) else { return }
            var slotCounts = [Int: Int]()
            let prefix = Array(record.storagePrefix.utf8)
            if let bucketRecord = try catalog.bucket(transaction, named: bucket) {
                try catalog.keyTree.scan(transaction, root: bucketRecord.id, from: prefix) { key, payload in
                    guard key.starts(with: prefix) else { return .stop }
                    let path = String(decoding: key.dropFirst(prefix.count), as: UTF8.self)
                    let slotName = path.split(separator: "/", maxSplits: 1).first ?? ""
                    if slotName.hasPrefix("v"), let slot = Int(slotName.dropFirst()), path.utf8.count > slotName.utf8.count + 1,
                        try !ObjectEntry(decoding: payload).current.isDeleteMarker
                    {
                        slotCounts[slot, default: 0] += 1
                    }
                    return .next
                }
            }
            if let staging = record.staging {
                for var file in try self.stagedFiles(transaction, id: id, generation: staging.generation) where !file.isRemoval {
                    file.isUploaded = try self.objectVersion(
                        transaction, bucket: bucket, key: record.slotPrefix(staging.slot) + file.path, nowMilliseconds: nowMilliseconds) != nil
                    try self.putStagedFile(transaction, id: id, generation: staging.generation, file)
                }
            }
            try self.saveCounters(transaction, id: id, try self.expectedCounters(transaction, id: id, slotCounts: slotCounts))
        }
    }
}
