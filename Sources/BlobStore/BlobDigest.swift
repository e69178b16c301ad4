/// The SHA-256 of a blob's bytes: its name in the store and its identity everywhere above it.
///
/// Stored as four big-endian words so that equality, hashing and ordering are cheap and the
/// ordering matches the byte order of the digest.
public struct BlobDigest: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let byteCount = 32

    public let word0: UInt64
    public let word1: UInt64
    public let word2: UInt64
    public let word3: UInt64

    /// Builds a digest from exactly 32 bytes. Inlinable so that callers in other modules get a
    /// specialised copy: the generic one (an iterator through protocol witnesses) was 2 % of a
    /// small HEAD's CPU, decoding the index record.
    @inlinable
    public init<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        precondition(bytes.count == Self.byteCount, "a SHA-256 digest is 32 bytes")
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var index = 0
        for byte in bytes {
            let shift = UInt64(7 - index % 8) * 8
            switch index / 8 {
            case 0: words.0 |= UInt64(byte) << shift
            case 1: words.1 |= UInt64(byte) << shift
            case 2: words.2 |= UInt64(byte) << shift
            default: words.3 |= UInt64(byte) << shift
            }
            index += 1
        }
        (word0, word1, word2, word3) = words
    }

    /// Parses 64 lowercase or uppercase hexadecimal characters; nil for anything else.
    public init?(hex: some StringProtocol) {
        guard hex.utf8.count == Self.byteCount * 2, let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    /// The 32 bytes, most significant first.
    public var bytes: [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(Self.byteCount)
        for word in [word0, word1, word2, word3] {
            for shift in stride(from: 56, through: 0, by: -8) {
                result.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return result
    }

    /// Lowercase hexadecimal, 64 characters: the file name of the blob.
    public var hex: String { Hex.encode(bytes) }

    public var description: String { hex }

    public static func < (lhs: BlobDigest, rhs: BlobDigest) -> Bool {
        (lhs.word0, lhs.word1, lhs.word2, lhs.word3) < (rhs.word0, rhs.word1, rhs.word2, rhs.word3)
    }

}
