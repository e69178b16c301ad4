/// Lifecycle rules and the queue that enforces them.
///
/// Every version a rule will act on has an entry in `lifecycle-queue` keyed by the time it is due,
/// so the sweeper reads only what is due: its cost grows with what expires, not with what is stored.
/// Entries are hints: when one comes due the sweeper checks the version and the rules again, so
/// changed rules and versions removed in the meantime are handled.
extension Catalog {
    static let lifecycleSetting = "lifecycle"

    enum LifecycleTask: UInt8 {
        /// The current version expires (unversioned: removed; versioned: a delete marker is written).
        case expireCurrent = 1
        /// A noncurrent version expires and is removed.
        case expireNoncurrent = 2
        /// A delete marker that may be the last version of its key.
        case expireDeleteMarker = 3
    }

    /// The bucket's lifecycle rules, or nil when it has none.
    public func lifecycleRules(bucket name: String) throws -> [LifecycleRule]? {
        try buckets.bucketSetting(bucket: name, Self.lifecycleSetting).map { try LifecycleRule.decode($0) }
    }

    /// The bucket's rules as a policy with this catalog's day length.
    public func lifecyclePolicy(bucket name: String) throws -> LifecyclePolicy? {
        try lifecycleRules(bucket: name).map { LifecyclePolicy(rules: $0, dayMilliseconds: lifecycleDayMilliseconds) }
    }

    func lifecyclePolicy(_ transaction: borrowing LMDBTransaction, bucketID: UInt64) throws -> LifecyclePolicy? {
        guard let bytes = try transaction.get(databases.settings, Self.settingKey(bucketID, Self.lifecycleSetting)) else { return nil }
        return LifecyclePolicy(rules: try LifecycleRule.decode(bytes), dayMilliseconds: lifecycleDayMilliseconds)
    }

    /// Sets (or with nil removes) a bucket's rules and schedules what they say about every version
    /// already stored: one pass over the bucket now, so that the sweeper never has to scan.
    public func setLifecycleRules(bucket name: String, _ rules: [LifecycleRule]?, nowMilliseconds: Int64) async throws {
        let databases = self.databases
        try await writer.write { transaction in
            let bucket = try self.requireBucket(transaction, named: name)
            let key = Self.settingKey(bucket.id, Self.lifecycleSetting)
            guard let rules else {
                try transaction.delete(databases.settings, key)
                return
            }
            try transaction.put(databases.settings, key, LifecycleRule.encode(rules))
            let policy = LifecyclePolicy(rules: rules, dayMilliseconds: self.lifecycleDayMilliseconds)
            var keys = [[UInt8]]()
            try self.keyTree.scan(transaction, root: bucket.id, from: []) { key, _ in
                keys.append(key)
                return .next
            }
            for keyBytes in keys {
                guard let objectKey = ObjectKey(bytes: keyBytes) else { continue }
                try self.scheduleAll(transaction, bucket: bucket, key: objectKey, policy: policy, nowMilliseconds: nowMilliseconds)
            }
        }
    }

    /// Queues what the rules say about every version of one key.
    func scheduleAll(_ transaction: borrowing LMDBTransaction, bucket: BucketRecord, key: ObjectKey, policy: LifecyclePolicy, nowMilliseconds: Int64)
        throws
    {
        guard let entry = try loadEntry(transaction, bucketID: bucket.id, key: key) else { return }
        if let due = policy.expiration(key: key.value, version: entry.current) {
            try enqueue(transaction, .expireCurrent, due: due.atMilliseconds, sequence: entry.current.sequence, bucketID: bucket.id, key: key)
        }
        var successor = entry.current
        let noncurrent = try noncurrentVersions(transaction, keyID: entry.keyID)
        for version in noncurrent {
            if let due = policy.noncurrentExpiration(key: key.value, version: version, since: successor.lastModifiedMilliseconds) {
                try enqueue(transaction, .expireNoncurrent, due: due.atMilliseconds, sequence: version.sequence, bucketID: bucket.id, key: key)
            }
            successor = version
        }
        if entry.current.isDeleteMarker, noncurrent.isEmpty, let due = policy.deleteMarkerExpiration(key: key.value, marker: entry.current) {
            try enqueue(
                transaction, .expireDeleteMarker, due: max(due, nowMilliseconds), sequence: entry.current.sequence, bucketID: bucket.id, key: key)
        }
    }

    /// After a write to a key: queue the new current version and the version it made noncurrent.
    func scheduleAfterWrite(_ transaction: borrowing LMDBTransaction, bucket: BucketRecord, key: ObjectKey, nowMilliseconds: Int64) throws {
        guard let policy = try lifecyclePolicy(transaction, bucketID: bucket.id),
            let entry = try loadEntry(transaction, bucketID: bucket.id, key: key)
        else { return }
        if let due = policy.expiration(key: key.value, version: entry.current) {
            try enqueue(transaction, .expireCurrent, due: due.atMilliseconds, sequence: entry.current.sequence, bucketID: bucket.id, key: key)
        }
        let noncurrent = try noncurrentVersions(transaction, keyID: entry.keyID)
        if let demoted = noncurrent.first,
            let due = policy.noncurrentExpiration(key: key.value, version: demoted, since: entry.current.lastModifiedMilliseconds)
        {
            try enqueue(transaction, .expireNoncurrent, due: due.atMilliseconds, sequence: demoted.sequence, bucketID: bucket.id, key: key)
        }
        if entry.current.isDeleteMarker, noncurrent.isEmpty, let due = policy.deleteMarkerExpiration(key: key.value, marker: entry.current) {
            try enqueue(
                transaction, .expireDeleteMarker, due: max(due, nowMilliseconds), sequence: entry.current.sequence, bucketID: bucket.id, key: key)
        }
    }

    private func enqueue(
        _ transaction: borrowing LMDBTransaction, _ task: LifecycleTask, due: Int64, sequence: UInt64, bucketID: UInt64, key: ObjectKey
    ) throws {
        let queueKey = KeyBytes.uint64(UInt64(bitPattern: max(due, 0))) + KeyBytes.uint64(sequence) + [task.rawValue]
        try transaction.put(databases.lifecycleQueue, queueKey, KeyBytes.uint64(bucketID) + key.bytes)
    }

    /// Carries out the lifecycle tasks due at `now` (at most `limit`). Returns how many versions it
    /// expired or removed.
    public func sweepLifecycle(nowMilliseconds: Int64, limit: Int) async throws -> Int {
        let databases = self.databases
        return try await writer.write { transaction in
            var due = [(key: [UInt8], value: [UInt8])]()
            try transaction.withCursor(databases.lifecycleQueue) { cursor in
                var entry = try cursor.first()
                while let current = entry, due.count < limit, Int64(bitPattern: KeyBytes.readUInt64(current.key)) <= nowMilliseconds {
                    due.append(current)
                    entry = try cursor.next()
                }
            }
            var acted = 0
            for (queueKey, value) in due {
                try transaction.delete(databases.lifecycleQueue, queueKey)
                let sequence = KeyBytes.readUInt64(queueKey.dropFirst(8))
                guard let task = LifecycleTask(rawValue: queueKey[16]),
                    let bucket = try self.bucket(transaction, id: KeyBytes.readUInt64(value)),
                    let key = ObjectKey(bytes: Array(value.dropFirst(8))),
                    let policy = try self.lifecyclePolicy(transaction, bucketID: bucket.id),
                    let entry = try self.loadEntry(transaction, bucketID: bucket.id, key: key)
                else { continue }
                do {
                    let performed = try transaction.nested { child in
                        try self.perform(
                            child, task, sequence: sequence, bucket: bucket, key: key, entry: entry, policy: policy, nowMilliseconds: nowMilliseconds)
                    }
                    if performed { acted += 1 }
                } catch IndexError.objectLocked {
                    // Object Lock outranks lifecycle: look again when the protection may have ended.
                    let version = try ([entry.current] + self.noncurrentVersions(transaction, keyID: entry.keyID)).first { $0.sequence == sequence }
                    try self.enqueue(
                        transaction, task,
                        due: Self.lockRecheck(version, nowMilliseconds: nowMilliseconds, dayMilliseconds: self.lifecycleDayMilliseconds),
                        sequence: sequence, bucketID: bucket.id, key: key)
                }
            }
            return acted
        }
    }

    private func perform(
        _ transaction: borrowing LMDBTransaction, _ task: LifecycleTask, sequence: UInt64, bucket: BucketRecord, key: ObjectKey,
        entry: ObjectEntry, policy: LifecyclePolicy, nowMilliseconds: Int64
    ) throws -> Bool {
        switch task {
        case .expireCurrent:
            guard entry.current.sequence == sequence, let due = policy.expiration(key: key.value, version: entry.current),
                due.atMilliseconds <= nowMilliseconds
            else { return false }
            // Unversioned: the object goes; versioned: a delete marker is written, as on AWS.
            _ = try deleteObject(
                transaction, bucket: bucket.name, key: key, versionID: nil, owner: entry.current.owner, nowMilliseconds: nowMilliseconds)
            return true
        case .expireNoncurrent:
            let noncurrent = try noncurrentVersions(transaction, keyID: entry.keyID)
            guard let index = noncurrent.firstIndex(where: { $0.sequence == sequence }) else { return false }
            let successor = index == 0 ? entry.current : noncurrent[index - 1]
            guard let due = policy.noncurrentExpiration(key: key.value, version: noncurrent[index], since: successor.lastModifiedMilliseconds),
                due.atMilliseconds <= nowMilliseconds
            else { return false }
            guard index >= due.keepNewest else {
                // Kept as one of the newest noncurrent versions; look again after another day.
                try enqueue(
                    transaction, .expireNoncurrent, due: nowMilliseconds + lifecycleDayMilliseconds, sequence: sequence, bucketID: bucket.id, key: key
                )
                return false
            }
            _ = try deleteObject(
                transaction, bucket: bucket.name, key: key, versionID: noncurrent[index].versionID, owner: entry.current.owner,
                nowMilliseconds: nowMilliseconds)
            try scheduleAfterWrite(transaction, bucket: bucket, key: key, nowMilliseconds: nowMilliseconds)
            return true
        case .expireDeleteMarker:
            guard entry.current.isDeleteMarker, entry.current.sequence == sequence,
                let due = policy.deleteMarkerExpiration(key: key.value, marker: entry.current), due <= nowMilliseconds,
                try noncurrentVersions(transaction, keyID: entry.keyID).isEmpty
            else { return false }
            _ = try deleteObject(
                transaction, bucket: bucket.name, key: key, versionID: entry.current.versionID, owner: entry.current.owner,
                nowMilliseconds: nowMilliseconds)
            return true
        }
    }

    /// Removes versions whose TTL has passed (at most `limit`); readers stopped seeing them at that
    /// moment already. Returns how many were removed.
    public func sweepExpired(nowMilliseconds: Int64, limit: Int) async throws -> Int {
        let databases = self.databases
        return try await writer.write { transaction in
            var due = [(key: [UInt8], value: [UInt8])]()
            try transaction.withCursor(databases.expiry) { cursor in
                var entry = try cursor.first()
                while let current = entry, due.count < limit, Int64(bitPattern: KeyBytes.readUInt64(current.key)) <= nowMilliseconds {
                    due.append(current)
                    entry = try cursor.next()
                }
            }
            var removed = 0
            for (expiryKey, value) in due {
                let sequence = KeyBytes.readUInt64(expiryKey.dropFirst(8))
                guard let bucket = try self.bucket(transaction, id: KeyBytes.readUInt64(value)),
                    let key = ObjectKey(bytes: Array(value.dropFirst(8))),
                    let entry = try self.loadEntry(transaction, bucketID: bucket.id, key: key)
                else {
                    try transaction.delete(databases.expiry, expiryKey)
                    continue
                }
                let versions = [entry.current] + (try self.noncurrentVersions(transaction, keyID: entry.keyID))
                guard let version = versions.first(where: { $0.sequence == sequence }) else {
                    try transaction.delete(databases.expiry, expiryKey)
                    continue
                }
                do {
                    _ = try transaction.nested { child in
                        try self.deleteObject(
                            child, bucket: bucket.name, key: key, versionID: version.versionID, owner: version.owner, nowMilliseconds: nowMilliseconds
                        )
                    }
                    removed += 1
                } catch IndexError.objectLocked {
                    // A TTL does not outrank Object Lock: the version stays (and readers keep seeing it,
                    // `isExpired` says so) until its protection ends; then the TTL takes it.
                    let recheck = Self.lockRecheck(version, nowMilliseconds: nowMilliseconds, dayMilliseconds: 86_400_000)
                    try transaction.put(databases.expiry, Self.expiryKey(recheck, version.sequence), value)
                }
                // Removing the version released its expiry entry; make sure of it.
                try transaction.delete(databases.expiry, expiryKey)
            }
            return removed
        }
    }

    /// Incomplete uploads that a bucket's AbortIncompleteMultipartUpload rule says to abort.
    public func abortUploadsByLifecycle(nowMilliseconds: Int64, limit: Int) async throws -> Int {
        let databases = self.databases
        let day = lifecycleDayMilliseconds
        return try await writer.write { transaction in
            var candidates = [[UInt8]]()
            try transaction.withCursor(databases.uploadTimes) { cursor in
                var entry = try cursor.first()
                // Uploads younger than a day cannot be due under any rule.
                while let current = entry, candidates.count < limit, Int64(bitPattern: KeyBytes.readUInt64(current.key)) <= nowMilliseconds - day {
                    candidates.append(Array(current.key.dropFirst(8)))
                    entry = try cursor.next()
                }
            }
            var aborted = 0
            for idBytes in candidates {
                guard let location = try transaction.get(databases.uploadIDs, idBytes),
                    let policy = try self.lifecyclePolicy(transaction, bucketID: KeyBytes.readUInt64(location))
                else { continue }
                let bucketID = KeyBytes.readUInt64(location)
                let key = String(decoding: location.dropFirst(8), as: UTF8.self)
                guard let days = policy.abortDays(key: key),
                    let payload = try self.uploadTree.get(transaction, root: bucketID, key: Self.uploadTreeKey(key, UploadID(bytes: idBytes)))
                else { continue }
                let upload = try MultipartUpload(decoding: payload)
                guard upload.initiatedMilliseconds + Int64(days) * day <= nowMilliseconds else { continue }
                try self.removeUpload(transaction, bucketID: bucketID, upload: upload, nowMilliseconds: nowMilliseconds)
                aborted += 1
            }
            return aborted
        }
    }

    /// When to look again at a version Object Lock kept: when its retention ends, or (under a
    /// legal hold, which has no end date) after a day.
    static func lockRecheck(_ version: ObjectVersion?, nowMilliseconds: Int64, dayMilliseconds: Int64) -> Int64 {
        guard let version, !version.legalHold, let until = version.retention?.untilMilliseconds, until > nowMilliseconds else {
            return nowMilliseconds + dayMilliseconds
        }
        return until + 1
    }
}
