import Crypto

/// Everything learned about a body while it streamed in.
public struct ContentDigests: Sendable, Hashable {
    /// SHA-256 of the bytes: the blob's address and the value checked against `x-amz-content-sha256`.
    public let sha256: BlobDigest
    /// MD5 of the bytes (16 bytes): the S3 ETag of a single-part object and the `Content-MD5` check.
    /// Empty for a blob written without it (encrypted blobs: see `BlobStorage.makeWriter`).
    public let md5: [UInt8]
    /// The additional checksums that were asked for.
    public let checksums: [ChecksumValue]
    /// Number of bytes.
    public let byteCount: Int64
    /// CRC-32 of the bytes, always computed (zip archives need it).
    public let crc32: UInt32

    public init(sha256: BlobDigest, md5: [UInt8], checksums: [ChecksumValue], byteCount: Int64, crc32: UInt32) {
        precondition(md5.count == 16 || md5.isEmpty, "an MD5 digest is 16 bytes (or absent)")
        precondition(byteCount >= 0, "a length is never negative")
        self.sha256 = sha256
        self.md5 = md5
        self.checksums = checksums
        self.byteCount = byteCount
        self.crc32 = crc32
    }

    public func checksum(_ algorithm: ChecksumAlgorithm) -> ChecksumValue? {
        checksums.first { $0.algorithm == algorithm }
    }
}

/// Hashes a body held in memory with the same algorithms the streaming writer uses, for bodies
/// small enough to be stored inline in the index.
public struct ContentHasher: Sendable {
    private var sha256 = SHA256()
    private var md5 = Insecure.MD5()
    private var accumulator: ChecksumAccumulator
    private var byteCount: Int64 = 0

    public init(checksums: Set<ChecksumAlgorithm>) {
        accumulator = ChecksumAccumulator(algorithms: checksums)
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        sha256.update(bufferPointer: bytes)
        md5.update(bufferPointer: bytes)
        accumulator.update(bytes)
        byteCount += Int64(bytes.count)
    }

    public func finalize() -> ContentDigests {
        let address = BlobDigest(bytes: Array(sha256.finalize()))
        return ContentDigests(
            sha256: address,
            md5: Array(md5.finalize()),
            checksums: accumulator.finalize(sha256: address),
            byteCount: byteCount,
            crc32: accumulator.contentCRC32
        )
    }

    /// Convenience for a whole buffer.
    public static func digests(of bytes: [UInt8], checksums: Set<ChecksumAlgorithm> = []) -> ContentDigests {
        var hasher = ContentHasher(checksums: checksums)
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize()
    }
}
