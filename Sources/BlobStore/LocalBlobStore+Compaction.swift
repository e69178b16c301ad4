import Crypto
import NIOCore
import NIOPosix
import Synchronization

/// What one compaction pass did.
public struct CompactionReport: Sendable, Equatable {
    /// Segments deleted because nothing in them was referenced any more.
    public var segmentsDeleted = 0
    /// Segments whose live blobs were copied out (they are deleted in the same pass once the
    /// index has recorded the moves).
    public var segmentsRewritten = 0
    public var blobsMoved = 0
    /// Bytes of segment files deleted.
    public var byteCountReclaimed: Int64 = 0
    /// Live blobs left where they were because their bytes no longer match their digest (scrub
    /// quarantines them).
    public var blobsSkippedCorrupt = 0

    public init() {}
}

extension LocalBlobStore {
    /// Below this share of live bytes a sealed segment is rewritten.
    public static let compactionLiveFractionDefault = 0.5
    /// Bytes one pass copies at most, so that one pass never holds the disk for long.
    public static let compactionMovedByteCountMaxDefault: Int64 = 256 << 20

    /// Deletes sealed segments the index no longer refers to, and rewrites those whose live
    /// share fell under `liveFractionMin`: live blobs are appended to the active segment (made
    /// durable), the index records the new places in one transaction, and only then is the old
    /// segment deleted. A crash before the index commit leaves the old segment in use and the
    /// copies dead; a crash after it leaves the old segment dead for the next pass. Readers that
    /// opened the old segment keep reading it (the file lives while it is open); readers that
    /// looked it up just before it went look again (`open`).
    public func compactSegments(
        liveFractionMin: Double = LocalBlobStore.compactionLiveFractionDefault,
        movedByteCountMax: Int64 = LocalBlobStore.compactionMovedByteCountMaxDefault
    ) async throws -> CompactionReport {
        precondition(liveFractionMin >= 0 && liveFractionMin <= 1, "a fraction is between 0 and 1")
        var report = CompactionReport()
        guard let locator else { return report }
        // One pass at a time: a second would copy the same blobs again (its index update finds
        // them moved and records nothing) or delete a segment the first is reading.
        guard compacting.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return report
        }
        defer { compacting.store(false, ordering: .releasing) }
        // Sealed first, the index second: nothing lands in a sealed segment afterwards, so the
        // index's view of these segments is complete.
        let sealed = try await segments.sealedSegments()
        guard !sealed.isEmpty else { return report }
        // Scans of every blob record run on the store's threads, not on a request's.
        let live = try await threadPool.runIfActive { try locator.packedByteCounts() }
        var movedByteCount: Int64 = 0
        var rewrite = [(id: UInt64, byteCount: Int64)]()
        for (segment, byteCount) in sealed {
            let liveByteCount = live[segment] ?? 0
            if liveByteCount == 0 {
                try await delete(segment)
                report.segmentsDeleted += 1
                report.byteCountReclaimed += byteCount
            } else if Double(liveByteCount) < Double(byteCount) * liveFractionMin, movedByteCount + liveByteCount <= movedByteCountMax {
                movedByteCount += liveByteCount
                rewrite.append((segment, byteCount))
            }
        }
        guard !rewrite.isEmpty else { return report }
        let chosen = Set(rewrite.map(\.id))
        let blobs = try await threadPool.runIfActive { try locator.packedBlobs(in: chosen) }
        for (segment, _) in rewrite {
            let outcome = try await self.rewrite(blobs[segment] ?? [], locator: locator)
            report.segmentsRewritten += 1
            report.blobsMoved += outcome.moved
            report.blobsSkippedCorrupt += outcome.skipped
        }
        // A rewritten segment goes once the index records nothing in it (a blob that could not
        // be copied keeps its segment until the scrub has dealt with it).
        let left = try await threadPool.runIfActive { try locator.packedBlobs(in: chosen) }
        for (segment, byteCount) in rewrite where left[segment, default: []].isEmpty {
            try await delete(segment)
            report.byteCountReclaimed += byteCount
        }
        return report
    }

    private func delete(_ segment: UInt64) async throws {
        closeSegment(segment)
        try await segments.delete(segment)
    }

    private func rewrite(_ blobs: [(digest: BlobDigest, location: BlobLocation)], locator: any BlobLocator) async throws -> (moved: Int, skipped: Int)
    {
        var moves = [BlobMove]()
        var skipped = 0
        defer { for move in moves { segments.finished(move.to.segment) } }
        for (digest, location) in blobs {
            let bytes: ByteBuffer
            do {
                bytes = try await readPacked(location, range: 0..<location.byteCount)
            } catch {
                // An unreadable blob (a torn or damaged segment) is left where it is, like a corrupt
                // one; the rest of the segment and of the pass go on.
                skipped += 1
                continue
            }
            var hasher = SHA256()
            bytes.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
            // Never spread a corrupt copy: the scrub finds and quarantines it where it is.
            guard BlobDigest(bytes: Array(hasher.finalize())) == digest else {
                skipped += 1
                continue
            }
            let to = try await segments.append(bytes, digest: digest)
            moves.append(BlobMove(digest: digest, from: location, to: to))
        }
        let recorded = moves.isEmpty ? 0 : try await locator.relocate(moves)
        return (recorded, skipped)
    }

    /// Whether a packed blob's entry header (magic, length, digest) names this blob at its
    /// recorded place; nil for a blob that is not packed. A cheap check that a location points
    /// where it should, without reading the bytes.
    public func packedEntryMatches(_ digest: BlobDigest) async throws -> Bool? {
        guard let locator, case .packed(let location) = try locator.placement(of: digest) else { return nil }
        let headerByteCount = BlobLocation.segmentEntryHeaderByteCount
        guard location.offset >= Int64(headerByteCount) else { return false }
        let header = try await openSegmentHeader(location)
        return header == SegmentLog.header(byteCount: Int(location.byteCount), digest: digest)
    }

    private func openSegmentHeader(_ location: BlobLocation) async throws -> [UInt8] {
        let headerByteCount = BlobLocation.segmentEntryHeaderByteCount
        let reader = try await openPacked(
            BlobLocation(segment: location.segment, offset: location.offset - Int64(headerByteCount), byteCount: Int64(headerByteCount)))
        return Array(buffer: try await reader.readChunk(at: 0, byteCount: headerByteCount))
    }

    /// Segment files and their total size.
    public func segmentUsage() async throws -> (count: Int, byteCount: Int64) {
        try await segments.usage()
    }
}
