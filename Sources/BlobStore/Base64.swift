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
