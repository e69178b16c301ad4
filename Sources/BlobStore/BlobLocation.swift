/// Where a packed blob's bytes are: `byteCount` bytes at `offset` in segment file `segment`.
///
/// Small blobs are appended to segment files (`SegmentLog`) instead of one file each; the index
/// keeps this location in the blob's reference record, so that moving a blob (compaction) rewrites
/// one record and versions keep naming blobs by digest only.
public struct BlobLocation: Hashable, Sendable, CustomStringConvertible {
    public let segment: UInt64
    /// Offset of the blob's first byte (after its entry header) in the segment file.
    public let offset: Int64
    public let byteCount: Int64

    public static let encodedByteCount = 24
    /// The header before each blob in a segment (`SegmentLog`): magic, length and digest.
    public static let segmentEntryHeaderByteCount = 48

    public init(segment: UInt64, offset: Int64, byteCount: Int64) {
        precondition(offset >= 0 && byteCount >= 0, "locations are never negative")
        self.segment = segment
        self.offset = offset
        self.byteCount = byteCount
    }

    /// 24 bytes, little-endian: segment, offset, length.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(Self.encodedByteCount)
        for value in [segment, UInt64(offset), UInt64(byteCount)] {
            for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
        return out
    }

    public init?<Bytes: Collection<UInt8>>(bytes: Bytes) {
        guard bytes.count == Self.encodedByteCount else { return nil }
        var values = [UInt64](repeating: 0, count: 3)
        for (index, byte) in bytes.enumerated() { values[index / 8] |= UInt64(byte) << UInt64((index % 8) * 8) }
        guard values[1] <= UInt64(Int64.max), values[2] <= UInt64(Int64.max) else { return nil }
        self.init(segment: values[0], offset: Int64(values[1]), byteCount: Int64(values[2]))
    }

    public var description: String { "segment \(segment) @\(offset)+\(byteCount)" }
}

/// What the index knows of a blob's place.
public enum BlobPlacement: Hashable, Sendable {
    /// No record of the blob.
    case unknown
    /// A file of its own under `blobs/` (blobs above the packing size, and every blob written
    /// before packing existed).
    case file
    /// Inside a segment file.
    case packed(BlobLocation)
}

/// A packed blob copied to a new place by compaction.
public struct BlobMove: Hashable, Sendable {
    public let digest: BlobDigest
    public let from: BlobLocation
    public let to: BlobLocation

    public init(digest: BlobDigest, from: BlobLocation, to: BlobLocation) {
        self.digest = digest
        self.from = from
        self.to = to
    }
}

/// The index as the blob store sees it: where packed blobs are. `LocalBlobStore` asks it to open
/// a packed blob, and tells it where compaction moved blobs.
public protocol BlobLocator: AnyObject, Sendable {
    func placement(of digest: BlobDigest) throws -> BlobPlacement
    /// Bytes of referenced-or-recorded blobs in each segment (the rest of a segment is dead).
    func packedByteCounts() throws -> [UInt64: Int64]
    /// The blobs recorded in the given segments, by segment, each in offset order.
    func packedBlobs(in segments: Set<UInt64>) throws -> [UInt64: [(digest: BlobDigest, location: BlobLocation)]]
    /// Records the moves whose blob is still at `from`; returns how many were recorded.
    func relocate(_ moves: [BlobMove]) async throws -> Int
    /// Forgets a packed blob's location (after its bytes were quarantined).
    func forgetLocation(of digest: BlobDigest, at location: BlobLocation) async throws
}

/// The blob store as the index sees it when it records a new reference: where a blob placed by
/// a request that has not committed yet went.
public protocol BlobPlacements: AnyObject, Sendable {
    func placedLocation(of digest: BlobDigest) -> BlobLocation?
}
