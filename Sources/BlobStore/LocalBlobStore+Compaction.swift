import Crypto
import NIOCore

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
        // Sealed first, the index second: nothing lands in a sealed segment afterwards, so the
        // index's view of these segments is complete.
        let sealed = try await segments.sealedSegments()
        guard !sealed.isEmpty else { return report }
        let live = try locator.packedByteCounts()
        var movedByteCount: Int64 = 0
        for (segment, byteCount) in sealed {
            let liveByteCount = live[segment] ?? 0
            if liveByteCount == 0 {
                closeSegment(segment)
                try await segments.delete(segment)
                report.segmentsDeleted += 1
                report.byteCountReclaimed += byteCount
                continue
            }
            guard Double(liveByteCount) < Double(byteCount) * liveFractionMin, movedByteCount + liveByteCount <= movedByteCountMax else {
                continue
            }
            let outcome = try await rewrite(segment, locator: locator)
            movedByteCount += liveByteCount
            report.segmentsRewritten += 1
            report.blobsMoved += outcome.moved
            report.blobsSkippedCorrupt += outcome.skipped
            if try locator.packedBlobs(in: segment).isEmpty {
                closeSegment(segment)
                try await segments.delete(segment)
                report.byteCountReclaimed += byteCount
            }
        }
        return report
    }

    private func rewrite(_ segment: UInt64, locator: any BlobLocator) async throws -> (moved: Int, skipped: Int) {
        var moves = [BlobMove]()
        var skipped = 0
        defer { for move in moves { segments.finished(move.to.segment) } }
        for (digest, location) in try locator.packedBlobs(in: segment) {
            let reader = try await openPacked(location)
            var bytes = ByteBufferAllocator().buffer(capacity: Int(location.byteCount))
            var hasher = SHA256()
            try await reader.read(range: 0..<location.byteCount, chunkByteCount: 1 << 20) { chunk in
                chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                bytes.writeImmutableBuffer(chunk)
            }
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

    /// Segment files and their total size.
    public func segmentUsage() async throws -> (count: Int, byteCount: Int64) {
        try await segments.usage()
    }
}
