/// The additional checksums S3 clients may ask for, beyond the SHA-256 address and the MD5 ETag.
public enum ChecksumAlgorithm: UInt8, CaseIterable, Sendable, Hashable {
    case crc32 = 1
    case crc32c = 2
    case crc64nvme = 3
    case sha1 = 4
    case sha256 = 5

    /// Length of the digest in bytes.
    public var digestByteCount: Int {
        switch self {
        case .crc32, .crc32c: return 4
        case .crc64nvme: return 8
        case .sha1: return 20
        case .sha256: return 32
        }
    }

    /// Whether the CRC of a concatenation can be computed from the parts' CRCs (full-object
    /// checksums of multipart uploads).
    public var isCombinable: Bool {
        switch self {
        case .crc32, .crc32c, .crc64nvme: return true
        case .sha1, .sha256: return false
        }
    }
}

/// One checksum value: the algorithm and its raw digest bytes.
public struct ChecksumValue: Hashable, Sendable {
    public let algorithm: ChecksumAlgorithm
    public let bytes: [UInt8]

    public init(algorithm: ChecksumAlgorithm, bytes: [UInt8]) {
        precondition(bytes.count == algorithm.digestByteCount, "checksum length must match its algorithm")
        self.algorithm = algorithm
        self.bytes = bytes
    }
}
