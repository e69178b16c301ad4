import BlobStore

extension Catalog {
    /// Blobs whose reference count reached zero before `cutoff`, oldest first.
    public func garbage(before cutoff: Int64, limit: Int) throws -> [(digest: BlobDigest, zeroSinceMilliseconds: Int64)] {
        try read { transaction in
            try transaction.withCursor(databases.garbage) { cursor in
                var found = [(digest: BlobDigest, zeroSinceMilliseconds: Int64)]()
                var entry = try cursor.first()
                while let current = entry, found.count < limit {
                    let since = Int64(bitPattern: KeyBytes.readUInt64(current.key))
                    guard since < cutoff else { break }
                    found.append((BlobDigest(bytes: current.key.dropFirst(8)), since))
                    entry = try cursor.next()
                }
                return found
            }
        }
    }

    /// Forgets a blob if it is still unreferenced since `zeroSinceMilliseconds`; returns whether it
    /// did. The collector deletes the file only after this returns true.
    public func forgetBlob(_ digest: BlobDigest, zeroSinceMilliseconds: Int64) async throws -> Bool {
        let (databases, references) = (self.databases, self.references)
        return try await writer.write { transaction in
            guard let record = try references.record(transaction, digest), record.referenceCount == 0,
                record.zeroSinceMilliseconds == zeroSinceMilliseconds
            else { return false }
            try transaction.delete(databases.blobs, digest.bytes)
            try transaction.delete(databases.garbage, BlobReferences.garbageKey(zeroSinceMilliseconds, digest))
            try references.addBlobBytes(transaction, -record.byteCount)
            return true
        }
    }

    /// Digests among `candidates` that the index has no record of at all (orphans).
    public func unknownBlobs(_ candidates: [BlobDigest]) throws -> [BlobDigest] {
        try read { transaction in
            try candidates.filter { try transaction.get(databases.blobs, $0.bytes) == nil }
        }
    }

    /// Reference counts the index holds, for fsck: digest → count.
    public func referenceCounts() throws -> [BlobDigest: UInt64] {
        try read { transaction in
            try transaction.withCursor(databases.blobs) { cursor in
                var counts = [BlobDigest: UInt64]()
                var entry = try cursor.first()
                while let current = entry {
                    if let record = try references.record(transaction, BlobDigest(bytes: current.key)) {
                        counts[BlobDigest(bytes: current.key)] = record.referenceCount
                    }
                    entry = try cursor.next()
                }
                return counts
            }
        }
    }
}

extension Catalog {
    /// Blobs the index knows, in digest order after `after` (from the start when nil), at most `limit`.
    public func blobs(after: BlobDigest?, limit: Int) throws -> [(digest: BlobDigest, byteCount: Int64, referenceCount: UInt64)] {
        try read { transaction in
            try transaction.withCursor(databases.blobs) { cursor in
                var found = [(digest: BlobDigest, byteCount: Int64, referenceCount: UInt64)]()
                var entry = try after.map { try cursor.seek(atOrAfter: $0.bytes) } ?? cursor.first()
                if let after, entry?.key == after.bytes { entry = try cursor.next() }
                while let current = entry, found.count < limit {
                    let digest = BlobDigest(bytes: current.key)
                    if let record = try references.record(transaction, digest) {
                        found.append((digest, record.byteCount, record.referenceCount))
                    }
                    entry = try cursor.next()
                }
                return found
            }
        }
    }
}
