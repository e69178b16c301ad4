import Synchronization
import SporeJSON

/// How many files each storage slot of an artifact holds, and how many staged files have no
/// object yet: kept in step by the object writes and deletes themselves (`fileChanged`, called by
/// the catalog in the same transaction), so a commit checks its files and counts them without
/// looking at each one, and takes the same time for ten files or a hundred thousand.
public struct ArtifactFileCounters: Sendable, Equatable {
    public var slotFileCounts: [Int: Int] = [:]
    /// Staged files (not removals) of the open session whose object does not exist.
    public var pendingUploads = 0

    public init() {}

    func encoded() -> [UInt8] {
        var slots = JSONObject()
        for (slot, count) in slotFileCounts.sorted(by: { $0.key < $1.key }) where count != 0 { slots[String(slot)] = .int(count) }
        return JSONValue.object(["slots": .object(slots), "pending": .int(pendingUploads)]).jsonBytes
    }

    init(decoding bytes: some Collection<UInt8>) {
        let value = try? JSONValue(parsing: bytes)
        for (slot, count) in value?["slots"]?.objectValue ?? JSONObject() {
            if let slot = Int(slot), let count = count.intValue { slotFileCounts[slot] = Int(count) }
        }
        pendingUploads = Int(value?["pending"]?.intValue ?? 0)
    }
}

extension ArtifactStore {
    /// Names the bucket whose `{ws}/artifacts/…` objects are artifact files.
    public func attach(bucket: String) { catalog.artifactBucket.withLock { $0 = bucket } }

    public func counters(_ transaction: borrowing LMDBTransaction, id: String) throws -> ArtifactFileCounters {
        try transaction.get(databases.artifactCounters, Array(id.utf8)).map(ArtifactFileCounters.init(decoding:)) ?? ArtifactFileCounters()
    }

    public func saveCounters(_ transaction: borrowing LMDBTransaction, id: String, _ counters: ArtifactFileCounters) throws {
        try transaction.put(databases.artifactCounters, Array(id.utf8), counters.encoded())
    }

    /// An artifact file (`{ws}/artifacts/{id}/v{slot}/{path}`) changed, in the writer's transaction:
    /// the slot's count moves by `countDelta` (a slot counts the stored objects that are not delete
    /// markers, expired or not, until the sweep removes them), and the staged file's upload state
    /// follows `present` (whether a readable object is there now).
    func fileChanged(_ transaction: borrowing LMDBTransaction, key: String, countDelta: Int, present: Bool) throws {
        let parts = key.split(separator: "/", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[1] == "artifacts", parts[3].hasPrefix("v"), let slot = Int(parts[3].dropFirst()), !parts[4].isEmpty
        else { return }
        let id = String(parts[2])
        // Only the artifact's own workspace holds its files: the same path under another
        // workspace (a workspace file anyone may write there) must not move its counters.
        guard let record = try record(transaction, id: id), record.workspace == parts[0] else { return }
        var counters = try counters(transaction, id: id)
        var changed = countDelta != 0
        if countDelta != 0 { counters.slotFileCounts[slot] = max(0, counters.slotFileCounts[slot, default: 0] + countDelta) }
        if let staging = record.staging, staging.slot == slot,
            var file = try stagedFile(transaction, id: id, generation: staging.generation, path: String(parts[4])), !file.isRemoval,
            file.isUploaded != present
        {
            file.isUploaded = present
            counters.pendingUploads = max(0, counters.pendingUploads + (present ? -1 : 1))
            try putStagedFile(transaction, id: id, generation: staging.generation, file)
            changed = true
        }
        if changed { try saveCounters(transaction, id: id, counters) }
    }

    // MARK: Retired staging sessions

    /// Leaves a finished session's staged-file entries to `sweepRetired`, so a commit or discard
    /// does not delete them one by one inside its own transaction.
    public func retire(_ transaction: borrowing LMDBTransaction, id: String, generation: UInt64) throws {
        try transaction.put(databases.artifactRetired, Array(id.utf8) + [0] + KeyBytes.uint64(generation), [])
    }

    /// Deletes the entries of retired sessions, at most `limit` per call (one commit); answers how
    /// many were deleted.
    public func sweepRetired(limit: Int) async throws -> Int {
        try await write { transaction in
            var deleted = 0
            var finished = [[UInt8]]()
            try transaction.withCursor(self.databases.artifactRetired) { retired in
                var entry = try retired.first()
                while let current = entry, deleted < limit {
                    let key = Array(current.key)
                    guard let separator = key.firstIndex(of: 0), key.count == separator + 9 else {
                        finished.append(key)
                        entry = try retired.next()
                        continue
                    }
                    let id = String(decoding: key[..<separator], as: UTF8.self)
                    let generation = KeyBytes.readUInt64(Array(key[(separator + 1)...]))
                    let prefix = Self.stagedKey(id, generation, "")
                    var done = true
                    try transaction.withCursor(self.databases.artifactStaged) { staged in
                        var item = try staged.seek(atOrAfter: prefix)
                        while let found = item, found.key.starts(with: prefix) {
                            guard deleted < limit else {
                                done = false
                                return
                            }
                            try staged.deleteCurrent()
                            deleted += 1
                            item = try staged.seek(atOrAfter: prefix)
                        }
                    }
                    if done { finished.append(key) }
                    entry = try retired.next()
                }
            }
            for key in finished { _ = try transaction.delete(self.databases.artifactRetired, key) }
            return deleted
        }
    }
}
