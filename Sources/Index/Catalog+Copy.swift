import BlobStore

extension ObjectStore {
    /// Copies a version to a new key without copying bytes: the new version refers to the same
    /// blobs (or repeats the inline bytes). The source is read in the same transaction that writes
    /// the copy, so its blobs cannot be collected in between. `transform` turns the source version
    /// into the new one (metadata directive, conditions); it runs on the writer thread.
    public func copyObject(
        from source: (bucket: String, key: ObjectKey, versionID: VersionID?), to bucket: String, key: ObjectKey,
        preconditions: WritePreconditions, nowMilliseconds: Int64,
        transform: @escaping @Sendable (ObjectVersion) throws -> ObjectVersion
    ) async throws -> (source: ObjectVersion, copy: ObjectVersion) {
        try await writer.write { transaction in
            let original = try self.catalog.resolveVersion(
                transaction, bucket: source.bucket, key: source.key, versionID: source.versionID, nowMilliseconds: nowMilliseconds)
            var copy = try transform(original)
            copy.lastModifiedMilliseconds = nowMilliseconds
            let stored = try self.catalog.putObject(
                transaction, bucket: bucket, key: key, version: copy, preconditions: preconditions, nowMilliseconds: nowMilliseconds)
            return (original, stored)
        }
    }

    /// A version by key and optional version id, for reads outside a write.
    public func version(bucket name: String, key: ObjectKey, versionID: VersionID?, nowMilliseconds: Int64) throws -> ObjectVersion {
        try read { transaction in
            try catalog.resolveVersion(transaction, bucket: name, key: key, versionID: versionID, nowMilliseconds: nowMilliseconds)
        }
    }

    /// The MD5 recorded for a blob at ingest, if any.
    public func blobMD5(_ digest: BlobDigest) throws -> [UInt8]? {
        try read { transaction in try catalog.references.record(transaction, digest)?.md5 }
    }
}

extension Catalog {
    /// The version a read or copy of (key, versionID) means, or the S3 error for it.
    func resolveVersion(
        _ transaction: borrowing LMDBTransaction, bucket name: String, key: ObjectKey, versionID: VersionID?, nowMilliseconds: Int64
    ) throws -> ObjectVersion {
        let bucket = try requireBucket(transaction, named: name)
        guard let entry = try loadEntry(transaction, bucketID: bucket.id, key: key) else {
            if let versionID { throw IndexError.noSuchVersion(bucket: name, key: key.value, versionID: versionID.rawValue) }
            throw IndexError.noSuchKey(bucket: name, key: key.value)
        }
        var version = entry.current
        if let versionID, versionID != entry.current.versionID {
            guard let found = try noncurrentVersions(transaction, keyID: entry.keyID).first(where: { $0.versionID == versionID }) else {
                throw IndexError.noSuchVersion(bucket: name, key: key.value, versionID: versionID.rawValue)
            }
            version = found
        }
        if version.isExpired(atMilliseconds: nowMilliseconds) { throw IndexError.noSuchKey(bucket: name, key: key.value) }
        if version.isDeleteMarker {
            if versionID != nil {
                throw IndexError.invalidRequest("The source of a copy request may not specifically refer to a delete marker by version id.")
            }
            throw IndexError.noSuchKey(bucket: name, key: key.value)
        }
        return version
    }
}
