import BlobStore

/// What the index says about blobs, recomputed from the versions and parts themselves.
public struct ReferenceAudit: Sendable {
    /// Digest → number of chunks that refer to it (current and noncurrent versions, parts).
    public var computed: [BlobDigest: UInt64] = [:]
    /// Digest → the count recorded in `blobs`.
    public var recorded: [BlobDigest: UInt64] = [:]
    /// Recorded sizes, to check against the files.
    public var sizes: [BlobDigest: Int64] = [:]
    public var versionCount = 0
    public var partCount = 0

    /// Digests whose recorded count differs from the computed one.
    public var mismatches: [(digest: BlobDigest, recorded: UInt64, computed: UInt64)] {
        Set(computed.keys).union(recorded.keys).compactMap { digest in
            let (have, want) = (recorded[digest] ?? 0, computed[digest] ?? 0)
            return have == want && (recorded[digest] != nil || want == 0) ? nil : (digest, have, want)
        }.sorted { $0.digest < $1.digest }
    }
}

extension Catalog {
    /// Counts every chunk of every version and part, for fsck.
    public func auditReferences() throws -> ReferenceAudit {
        try read { transaction in
            var audit = ReferenceAudit()
            func count(_ chunks: [Chunk]) {
                for chunk in chunks { audit.computed[chunk.digest, default: 0] += 1 }
            }
            // Current versions live in the key tree; walking every entry of it sees all of them
            // (branches are skipped by their kind byte).
            try transaction.withCursor(databases.keys) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    if current.value.first == 1 {
                        let object = try ObjectEntry(decoding: current.value.dropFirst())
                        audit.versionCount += 1
                        count(object.current.body.chunks)
                    }
                    entry = try cursor.next()
                }
            }
            try transaction.withCursor(databases.versions) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    audit.versionCount += 1
                    count(try ObjectVersion(decoding: current.value).body.chunks)
                    entry = try cursor.next()
                }
            }
            try transaction.withCursor(databases.parts) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    audit.partCount += 1
                    count(try UploadPart(decoding: current.value).chunks)
                    entry = try cursor.next()
                }
            }
            try transaction.withCursor(databases.blobs) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    let digest = BlobDigest(bytes: current.key)
                    if let record = try references.record(transaction, digest) {
                        audit.recorded[digest] = record.referenceCount
                        audit.sizes[digest] = record.byteCount
                    }
                    entry = try cursor.next()
                }
            }
            return audit
        }
    }

    /// Sets recorded reference counts to the computed ones (fsck --repair, daemon stopped).
    public func repairReferences(_ audit: ReferenceAudit, nowMilliseconds: Int64) async throws -> Int {
        let databases = self.databases
        let references = self.references
        let fixes = audit.mismatches
        return try await writer.write { transaction in
            for fix in fixes {
                var record =
                    try references.record(transaction, fix.digest)
                    ?? BlobReferences.Record(referenceCount: 0, byteCount: audit.sizes[fix.digest] ?? 0, zeroSinceMilliseconds: nil)
                if let since = record.zeroSinceMilliseconds {
                    try transaction.delete(databases.garbage, BlobReferences.garbageKey(since, fix.digest))
                    record.zeroSinceMilliseconds = nil
                }
                record.referenceCount = fix.computed
                if fix.computed == 0 {
                    record.zeroSinceMilliseconds = nowMilliseconds
                    try transaction.put(databases.garbage, BlobReferences.garbageKey(nowMilliseconds, fix.digest), [])
                }
                try references.store(transaction, fix.digest, record)
            }
            return fixes.count
        }
    }
}
