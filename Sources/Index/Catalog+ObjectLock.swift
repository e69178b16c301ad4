extension ObjectStore {
    /// Sets (or with nil removes) a version's retention, the current version without `versionID`,
    /// as `ObjectLockRules.change` allows; a refusal throws `objectLocked` and changes nothing.
    /// Returns the version as stored.
    public func setRetention(
        bucket name: String, key: ObjectKey, versionID: VersionID?, retention: Retention?, bypassGovernance: Bool, nowMilliseconds: Int64
    ) async throws -> ObjectVersion {
        try await updateVersion(bucket: name, key: key, versionID: versionID, operation: "PutObjectRetention") { version in
            if let refusal = ObjectLockRules.change(
                from: version.retention, to: retention, nowMilliseconds: nowMilliseconds, bypassGovernance: bypassGovernance)
            {
                throw IndexError.objectLocked(refusal)
            }
            version.retention = retention
        }
    }

    /// Turns a version's legal hold on or off (anyone allowed `s3:PutObjectLegalHold` may do both).
    public func setLegalHold(bucket name: String, key: ObjectKey, versionID: VersionID?, on: Bool) async throws -> ObjectVersion {
        try await updateVersion(bucket: name, key: key, versionID: versionID, operation: "PutObjectLegalHold") { version in
            version.legalHold = on
        }
    }

    /// Changes one version's record in place (the current version without `versionID`); delete
    /// markers are refused as `deleteMarker(operation:)`.
    func updateVersion(
        bucket name: String, key: ObjectKey, versionID: VersionID?, operation: String,
        _ change: @escaping @Sendable (inout ObjectVersion) throws -> Void
    ) async throws -> ObjectVersion {
        let databases = self.databases
        return try await writer.write { transaction in
            let bucket = try self.catalog.requireBucket(transaction, named: name)
            guard var entry = try self.catalog.loadEntry(transaction, bucketID: bucket.id, key: key) else {
                if let versionID { throw IndexError.noSuchVersion(bucket: name, key: key.value, versionID: versionID.rawValue) }
                throw IndexError.noSuchKey(bucket: name, key: key.value)
            }
            if versionID == nil || versionID == entry.current.versionID {
                guard !entry.current.isDeleteMarker else { throw IndexError.deleteMarker(operation: operation) }
                try change(&entry.current)
                try self.catalog.keyTree.put(transaction, root: bucket.id, key: key.bytes, payload: entry.encoded()) {
                    try self.allocateID(transaction)
                }
                return entry.current
            }
            guard let versionID, var version = try self.catalog.noncurrentVersion(transaction, keyID: entry.keyID, versionID: versionID) else {
                throw IndexError.noSuchVersion(bucket: name, key: key.value, versionID: versionID?.rawValue ?? "")
            }
            guard !version.isDeleteMarker else { throw IndexError.deleteMarker(operation: operation) }
            try change(&version)
            try transaction.put(databases.versions, Catalog.versionKey(entry.keyID, version.sequence), version.encoded())
            return version
        }
    }
}
