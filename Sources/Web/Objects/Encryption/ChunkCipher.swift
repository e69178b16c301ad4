import Crypto
import Foundation

/// The at-rest format of an encrypted blob: a 20-byte header (`spE1` and a random 16-byte salt),
/// then the body in chunks of 64 KiB, each sealed on its own with AES-256-GCM and followed by its
/// 16-byte tag.
///
/// Each blob gets its own key, HKDF-SHA256 of the object's key and the blob's salt, so nonces
/// (the chunk's number) never repeat under a key even when a customer reuses one SSE-C key for
/// every object. The additional data binds each chunk to its blob's header, its number and
/// whether it is the last, so chunks cannot be reordered, moved between blobs, or cut off at a
/// chunk boundary without the tag failing. A Range read decrypts only the chunks it touches.
public enum ChunkCipher {
    public static let magic: [UInt8] = Array("spE1".utf8)
    public static let saltByteCount = 16
    public static let headerByteCount = 4 + saltByteCount
    public static let chunkPlainByteCount = 64 * 1024
    public static let tagByteCount = 16
    public static let chunkCipherByteCount = chunkPlainByteCount + tagByteCount

    /// The stored length of a body of `plain` bytes (zero stays zero: empty bodies have no blob).
    public static func cipherByteCount(plain: Int64) -> Int64 {
        guard plain > 0 else { return 0 }
        let chunks = (plain + Int64(chunkPlainByteCount) - 1) / Int64(chunkPlainByteCount)
        return Int64(headerByteCount) + plain + chunks * Int64(tagByteCount)
    }

    /// The body length of a stored blob of `cipher` bytes; nil when no body has that length.
    public static func plainByteCount(cipher: Int64) -> Int64? {
        guard cipher > 0 else { return 0 }
        let sealed = cipher - Int64(headerByteCount)
        guard sealed > Int64(tagByteCount) else { return nil }
        let chunks = (sealed + Int64(chunkCipherByteCount) - 1) / Int64(chunkCipherByteCount)
        let plain = sealed - chunks * Int64(tagByteCount)
        guard plain > 0, cipherByteCount(plain: plain) == cipher else { return nil }
        return plain
    }

    /// The key a blob's chunks are sealed with.
    static func blobKey(objectKey: SymmetricKey, header: [UInt8]) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: objectKey, salt: header, info: Array("spore sse chunk v1".utf8), outputByteCount: 32)
    }

    static func nonce(_ index: Int64) throws -> AES.GCM.Nonce {
        var bytes = [UInt8](repeating: 0, count: 12)
        var value = UInt64(index)
        for position in stride(from: 11, through: 4, by: -1) {
            bytes[position] = UInt8(truncatingIfNeeded: value)
            value >>= 8
        }
        return try AES.GCM.Nonce(data: bytes)
    }

    static func additionalData(header: [UInt8], index: Int64, isLast: Bool) -> [UInt8] {
        var bytes = header
        var value = UInt64(index)
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: value >> 56))
            value <<= 8
        }
        bytes.append(isLast ? 1 : 0)
        return bytes
    }

    /// Why a stored blob does not decrypt: never served, reported as corruption.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }
}

/// Encrypts a body as it streams: `seal` returns what can be written so far, `finish` the rest.
/// Holds back at most one chunk, because a chunk is sealed only once it is known whether it is
/// the last.
public struct ChunkSealer {
    public let header: [UInt8]
    private let key: SymmetricKey
    private var pending: [UInt8] = []
    private var index: Int64 = 0
    private var wroteHeader = false

    public init(objectKey: SymmetricKey, salt: [UInt8]? = nil) {
        let salt = salt ?? (0..<ChunkCipher.saltByteCount).map { _ in UInt8.random(in: 0...255) }
        precondition(salt.count == ChunkCipher.saltByteCount, "a blob's salt has a fixed length")
        header = ChunkCipher.magic + salt
        key = ChunkCipher.blobKey(objectKey: objectKey, header: header)
        pending.reserveCapacity(ChunkCipher.chunkPlainByteCount)
    }

    /// Takes body bytes; returns the sealed bytes that are ready (possibly none).
    public mutating func seal(_ bytes: UnsafeRawBufferPointer) throws -> [UInt8] {
        var output = [UInt8]()
        var offset = 0
        while offset < bytes.count {
            if pending.count == ChunkCipher.chunkPlainByteCount {
                // More bytes follow, so the full pending chunk is not the last.
                try emit(isLast: false, into: &output)
            }
            let take = min(ChunkCipher.chunkPlainByteCount - pending.count, bytes.count - offset)
            pending.append(contentsOf: bytes[offset..<(offset + take)])
            offset += take
        }
        return output
    }

    /// Seals the last chunk. An empty body yields nothing at all (and has no blob).
    public mutating func finish() throws -> [UInt8] {
        var output = [UInt8]()
        guard !pending.isEmpty || wroteHeader else { return output }
        try emit(isLast: true, into: &output)
        return output
    }

    private mutating func emit(isLast: Bool, into output: inout [UInt8]) throws {
        if !wroteHeader {
            output.append(contentsOf: header)
            wroteHeader = true
        }
        let box = try AES.GCM.seal(
            pending, using: key, nonce: ChunkCipher.nonce(index),
            authenticating: ChunkCipher.additionalData(header: header, index: index, isLast: isLast))
        output.append(contentsOf: box.ciphertext)
        output.append(contentsOf: box.tag)
        pending.removeAll(keepingCapacity: true)
        index += 1
    }
}

/// Opens the chunks of one stored blob.
public struct ChunkOpener: Sendable {
    public let plainByteCount: Int64
    private let header: [UInt8]
    private let key: SymmetricKey

    /// `header` is the blob's first `ChunkCipher.headerByteCount` bytes; `cipherByteCount` its
    /// recorded length.
    public init(objectKey: SymmetricKey, header: [UInt8], cipherByteCount: Int64) throws {
        guard header.count == ChunkCipher.headerByteCount, Array(header.prefix(4)) == ChunkCipher.magic,
            let plain = ChunkCipher.plainByteCount(cipher: cipherByteCount)
        else { throw ChunkCipher.Failure(description: "not an encrypted blob of \(cipherByteCount) bytes") }
        self.header = header
        self.plainByteCount = plain
        self.key = ChunkCipher.blobKey(objectKey: objectKey, header: header)
    }

    public var chunkCount: Int64 { (plainByteCount + Int64(ChunkCipher.chunkPlainByteCount) - 1) / Int64(ChunkCipher.chunkPlainByteCount) }

    /// Where chunk `index` is stored and how long it is.
    public func cipherRange(ofChunk index: Int64) -> Range<Int64> {
        let start = Int64(ChunkCipher.headerByteCount) + index * Int64(ChunkCipher.chunkCipherByteCount)
        let plain = min(Int64(ChunkCipher.chunkPlainByteCount), plainByteCount - index * Int64(ChunkCipher.chunkPlainByteCount))
        return start..<(start + plain + Int64(ChunkCipher.tagByteCount))
    }

    /// The body bytes of chunk `index` from its stored bytes; throws when the tag does not match.
    public func open(chunk index: Int64, _ sealed: UnsafeRawBufferPointer) throws -> [UInt8] {
        Array(try openData(chunk: index, sealed))
    }

    /// As `open`, without copying the result out of the `Data` the cipher returns (the GET path).
    public func openData(chunk index: Int64, _ sealed: UnsafeRawBufferPointer) throws -> Data {
        let expected = cipherRange(ofChunk: index)
        guard sealed.count == expected.count else { throw ChunkCipher.Failure(description: "chunk \(index) is \(sealed.count) bytes") }
        let split = sealed.count - ChunkCipher.tagByteCount
        do {
            let box = try AES.GCM.SealedBox(
                nonce: ChunkCipher.nonce(index), ciphertext: UnsafeRawBufferPointer(rebasing: sealed[0..<split]),
                tag: UnsafeRawBufferPointer(rebasing: sealed[split...]))
            return try AES.GCM.open(
                box, using: key, authenticating: ChunkCipher.additionalData(header: header, index: index, isLast: index == chunkCount - 1))
        } catch {
            throw ChunkCipher.Failure(description: "chunk \(index) failed authentication")
        }
    }
}
