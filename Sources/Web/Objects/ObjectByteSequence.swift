import BlobStore
import Index
import NIOCore

/// The bytes of a window of an object version as an async sequence that reads on demand, one chunk
/// per step: feeds a copy into the ingest path with memory bounded by one chunk.
public struct ObjectByteSequence: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    public static let stepByteCount = 1 << 20

    let blobs: any BlobStorage
    let body: ObjectBody
    let window: ByteRange?

    public init(blobs: any BlobStorage, body: ObjectBody, window: ByteRange?) {
        self.blobs = blobs
        self.body = body
        self.window = window
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let blobs: any BlobStorage
        var inline: ByteBuffer?
        var segments: [BlobSegment]
        var reader: (any BlobSource)?
        var offset: Int64 = 0

        public mutating func next() async throws -> ByteBuffer? {
            if let buffer = inline {
                inline = nil
                return buffer
            }
            while let segment = segments.first {
                if reader == nil {
                    reader = try await blobs.open(segment.digest)
                    offset = segment.range.lowerBound
                }
                if offset >= segment.range.upperBound {
                    segments.removeFirst()
                    reader = nil
                    continue
                }
                let wanted = Int(Swift.min(Int64(ObjectByteSequence.stepByteCount), segment.range.upperBound - offset))
                let chunk = try await reader!.readChunk(at: offset, byteCount: wanted)
                guard chunk.readableBytes == wanted else { throw BlobStoreError(.corrupt, "blob \(segment.digest) is shorter than recorded") }
                offset += Int64(wanted)
                return chunk
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        guard let window else { return AsyncIterator(blobs: blobs, inline: nil, segments: []) }
        switch body {
        case .inline(let bytes):
            return AsyncIterator(blobs: blobs, inline: ByteBuffer(bytes: bytes[Int(window.first)...Int(window.last)]), segments: [])
        case .chunks(let chunks):
            return AsyncIterator(blobs: blobs, inline: nil, segments: BlobSegment.segments(chunks, window))
        }
    }
}
