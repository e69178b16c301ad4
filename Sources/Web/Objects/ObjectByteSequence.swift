import BlobStore
import Crypto
import Index
import NIOCore

/// The bytes of a window of an object version as an async sequence that reads on demand, one chunk
/// per step: feeds a copy into the ingest path with memory bounded by one chunk. An encrypted
/// version's blobs are decrypted chunk by chunk: only the chunks the window touches are read.
public struct ObjectByteSequence: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    public static let stepByteCount = 1 << 20

    let blobs: any BlobStorage
    let body: ObjectBody
    let window: ByteRange?
    /// For encrypted versions: the object's key, or why it could not be had.
    let decryption: Result<SymmetricKey?, any Error>?

    public init(blobs: any BlobStorage, body: ObjectBody, window: ByteRange?, decryption: Result<SymmetricKey?, any Error>? = nil) {
        self.blobs = blobs
        self.body = body
        self.window = window
        self.decryption = decryption
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let blobs: any BlobStorage
        var inline: ByteBuffer?
        var segments: [BlobSegment]
        var reader: (any BlobSource)?
        var offset: Int64 = 0
        var decrypted: DecryptingIterator?
        var failure: (any Error)?

        public mutating func next() async throws -> ByteBuffer? {
            if let failure {
                self.failure = nil
                throw failure
            }
            if decrypted != nil { return try await decrypted!.next() }
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
        if let decryption {
            var iterator = AsyncIterator(blobs: blobs, inline: nil, segments: [])
            switch decryption {
            case .success(let key?): iterator.decrypted = DecryptingIterator(blobs: blobs, chunks: body.chunks, window: window, key: key)
            case .success(nil): iterator.failure = ChunkCipher.Failure(description: "an encrypted version without its key")
            case .failure(let error): iterator.failure = error
            }
            return iterator
        }
        switch body {
        case .inline(let bytes):
            return AsyncIterator(blobs: blobs, inline: ByteBuffer(bytes: bytes[Int(window.first)...Int(window.last)]), segments: [])
        case .chunks(let chunks):
            return AsyncIterator(blobs: blobs, inline: nil, segments: BlobSegment.segments(chunks, window))
        }
    }
}

/// Reads a plaintext window of an encrypted version: for each blob it touches, the header, then
/// the sealed chunks covering the window, up to `ObjectByteSequence.stepByteCount` per step.
/// A chunk that fails authentication ends the read with `BlobStoreError(.corrupt)`: altered bytes
/// are never served.
struct DecryptingIterator {
    struct Piece {
        let digest: BlobDigest
        let cipherByteCount: Int64
        /// The plaintext range wanted from this blob.
        let range: Range<Int64>
    }

    let blobs: any BlobStorage
    let key: SymmetricKey
    var pieces: [Piece]
    var reader: (any BlobSource)?
    var opener: ChunkOpener?
    var offset: Int64 = 0

    init(blobs: any BlobStorage, chunks: [Chunk], window: ByteRange, key: SymmetricKey) {
        self.blobs = blobs
        self.key = key
        var pieces = [Piece]()
        var start: Int64 = 0
        for chunk in chunks {
            let plain = ChunkCipher.plainByteCount(cipher: chunk.byteCount) ?? 0
            let low = Swift.max(window.first, start)
            let high = Swift.min(window.last + 1, start + plain)
            if low < high { pieces.append(Piece(digest: chunk.digest, cipherByteCount: chunk.byteCount, range: (low - start)..<(high - start))) }
            start += plain
        }
        self.pieces = pieces
    }

    mutating func next() async throws -> ByteBuffer? {
        while let piece = pieces.first {
            if reader == nil {
                let source = try await blobs.open(piece.digest)
                guard source.byteCount == piece.cipherByteCount else {
                    throw BlobStoreError(.corrupt, "blob \(piece.digest) has \(source.byteCount) bytes, not \(piece.cipherByteCount)")
                }
                let header = try await source.readChunk(at: 0, byteCount: ChunkCipher.headerByteCount)
                do {
                    opener = try ChunkOpener(objectKey: key, header: Array(header.readableBytesView), cipherByteCount: piece.cipherByteCount)
                } catch {
                    throw BlobStoreError(.corrupt, "blob \(piece.digest): \(error)")
                }
                reader = source
                offset = piece.range.lowerBound
            }
            if offset >= piece.range.upperBound {
                pieces.removeFirst()
                reader = nil
                opener = nil
                continue
            }
            let chunkSize = Int64(ChunkCipher.chunkPlainByteCount)
            let firstChunk = offset / chunkSize
            let chunksPerStep = Int64(ObjectByteSequence.stepByteCount / ChunkCipher.chunkPlainByteCount)
            let lastChunk = Swift.min((piece.range.upperBound - 1) / chunkSize, firstChunk + chunksPerStep - 1)
            let cipherStart = opener!.cipherRange(ofChunk: firstChunk).lowerBound
            let cipherEnd = opener!.cipherRange(ofChunk: lastChunk).upperBound
            let sealed = try await reader!.readChunk(at: cipherStart, byteCount: Int(cipherEnd - cipherStart))
            guard sealed.readableBytes == Int(cipherEnd - cipherStart) else {
                throw BlobStoreError(.corrupt, "blob \(piece.digest) is shorter than recorded")
            }
            var output = ByteBuffer()
            output.reserveCapacity(Int((lastChunk - firstChunk + 1) * chunkSize))
            try sealed.withUnsafeReadableBytes { raw in
                for index in firstChunk...lastChunk {
                    let range = opener!.cipherRange(ofChunk: index)
                    let local = Int(range.lowerBound - cipherStart)..<Int(range.upperBound - cipherStart)
                    let plain: [UInt8]
                    do {
                        plain = try opener!.open(chunk: index, UnsafeRawBufferPointer(rebasing: raw[local]))
                    } catch {
                        throw BlobStoreError(.corrupt, "blob \(piece.digest): \(error)")
                    }
                    let chunkStart = index * chunkSize
                    let from = Int(Swift.max(offset, chunkStart) - chunkStart)
                    let to = Int(Swift.min(piece.range.upperBound, chunkStart + Int64(plain.count)) - chunkStart)
                    output.writeBytes(plain[from..<to])
                }
            }
            offset = Swift.min(piece.range.upperBound, (lastChunk + 1) * chunkSize)
            return output
        }
        return nil
    }
}
