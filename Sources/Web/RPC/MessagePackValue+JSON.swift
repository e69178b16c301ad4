import SporeJSON

extension MessagePackValue {
    /// A JSON value as msgpack-python would pack the same Python value.
    public init(_ json: JSONValue) {
        switch json {
        case .null: self = .nil_
        case .bool(let value): self = .bool(value)
        case .int(let value): self = .int(value)
        case .double(let value): self = .double(value)
        case .string(let value): self = .string(value)
        case .array(let items): self = .array(items.map(MessagePackValue.init))
        case .object(let object): self = .map(object.pairs.map { (.string($0.key), MessagePackValue($0.value)) })
        }
    }

    /// The value as the service functions take it. Bytes have no JSON form: they become base64
    /// text, which is what the functions that take bytes (`write_file(format="base64")`) read.
    public var json: JSONValue {
        switch self {
        case .nil_: return .null
        case .bool(let value): return .bool(value)
        case .int(let value): return .int(value)
        case .uint(let value): return value <= UInt64(Int64.max) ? .int(Int64(value)) : .double(Double(value))
        // JSON has no NaN or infinity (and nothing downstream expects them): they become null.
        case .double(let value): return value.isFinite ? .double(value) : .null
        case .string(let value): return .string(value)
        case .binary(let bytes): return .string(Base64Text.encode(bytes))
        case .array(let items): return .array(items.map(\.json))
        case .map(let pairs):
            var object = JSONObject()
            for (key, value) in pairs {
                switch key {
                case .string(let name): object[name] = value.json
                case .binary(let bytes): object[String(decoding: bytes, as: UTF8.self)] = value.json
                default: continue
                }
            }
            return .object(object)
        }
    }
}

/// Standard base64, for bytes that arrive over RPC.
enum Base64Text {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 2 < bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int(value >> UInt32(shift) & 63)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            let value = UInt32(bytes[index]) << 16 | (rest > 1 ? UInt32(bytes[index + 1]) << 8 : 0)
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(rest > 1 ? alphabet[Int(value >> 6 & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
