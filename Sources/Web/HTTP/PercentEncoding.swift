import BlobStore

/// Percent-decoding of URL paths and queries, and encoding with AWS's SigV4 rules.
public enum PercentEncoding {
    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Whether a byte is unreserved in RFC 3986 (and therefore never encoded by SigV4).
    @inline(__always)
    public static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Encodes every byte but the unreserved ones (and `/` when `keepSlash`), upper-case hex.
    public static func encode(_ bytes: some Sequence<UInt8>, keepSlash: Bool = false) -> String {
        var output = [UInt8]()
        output.reserveCapacity(bytes.underestimatedCount * 3)
        for byte in bytes {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0f)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    public static func encode(_ text: String, keepSlash: Bool = false) -> String {
        encode(text.utf8, keepSlash: keepSlash)
    }

    /// Decodes `%XX` escapes (and `+` as a space when `plusIsSpace`). Returns nil on a malformed
    /// escape. The result is bytes: the caller decides whether they must be UTF-8.
    public static func decode(_ text: some StringProtocol, plusIsSpace: Bool) -> [UInt8]? {
        let input = Array(text.utf8)
        var output = [UInt8]()
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < input.count, let high = Hex.digitValue(input[index + 1]), let low = Hex.digitValue(input[index + 2]) else {
                    return nil
                }
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return output
    }

    /// Decodes to a string; nil if malformed or not UTF-8.
    public static func decodeString(_ text: some StringProtocol, plusIsSpace: Bool) -> String? {
        decode(text, plusIsSpace: plusIsSpace).flatMap { String(validating: $0, as: UTF8.self) }
    }

}
