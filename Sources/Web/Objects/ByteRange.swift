import BlobStore
import Index

/// A byte range of an object, inclusive bounds as in `Content-Range`.
public struct ByteRange: Equatable, Sendable {
    public let first: Int64
    public let last: Int64

    public init(first: Int64, last: Int64) {
        precondition(first >= 0 && last >= first, "a byte range holds at least one byte")
        self.first = first
        self.last = last
    }

    public var byteCount: Int64 { last - first + 1 }

    /// The whole of an object of `byteCount` bytes; nil for an empty object.
    public static func whole(_ byteCount: Int64) -> ByteRange? {
        byteCount > 0 ? ByteRange(first: 0, last: byteCount - 1) : nil
    }

    /// Parses a `Range` header against an object of `size` bytes. Returns nil when the header should
    /// be ignored (absent, malformed such as `bytes=0--1`, several ranges), as RFC 9110 allows and
    /// clients such as `hypha-artifact` rely on; throws when it is unsatisfiable.
    public static func parse(_ header: String?, size: Int64) throws(ObjectError) -> ByteRange? {
        guard let header else { return nil }
        let trimmed = header[...].trimmingSpaces()
        guard trimmed.hasPrefix("bytes=") else { return nil }
        let spec = trimmed.dropFirst("bytes=".count)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let startText = spec[..<dash].trimmingSpaces()
        let endText = spec[spec.index(after: dash)...].trimmingSpaces()
        if startText.isEmpty {
            guard let suffix = Int64(endText), suffix >= 0 else { return nil }
            guard suffix > 0, size > 0 else { throw .unsatisfiableRange(byteCount: size) }
            return ByteRange(first: max(0, size - suffix), last: size - 1)
        }
        guard let first = Int64(startText), first >= 0 else { return nil }
        var last = size - 1
        if !endText.isEmpty {
            guard let value = Int64(endText) else { return nil }
            guard value >= first else { return nil }
            last = min(value, size - 1)
        }
        guard first < size else { throw .unsatisfiableRange(byteCount: size) }
        return ByteRange(first: first, last: last)
    }
}

/// The part of one blob that a byte window of an object covers.
public struct BlobSegment: Sendable {
    public let digest: BlobDigest
    public let range: Range<Int64>

    /// The parts of each chunk that fall inside `window`.
    public static func segments(_ chunks: [Chunk], _ window: ByteRange) -> [BlobSegment] {
        var segments = [BlobSegment]()
        var offset: Int64 = 0
        for chunk in chunks {
            let chunkEnd = offset + chunk.byteCount
            let start = max(window.first, offset)
            let end = min(window.last + 1, chunkEnd)
            if start < end { segments.append(BlobSegment(digest: chunk.digest, range: (start - offset)..<(end - offset))) }
            offset = chunkEnd
            if offset > window.last { break }
        }
        return segments
    }
}
