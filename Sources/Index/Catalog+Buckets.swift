extension BucketStore {
    /// Creates a bucket owned by `owner`, with the ACL and object ownership asked for at creation.
    public func createBucket(
        _ name: BucketName, owner: String, location: String?, objectLockEnabled: Bool = false, acl: AccessControlList? = nil,
        ownership: String? = nil, nowMilliseconds: Int64
    ) async throws -> BucketRecord {
        let databases = self.databases
        return try await writer.write { transaction in
            let key = Array(name.value.utf8)
            if let bytes = try transaction.get(databases.buckets, key) {
                let existing = try BucketRecord(name: name.value, decoding: bytes)
                if existing.owner == owner { throw IndexError.bucketOwnedByCaller(name.value) }
                throw IndexError.bucketOwnedByAnother(name.value)
            }
            var record = BucketRecord(
                id: try self.allocateID(transaction), name: name.value, owner: owner,
                createdAtMilliseconds: nowMilliseconds, versioning: objectLockEnabled ? .enabled : .unversioned,
                location: location, objectLockEnabled: objectLockEnabled
            )
            record.acl = acl
            record.ownership = ownership
            try transaction.put(databases.buckets, key, record.encoded())
            try transaction.put(databases.bucketNames, KeyBytes.uint64(record.id), key)
            return record
        }
    }

    /// The bucket called `name`, or nil.
    public func bucket(named name: String) throws -> BucketRecord? {
        try read { transaction in try catalog.bucket(transaction, named: name) }
    }

    /// Every bucket, in name order.
    public func list() throws -> [BucketRecord] {
        try read { transaction in
            try transaction.withCursor(databases.buckets) { cursor in
                var records = [BucketRecord]()
                var entry = try cursor.first()
                while let current = entry {
                    records.append(try BucketRecord(name: String(decoding: current.key, as: UTF8.self), decoding: current.value))
                    entry = try cursor.next()
                }
                return records
            }
        }
    }

    /// Deletes an empty bucket and its settings.
    public func deleteBucket(named name: String) async throws {
        let (databases, keyTree) = (self.databases, self.catalog.keyTree)
        try await writer.write { transaction in
            let record = try self.catalog.requireBucket(transaction, named: name)
            guard try keyTree.isEmpty(transaction, group: record.id) else { throw IndexError.bucketNotEmpty(name) }
            guard try !self.catalog.hasUploads(transaction, bucketID: record.id) else { throw IndexError.bucketNotEmpty(name) }
            try self.catalog.removeSettings(transaction, bucketID: record.id)
            try transaction.delete(databases.buckets, Array(name.utf8))
            try transaction.delete(databases.bucketNames, KeyBytes.uint64(record.id))
        }
    }

    /// Changes a bucket record (ACL, policy, access block, ownership, CORS) in one write.
    @discardableResult
    public func updateBucket(named name: String, _ change: @escaping @Sendable (inout BucketRecord) throws -> Void) async throws -> BucketRecord {
        let databases = self.databases
        return try await writer.write { transaction in
            var record = try self.catalog.requireBucket(transaction, named: name)
            try change(&record)
            try transaction.put(databases.buckets, Array(name.utf8), record.encoded())
            return record
        }
    }

    /// Changes a bucket's versioning state. Once enabled, a bucket never returns to unversioned.
    public func setVersioning(bucket name: String, _ state: VersioningState) async throws {
        precondition(state != .unversioned, "versioning can be enabled or suspended, never removed")
        let databases = self.databases
        try await writer.write { transaction in
            var record = try self.catalog.requireBucket(transaction, named: name)
            // Checked in the write: Object Lock may have been enabled since the caller looked.
            if state == .suspended, record.objectLockEnabled {
                throw IndexError.invalidRequest("versioning cannot be suspended on a bucket with Object Lock")
            }
            record.versioning = state
            try transaction.put(databases.buckets, Array(name.utf8), record.encoded())
        }
    }

    /// The document stored for `setting` on a bucket, or nil.
    public func bucketSetting(bucket name: String, _ setting: String) throws -> [UInt8]? {
        try read { transaction in
            let record = try catalog.requireBucket(transaction, named: name)
            return try transaction.get(databases.settings, Catalog.settingKey(record.id, setting))
        }
    }

    /// Stores (or with nil removes) the document for `setting` on a bucket.
    public func setBucketSetting(bucket name: String, _ setting: String, _ document: [UInt8]?) async throws {
        let databases = self.databases
        try await writer.write { transaction in
            let record = try self.catalog.requireBucket(transaction, named: name)
            let key = Catalog.settingKey(record.id, setting)
            if let document {
                try transaction.put(databases.settings, key, document)
            } else {
                try transaction.delete(databases.settings, key)
            }
        }
    }

    /// Every setting of a bucket whose name starts with `prefix`, by name.
    public func bucketSettings(bucket name: String, prefix: String) throws -> [(name: String, document: [UInt8])] {
        try read { transaction in
            let record = try catalog.requireBucket(transaction, named: name)
            let start = Catalog.settingKey(record.id, prefix)
            return try transaction.withCursor(databases.settings) { cursor in
                var found = [(name: String, document: [UInt8])]()
                var entry = try cursor.seek(atOrAfter: start)
                while let current = entry, current.key.starts(with: start) {
                    found.append((String(decoding: current.key.dropFirst(8), as: UTF8.self), Array(current.value)))
                    entry = try cursor.next()
                }
                return found
            }
        }
    }
}

extension Catalog {
    func bucket(_ transaction: borrowing LMDBTransaction, named name: String) throws -> BucketRecord? {
        guard let bytes = try transaction.get(databases.buckets, Array(name.utf8)) else { return nil }
        return try BucketRecord(name: name, decoding: bytes)
    }

    func bucket(_ transaction: borrowing LMDBTransaction, id: UInt64) throws -> BucketRecord? {
        guard let name = try transaction.get(databases.bucketNames, KeyBytes.uint64(id)) else { return nil }
        return try bucket(transaction, named: String(decoding: name, as: UTF8.self))
    }

    func requireBucket(_ transaction: borrowing LMDBTransaction, named name: String) throws -> BucketRecord {
        guard let record = try bucket(transaction, named: name) else { throw IndexError.noSuchBucket(name) }
        return record
    }

    // MARK: Bucket settings (policy, CORS, lifecycle, tagging …), stored as opaque documents.

    static func settingKey(_ bucketID: UInt64, _ setting: String) -> [UInt8] {
        KeyBytes.uint64(bucketID) + Array(setting.utf8)
    }

    func removeSettings(_ transaction: borrowing LMDBTransaction, bucketID: UInt64) throws {
        let prefix = KeyBytes.uint64(bucketID)
        try transaction.withCursor(databases.settings) { cursor in
            var entry = try cursor.seek(atOrAfter: prefix)
            while let current = entry, current.key.starts(with: prefix) {
                try cursor.deleteCurrent()
                entry = try cursor.seek(atOrAfter: prefix)
            }
        }
    }

    func hasUploads(_ transaction: borrowing LMDBTransaction, bucketID: UInt64) throws -> Bool {
        try !uploadTree.isEmpty(transaction, group: bucketID)
    }
}
