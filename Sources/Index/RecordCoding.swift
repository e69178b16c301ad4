/// A compact, forward-compatible binary encoding for index records.
///
/// A record is a format byte followed by fields, each `tag (1 byte) | length (varint) | bytes`.
/// Readers skip tags they do not know, so a newer spore can add fields without a migration and an
/// older one can still read what it understands. Integers are LEB128 varints.
public struct RecordWriter {
    public private(set) var bytes: [UInt8]

    public init(format: UInt8, capacity: Int = 128) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(format)
    }

    public mutating func field(_ tag: UInt8, _ value: UInt64) {
        var encoded = [UInt8]()
        Self.appendVarint(value, to: &encoded)
        field(tag, bytes: encoded)
    }

    public mutating func field(_ tag: UInt8, _ value: Int64) {
        field(tag, UInt64(bitPattern: value))
    }

    public mutating func field(_ tag: UInt8, _ value: Bool) {
        field(tag, bytes: [value ? 1 : 0])
    }

    public mutating func field(_ tag: UInt8, _ value: String) {
        field(tag, bytes: Array(value.utf8))
    }

    public mutating func field(_ tag: UInt8, bytes value: [UInt8]) {
        bytes.append(tag)
        Self.appendVarint(UInt64(value.count), to: &bytes)
        bytes.append(contentsOf: value)
    }

    /// A field made of several length-prefixed parts (a name/value pair, a chunk …).
    public mutating func field(_ tag: UInt8, parts: [[UInt8]]) {
        var encoded = [UInt8]()
        for part in parts {
            Self.appendVarint(UInt64(part.count), to: &encoded)
            encoded.append(contentsOf: part)
        }
        field(tag, bytes: encoded)
    }

    public static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }
}

/// Reads records written by `RecordWriter`.
public struct RecordReader {
    private let bytes: [UInt8]
    private var position: Int
    public let format: UInt8

    public init(_ bytes: [UInt8]) throws(IndexError) {
        guard let first = bytes.first else { throw IndexError.corrupt("empty record") }
        self.bytes = bytes
        self.position = 1
        self.format = first
    }

    /// The next field, or nil at the end.
    public mutating func next() throws(IndexError) -> (tag: UInt8, value: ArraySlice<UInt8>)? {
        guard position < bytes.count else { return nil }
        let tag = bytes[position]
        position += 1
        let length = try Self.varint(bytes, &position)
        guard length <= UInt64(bytes.count - position) else { throw IndexError.corrupt("field \(tag) overruns its record") }
        let end = position + Int(length)
        defer { position = end }
        return (tag, bytes[position..<end])
    }

    public static func uint64(_ value: ArraySlice<UInt8>) throws(IndexError) -> UInt64 {
        var position = value.startIndex
        let result = try varint(value, &position)
        guard position == value.endIndex else { throw IndexError.corrupt("trailing bytes after an integer") }
        return result
    }

    public static func int64(_ value: ArraySlice<UInt8>) throws(IndexError) -> Int64 {
        Int64(bitPattern: try uint64(value))
    }

    public static func bool(_ value: ArraySlice<UInt8>) -> Bool { value.first == 1 }

    public static func string(_ value: ArraySlice<UInt8>) -> String { String(decoding: value, as: UTF8.self) }

    public static func parts(_ value: ArraySlice<UInt8>) throws(IndexError) -> [ArraySlice<UInt8>] {
        var result = [ArraySlice<UInt8>]()
        var position = value.startIndex
        while position < value.endIndex {
            let length = try varint(value, &position)
            guard length <= UInt64(value.endIndex - position) else { throw IndexError.corrupt("part overruns its field") }
            let end = position + Int(length)
            result.append(value[position..<end])
            position = end
        }
        return result
    }

    static func varint<Bytes: RandomAccessCollection>(_ bytes: Bytes, _ position: inout Bytes.Index) throws(IndexError) -> UInt64
    where Bytes.Element == UInt8, Bytes.Index == Int {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.endIndex, shift < 64 else { throw IndexError.corrupt("truncated varint") }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }
}

/// Big-endian fixed-width integers for LMDB keys, whose byte order must match numeric order.
public enum KeyBytes {
    public static func uint64(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - $0 * 8)) }
    }

    public static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        for index in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (56 - index * 8))) }
    }

    public static func readUInt64<Bytes: Collection>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        precondition(bytes.count >= 8, "a key integer is 8 bytes")
        return bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}

extension ContentHeaders {
    /// The six fields, in order, as key paths: object versions and multipart uploads store them at
    /// consecutive tags starting from their own first tag.
    static let recordFields: [any WritableKeyPath<ContentHeaders, String?> & Sendable] = [
        \.contentType, \.contentEncoding, \.contentDisposition, \.contentLanguage, \.cacheControl, \.expires,
    ]

    func encode(into writer: inout RecordWriter, firstTag: UInt8) {
        for (offset, field) in Self.recordFields.enumerated() {
            if let value = self[keyPath: field] { writer.field(firstTag + UInt8(offset), value) }
        }
    }

    /// The field stored at `tag`, one of the six from `firstTag`.
    mutating func decode(tag: UInt8, value: ArraySlice<UInt8>, firstTag: UInt8) {
        precondition(tag >= firstTag && Int(tag - firstTag) < Self.recordFields.count, "callers pass only the six header tags")
        self[keyPath: Self.recordFields[Int(tag - firstTag)]] = RecordReader.string(value)
    }
}
