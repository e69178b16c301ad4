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

/// Base64 (standard alphabet, with padding), for checksum headers and opaque tokens.
public enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = Int8(index) }
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    public static func encode(_ bytes: [UInt8]) -> String {
        var output = [UInt8]()
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { output.append(alphabet[Int(value >> UInt32(shift) & 0x3f)]) }
            index += 3
        }
        let remaining = bytes.count - index
        if remaining == 1 {
            let value = UInt32(bytes[index]) << 16
            output.append(alphabet[Int(value >> 18 & 0x3f)])
            output.append(alphabet[Int(value >> 12 & 0x3f)])
            output.append(contentsOf: Array("==".utf8))
        } else if remaining == 2 {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            output.append(alphabet[Int(value >> 18 & 0x3f)])
            output.append(alphabet[Int(value >> 12 & 0x3f)])
            output.append(alphabet[Int(value >> 6 & 0x3f)])
            output.append(UInt8(ascii: "="))
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes standard or URL-safe base64, padded or not; nil on anything else.
    public static func decode(_ text: String) -> [UInt8]? {
        var values = [UInt8]()
        var padding = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            guard padding == 0 else { return nil }
            let value = reverse[Int(byte)]
            guard value >= 0 else { return nil }
            values.append(UInt8(value))
        }
        guard padding <= 2, values.count % 4 != 1 else { return nil }
        if padding > 0, (values.count + padding) % 4 != 0 { return nil }
        var output = [UInt8]()
        output.reserveCapacity(values.count * 3 / 4)
        var index = 0
        while index + 4 <= values.count {
            let value = UInt32(values[index]) << 18 | UInt32(values[index + 1]) << 12 | UInt32(values[index + 2]) << 6 | UInt32(values[index + 3])
            output.append(UInt8(value >> 16 & 0xff))
            output.append(UInt8(value >> 8 & 0xff))
            output.append(UInt8(value & 0xff))
            index += 4
        }
        let remaining = values.count - index
        if remaining == 2 {
            let value = UInt32(values[index]) << 18 | UInt32(values[index + 1]) << 12
            output.append(UInt8(value >> 16 & 0xff))
        } else if remaining == 3 {
            let value = UInt32(values[index]) << 18 | UInt32(values[index + 1]) << 12 | UInt32(values[index + 2]) << 6
            output.append(UInt8(value >> 16 & 0xff))
            output.append(UInt8(value >> 8 & 0xff))
        }
        return output
    }
}
