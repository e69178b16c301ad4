/// A bucket name that follows the S3 naming rules for general-purpose buckets.
public struct BucketName: Hashable, Sendable, CustomStringConvertible {
    public static let byteCountMin = 3
    public static let byteCountMax = 63

    public let value: String

    /// Validates a name for bucket creation; nil if S3 would answer `InvalidBucketName`.
    public init?(validating name: String) {
        let bytes = Array(name.utf8)
        guard bytes.count >= Self.byteCountMin, bytes.count <= Self.byteCountMax else { return nil }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard isAlphanumeric(bytes[0]), isAlphanumeric(bytes[bytes.count - 1]) else { return nil }
        var previous: UInt8 = 0
        for byte in bytes {
            guard isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") else { return nil }
            if byte == UInt8(ascii: "."), previous == UInt8(ascii: ".") || previous == UInt8(ascii: "-") { return nil }
            if byte == UInt8(ascii: "-"), previous == UInt8(ascii: ".") { return nil }
            previous = byte
        }
        if Self.looksLikeIPv4(name) { return nil }
        for reserved in ["xn--", "sthree-", "amzn-s3-demo-"] where name.hasPrefix(reserved) { return nil }
        for reserved in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] where name.hasSuffix(reserved) { return nil }
        self.value = name
    }

    public var description: String { value }

    private static func looksLikeIPv4(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
            }
    }
}

/// An object key: 1 to 1024 bytes of UTF-8.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public static let byteCountMax = 1024

    public let value: String

    /// Nil if the key is empty, longer than 1024 bytes, or not valid UTF-8.
    public init?(validating name: String) {
        let count = name.utf8.count
        guard count >= 1, count <= Self.byteCountMax else { return nil }
        self.value = name
    }

    /// From raw bytes (as decoded from a URL); nil for invalid UTF-8 or a bad length.
    public init?(bytes: [UInt8]) {
        guard let string = String(validating: bytes, as: UTF8.self) else { return nil }
        self.init(validating: string)
    }

    public var bytes: [UInt8] { Array(value.utf8) }

    public var description: String { value }

    /// S3 orders keys by their UTF-8 bytes.
    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        lhs.value.utf8.lexicographicallyPrecedes(rhs.value.utf8)
    }
}
