import BlobStore
import Synchronization

/// The index's side of packed blobs: a packed blob's location lives in its reference record, so
/// versions name blobs by digest only and moving a blob rewrites one record.
extension Catalog: BlobLocator {
    /// Connects the blob store whose just-placed blobs new references take their location from.
    public func attach(placements: any BlobPlacements) {
        placementsBox.withLock { $0 = placements }
    }

    /// Connects a local blob store both ways, so that it packs small blobs: it finds packed
    /// blobs through this index, and new references record where it placed them.
    public func connect(_ store: LocalBlobStore) {
        store.attach(locator: self)
        attach(placements: store)
    }

    public func placement(of digest: BlobDigest) throws -> BlobPlacement {
        try read { transaction in
            guard let record = try references.record(transaction, digest) else { return .unknown }
            return record.location.map { .packed($0) } ?? .file
        }
    }

    /// A blob's entry header counts as live with it, so a segment whose blobs are all recorded
    /// reads as fully live.
    public func packedByteCounts() throws -> [UInt64: Int64] {
        var counts = [UInt64: Int64]()
        try forEachPackedBlob { _, location in
            counts[location.segment, default: 0] += location.byteCount + Int64(BlobLocation.segmentEntryHeaderByteCount)
        }
        return counts
    }

    public func packedBlobs(in segments: Set<UInt64>) throws -> [UInt64: [(digest: BlobDigest, location: BlobLocation)]] {
        var found = [UInt64: [(digest: BlobDigest, location: BlobLocation)]]()
        try forEachPackedBlob { digest, location in
            if segments.contains(location.segment) { found[location.segment, default: []].append((digest, location)) }
        }
        return found.mapValues { $0.sorted { $0.location.offset < $1.location.offset } }
    }

    public func relocate(_ moves: [BlobMove]) async throws -> Int {
        let references = self.references
        return try await writer.write { transaction in
            var recorded = 0
            for move in moves {
                guard var record = try references.record(transaction, move.digest), record.location == move.from else { continue }
                record.location = move.to
                try references.store(transaction, move.digest, record)
                recorded += 1
            }
            return recorded
        }
    }

    public func forgetLocation(of digest: BlobDigest, at location: BlobLocation) async throws {
        let references = self.references
        try await writer.write { transaction in
            guard var record = try references.record(transaction, digest), record.location == location else { return }
            record.location = nil
            try references.store(transaction, digest, record)
        }
    }

    /// Drops every packed location (a backup's index copy, whose blobs are files).
    public func forgetAllLocations() async throws -> Int {
        var found = [BlobDigest]()
        try forEachPackedBlob { digest, _ in found.append(digest) }
        let (digests, references) = (found, self.references)
        return try await writer.write { transaction in
            for digest in digests {
                guard var record = try references.record(transaction, digest) else { continue }
                record.location = nil
                try references.store(transaction, digest, record)
            }
            return digests.count
        }
    }

    private func forEachPackedBlob(_ body: (BlobDigest, BlobLocation) throws -> Void) throws {
        try read { transaction in
            try transaction.withCursor(databases.blobs) { cursor in
                var entry = try cursor.first()
                while let current = entry {
                    if let location = try BlobReferences.decode(current.value).location {
                        try body(BlobDigest(bytes: current.key), location)
                    }
                    entry = try cursor.next()
                }
            }
        }
    }
}
