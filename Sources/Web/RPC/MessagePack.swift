/// A msgpack value as hypha-rpc sends it: msgpack-python 1.x with its defaults (str and bin
/// apart, ints in the smallest encoding, floats as float64, no ext types).
public indirect enum MessagePackValue: Sendable, Equatable {
    case nil_
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case binary([UInt8])
    case array([MessagePackValue])
    /// Pairs in their order on the wire; hypha-rpc's unpacker refuses keys that are not strings.
    case map([(MessagePackValue, MessagePackValue)])

    public static func == (lhs: MessagePackValue, rhs: MessagePackValue) -> Bool {
        switch (lhs, rhs) {
        case (.nil_, .nil_): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.uint(let a), .uint(let b)): return a == b
        case (.int(let a), .uint(let b)), (.uint(let b), .int(let a)): return a >= 0 && UInt64(a) == b
        case (.double(let a), .double(let b)): return a == b || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): return a == b
        case (.binary(let a), .binary(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.map(let a), .map(let b)): return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public subscript(key: String) -> MessagePackValue? {
        guard case .map(let pairs) = self else { return nil }
        return pairs.first { $0.0 == .string(key) }?.1
    }

    public var stringValue: String? { if case .string(let value) = self { return value } else { return nil } }
    public var arrayValue: [MessagePackValue]? { if case .array(let value) = self { return value } else { return nil } }
    public var isNil: Bool { if case .nil_ = self { return true } else { return false } }
    public var boolValue: Bool? { if case .bool(let value) = self { return value } else { return nil } }
    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .uint(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }
}

/// Named limits of the decoder: a frame comes from the network.
public enum MessagePackLimits {
    /// How deep arrays and maps may nest.
    public static let depthMax = 64
    /// Values one message may decode to: each takes far more memory than its byte on the wire.
    public static let nodeCountMax = 200_000
}

public struct MessagePackError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Decodes msgpack values one after another from a byte buffer. Every length is checked against
/// what is left of the input before anything is allocated, so a forged length cannot make it
/// reserve memory the frame does not hold.
public struct MessagePackDecoder {
    private let bytes: [UInt8]
    public private(set) var offset = 0
    private var nodeCount = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { offset >= bytes.count }

    public mutating func decode() throws(MessagePackError) -> MessagePackValue {
        try value(depth: 0)
    }

    private mutating func byte() throws(MessagePackError) -> UInt8 {
        guard offset < bytes.count else { throw MessagePackError("truncated msgpack value") }
        defer { offset += 1 }
        return bytes[offset]
    }

    private mutating func take(_ count: Int) throws(MessagePackError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - offset else { throw MessagePackError("msgpack length \(count) runs past the end of the frame") }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    private mutating func unsigned(_ width: Int) throws(MessagePackError) -> UInt64 {
        var value: UInt64 = 0
        for byte in try take(width) { value = value << 8 | UInt64(byte) }
        return value
    }

    private mutating func length(_ width: Int) throws(MessagePackError) -> Int {
        let value = try unsigned(width)
        guard value <= UInt64(bytes.count) else { throw MessagePackError("msgpack length \(value) runs past the end of the frame") }
        return Int(value)
    }

    private mutating func string(_ count: Int) throws(MessagePackError) -> MessagePackValue {
        let slice = try take(count)
        guard let text = String(validating: slice, as: UTF8.self) else { throw MessagePackError("msgpack string is not UTF-8") }
        return .string(text)
    }

    private mutating func array(_ count: Int, depth: Int) throws(MessagePackError) -> MessagePackValue {
        // Every element takes at least one byte.
        guard count <= bytes.count - offset else { throw MessagePackError("msgpack array of \(count) runs past the end of the frame") }
        var items: [MessagePackValue] = []
        items.reserveCapacity(count)
        for _ in 0..<count { items.append(try value(depth: depth + 1)) }
        return .array(items)
    }

    private mutating func map(_ count: Int, depth: Int) throws(MessagePackError) -> MessagePackValue {
        guard count <= (bytes.count - offset) / 2 else { throw MessagePackError("msgpack map of \(count) runs past the end of the frame") }
        var pairs: [(MessagePackValue, MessagePackValue)] = []
        pairs.reserveCapacity(count)
        for _ in 0..<count {
            let key = try value(depth: depth + 1)
            switch key {
            case .string, .binary: break
            default: throw MessagePackError("msgpack map key is not a string")
            }
            pairs.append((key, try value(depth: depth + 1)))
        }
        return .map(pairs)
    }

    private mutating func value(depth: Int) throws(MessagePackError) -> MessagePackValue {
        guard depth <= MessagePackLimits.depthMax else { throw MessagePackError("msgpack nests deeper than \(MessagePackLimits.depthMax)") }
        nodeCount += 1
        guard nodeCount <= MessagePackLimits.nodeCountMax else {
            throw MessagePackError("a message may hold at most \(MessagePackLimits.nodeCountMax) values")
        }
        let head = try byte()
        switch head {
        case 0x00...0x7F: return .int(Int64(head))
        case 0x80...0x8F: return try map(Int(head & 0x0F), depth: depth)
        case 0x90...0x9F: return try array(Int(head & 0x0F), depth: depth)
        case 0xA0...0xBF: return try string(Int(head & 0x1F))
        case 0xC0: return .nil_
        case 0xC2: return .bool(false)
        case 0xC3: return .bool(true)
        case 0xC4: return .binary(Array(try take(try length(1))))
        case 0xC5: return .binary(Array(try take(try length(2))))
        case 0xC6: return .binary(Array(try take(try length(4))))
        case 0xCA: return .double(Double(Float(bitPattern: UInt32(try unsigned(4)))))
        case 0xCB: return .double(Double(bitPattern: try unsigned(8)))
        case 0xCC: return .int(Int64(try unsigned(1)))
        case 0xCD: return .int(Int64(try unsigned(2)))
        case 0xCE: return .int(Int64(try unsigned(4)))
        case 0xCF:
            let value = try unsigned(8)
            return value <= UInt64(Int64.max) ? .int(Int64(value)) : .uint(value)
        case 0xD0: return .int(Int64(Int8(bitPattern: UInt8(try unsigned(1)))))
        case 0xD1: return .int(Int64(Int16(bitPattern: UInt16(try unsigned(2)))))
        case 0xD2: return .int(Int64(Int32(bitPattern: UInt32(try unsigned(4)))))
        case 0xD3: return .int(Int64(bitPattern: try unsigned(8)))
        case 0xD9: return try string(try length(1))
        case 0xDA: return try string(try length(2))
        case 0xDB: return try string(try length(4))
        case 0xDC: return try array(try length(2), depth: depth)
        case 0xDD: return try array(try length(4), depth: depth)
        case 0xDE: return try map(try length(2), depth: depth)
        case 0xDF: return try map(try length(4), depth: depth)
        case 0xE0...0xFF: return .int(Int64(Int8(bitPattern: head)))
        default: throw MessagePackError("msgpack type 0x\(String(head, radix: 16)) is not supported")
        }
    }
}

/// Encodes values as msgpack-python packs them: the smallest integer form, float64, str for
/// text and bin for bytes.
public enum MessagePackEncoder {
    public static func encode(_ value: MessagePackValue) -> [UInt8] {
        var out: [UInt8] = []
        encode(value, into: &out)
        return out
    }

    private static func append(_ value: UInt64, width: Int, into out: inout [UInt8]) {
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    private static func header(_ count: Int, small: UInt8?, smallMax: Int, codes: (UInt8, UInt8, UInt8?), into out: inout [UInt8]) {
        if let small, count <= smallMax {
            out.append(small | UInt8(count))
        } else if let code8 = codes.2, count <= 0xFF {
            out.append(code8)
            out.append(UInt8(count))
        } else if count <= 0xFFFF {
            out.append(codes.0)
            append(UInt64(count), width: 2, into: &out)
        } else {
            out.append(codes.1)
            append(UInt64(count), width: 4, into: &out)
        }
    }

    public static func encode(_ value: MessagePackValue, into out: inout [UInt8]) {
        switch value {
        case .nil_: out.append(0xC0)
        case .bool(let flag): out.append(flag ? 0xC3 : 0xC2)
        case .uint(let number):
            if number <= UInt64(Int64.max) {
                encode(.int(Int64(number)), into: &out)
            } else {
                out.append(0xCF)
                append(number, width: 8, into: &out)
            }
        case .int(let number):
            switch number {
            case 0...0x7F: out.append(UInt8(number))
            case -32..<0: out.append(UInt8(bitPattern: Int8(number)))
            case 0x80...0xFF:
                out.append(0xCC)
                out.append(UInt8(number))
            case 0x100...0xFFFF:
                out.append(0xCD)
                append(UInt64(number), width: 2, into: &out)
            case 0x10000...0xFFFF_FFFF:
                out.append(0xCE)
                append(UInt64(number), width: 4, into: &out)
            case 0x1_0000_0000...Int64.max:
                out.append(0xCF)
                append(UInt64(number), width: 8, into: &out)
            case -128 ..< -32:
                out.append(0xD0)
                out.append(UInt8(bitPattern: Int8(number)))
            case -32768 ..< -128:
                out.append(0xD1)
                append(UInt64(UInt16(bitPattern: Int16(number))), width: 2, into: &out)
            case -2_147_483_648 ..< -32768:
                out.append(0xD2)
                append(UInt64(UInt32(bitPattern: Int32(number))), width: 4, into: &out)
            default:
                out.append(0xD3)
                append(UInt64(bitPattern: number), width: 8, into: &out)
            }
        case .double(let number):
            out.append(0xCB)
            append(number.bitPattern, width: 8, into: &out)
        case .string(let text):
            let utf8 = Array(text.utf8)
            header(utf8.count, small: 0xA0, smallMax: 31, codes: (0xDA, 0xDB, 0xD9), into: &out)
            out += utf8
        case .binary(let data):
            header(data.count, small: nil, smallMax: -1, codes: (0xC5, 0xC6, 0xC4), into: &out)
            out += data
        case .array(let items):
            header(items.count, small: 0x90, smallMax: 15, codes: (0xDC, 0xDD, nil), into: &out)
            for item in items { encode(item, into: &out) }
        case .map(let pairs):
            header(pairs.count, small: 0x80, smallMax: 15, codes: (0xDE, 0xDF, nil), into: &out)
            for (key, item) in pairs {
                encode(key, into: &out)
                encode(item, into: &out)
            }
        }
    }
}
