import BlobStore
import Crypto
import Foundation
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
///
/// Planning a step (which chunks, from which blob) is cheap and done in order; reading and
/// decrypting it is the cost, so up to `stepsAheadMax` steps are read and decrypted by their own
/// tasks while the consumer sends the earliest (with one at a time an encrypted GET ran at half
/// the speed of a plain one). Memory: each step holds its sealed and its plain bytes (2 MiB) while
/// it runs, so about `stepsAheadMax` × 2 MiB, plus the step being sent. Steps started ahead of a
/// consumer that stops (a client gone) run to their end and are dropped: at most that much work.
struct DecryptingIterator {
    static let stepsAheadMax = 3

    struct Piece: Sendable {
        let digest: BlobDigest
        let cipherByteCount: Int64
        /// The plaintext range wanted from this blob.
        let range: Range<Int64>
    }

    /// One step's work: a run of whole chunks of one blob, and the plaintext wanted from it.
    struct Work: Sendable {
        let reader: any BlobSource
        let opener: ChunkOpener
        let digest: BlobDigest
        let chunks: ClosedRange<Int64>
        /// The plaintext wanted, in the blob's plaintext offsets.
        let wanted: Range<Int64>

        func read() async throws -> ByteBuffer {
            let chunkSize = Int64(ChunkCipher.chunkPlainByteCount)
            let cipherStart = opener.cipherRange(ofChunk: chunks.lowerBound).lowerBound
            let cipherEnd = opener.cipherRange(ofChunk: chunks.upperBound).upperBound
            let sealed = try await reader.readChunk(at: cipherStart, byteCount: Int(cipherEnd - cipherStart))
            guard sealed.readableBytes == Int(cipherEnd - cipherStart) else {
                throw BlobStoreError(.corrupt, "blob \(digest) is shorter than recorded")
            }
            var output = ByteBuffer()
            output.reserveCapacity(Int(wanted.count))
            try sealed.withUnsafeReadableBytes { raw in
                for index in chunks {
                    let range = opener.cipherRange(ofChunk: index)
                    let local = Int(range.lowerBound - cipherStart)..<Int(range.upperBound - cipherStart)
                    let plain: Data
                    do {
                        plain = try opener.openData(chunk: index, UnsafeRawBufferPointer(rebasing: raw[local]))
                    } catch {
                        throw BlobStoreError(.corrupt, "blob \(digest): \(error)")
                    }
                    let chunkStart = index * chunkSize
                    let from = Int(Swift.max(wanted.lowerBound, chunkStart) - chunkStart)
                    let to = Int(Swift.min(wanted.upperBound, chunkStart + Int64(plain.count)) - chunkStart)
                    plain.withUnsafeBytes { bytes in _ = output.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[from..<to])) }
                }
            }
            return output
        }
    }

    private let blobs: any BlobStorage
    private let key: SymmetricKey
    private var pieces: [Piece]
    private var reader: (any BlobSource)?
    private var opener: ChunkOpener?
    private var offset: Int64 = 0
    private var ahead: [Task<ByteBuffer, any Error>] = []
    /// A recorded length no encrypted blob can have: the index disagrees with the store.
    private var impossible: BlobDigest?

    init(blobs: any BlobStorage, chunks: [Chunk], window: ByteRange, key: SymmetricKey) {
        self.blobs = blobs
        self.key = key
        var pieces = [Piece]()
        var start: Int64 = 0
        var impossible: BlobDigest?
        for chunk in chunks {
            guard let plain = ChunkCipher.plainByteCount(cipher: chunk.byteCount) else {
                impossible = chunk.digest
                break
            }
            let low = Swift.max(window.first, start)
            let high = Swift.min(window.last + 1, start + plain)
            if low < high { pieces.append(Piece(digest: chunk.digest, cipherByteCount: chunk.byteCount, range: (low - start)..<(high - start))) }
            start += plain
        }
        self.pieces = pieces
        self.impossible = impossible
    }

    mutating func next() async throws -> ByteBuffer? {
        if let impossible { throw BlobStoreError(.corrupt, "blob \(impossible) has a length no encrypted blob has") }
        while ahead.count < Self.stepsAheadMax, let work = try await plan() {
            ahead.append(Task { try await work.read() })
        }
        guard !ahead.isEmpty else { return nil }
        return try await ahead.removeFirst().value
    }

    /// The next step's work, in order; nil at the end of the window.
    private mutating func plan() async throws -> Work? {
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
            guard let reader, let opener else { return nil }
            if offset >= piece.range.upperBound {
                pieces.removeFirst()
                self.reader = nil
                self.opener = nil
                continue
            }
            let chunkSize = Int64(ChunkCipher.chunkPlainByteCount)
            let firstChunk = offset / chunkSize
            let chunksPerStep = Int64(ObjectByteSequence.stepByteCount / ChunkCipher.chunkPlainByteCount)
            let lastChunk = Swift.min((piece.range.upperBound - 1) / chunkSize, firstChunk + chunksPerStep - 1)
            let end = Swift.min(piece.range.upperBound, (lastChunk + 1) * chunkSize)
            let work = Work(reader: reader, opener: opener, digest: piece.digest, chunks: firstChunk...lastChunk, wanted: offset..<end)
            offset = end
            return work
        }
        return nil
    }
}
