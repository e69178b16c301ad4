/// A member's compression method as stored in its headers; only stored and deflated can be read here.
public struct ZipCompressionMethod: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The method number from the header; unknown methods are kept so callers can name them in errors.
    public var rawValue: UInt16

    /// Wraps a method number as read from a header.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// Method 0: the bytes as they are, so a `Range` of the member maps directly onto the archive.
    public static let stored = ZipCompressionMethod(rawValue: 0)
    /// Method 8: raw deflate, readable with `ZipInflater`.
    public static let deflated = ZipCompressionMethod(rawValue: 8)

    /// The method for error messages and listings.
    public var description: String {
        switch self {
        case .stored: "stored"
        case .deflated: "deflated"
        default: "method \(rawValue)"
        }
    }
}

/// One member as the central directory describes it, with ZIP64 and extended-timestamp fields applied.
public struct ZipDirectoryEntry: Sendable, Equatable {
    /// The member's path: UTF-8 when flag bit 11 or an Info-ZIP Unicode path field says so, else UTF-8
    /// when the bytes happen to be valid UTF-8 (as many tools write without the flag), else CP437.
    public var name: String
    /// How the data is compressed: decides whether a `Range` can be served directly (stored) or needs inflating.
    public var method: ZipCompressionMethod
    /// The general-purpose bit flags, kept so callers can refuse what they do not handle.
    public var flags: UInt16
    /// CRC-32 of the uncompressed data, which `ZipInflater` verifies at the end.
    public var crc32: UInt32
    /// The member's length in the archive (after compression).
    public var compressedByteCount: UInt64
    /// The member's length once decompressed; `ZipInflater` refuses output beyond it.
    public var uncompressedByteCount: UInt64
    /// Where the member's local header starts; `ZipDirectory.dataRange(of:readRange:)` finds its data.
    public var localHeaderOffset: UInt64
    /// Unix seconds: the extended timestamp when present, else the DOS date and time read as UTC.
    public var modifiedSeconds: Int64
    /// Whether the name ends with `/`: a directory entry, which has no data.
    public var isDirectory: Bool

    /// Encrypted members (flag bit 0) cannot be served: their data is not the member's bytes.
    public var isEncrypted: Bool { flags & ZipFormat.flagEncrypted != 0 }

    /// Creates an entry; the reader makes these, callers may for tests or for caching a parsed directory.
    public init(
        name: String, method: ZipCompressionMethod, flags: UInt16, crc32: UInt32, compressedByteCount: UInt64,
        uncompressedByteCount: UInt64, localHeaderOffset: UInt64, modifiedSeconds: Int64, isDirectory: Bool
    ) {
        self.name = name
        self.method = method
        self.flags = flags
        self.crc32 = crc32
        self.compressedByteCount = compressedByteCount
        self.uncompressedByteCount = uncompressedByteCount
        self.localHeaderOffset = localHeaderOffset
        self.modifiedSeconds = modifiedSeconds
        self.isDirectory = isDirectory
    }

    /// Parses one central directory header at the reader's position, leaving it just past the header.
    /// `centralDirectoryOffset` bounds where local headers and data may lie.
    static func parse(_ reader: inout ZipByteReader, centralDirectoryOffset: UInt64) throws(ZipError) -> ZipDirectoryEntry {
        let start = reader.position
        guard try reader.u32() == ZipFormat.centralHeaderSignature else {
            throw ZipError("no central directory header signature at central directory byte \(start - reader.bytes.startIndex)")
        }
        _ = try reader.u16()  // version made by
        _ = try reader.u16()  // version needed
        let flags = try reader.u16()
        let method = ZipCompressionMethod(rawValue: try reader.u16())
        let dosTime = try reader.u16()
        let dosDate = try reader.u16()
        let crc32 = try reader.u32()
        let compressed32 = try reader.u32()
        let uncompressed32 = try reader.u32()
        let nameLength = Int(try reader.u16())
        let extraLength = Int(try reader.u16())
        let commentLength = Int(try reader.u16())
        let disk16 = try reader.u16()
        _ = try reader.u16()  // internal attributes
        _ = try reader.u32()  // external attributes
        let offset32 = try reader.u32()
        let rawName = try reader.take(nameLength)
        let extra = try reader.take(extraLength)
        _ = try reader.take(commentLength)

        var compressed = UInt64(compressed32)
        var uncompressed = UInt64(uncompressed32)
        var offset = UInt64(offset32)
        var disk = UInt32(disk16)
        var modified = ZipTime.unixSeconds(dosTime: dosTime, dosDate: dosDate)
        var unicodeName: String?
        var extras = ZipByteReader(extra, context: "the extra field of \(ZipName.quoted(rawName))")
        while extras.remaining >= 4 {
            let tag = try extras.u16()
            let size = Int(try extras.u16())
            var field = ZipByteReader(try extras.take(size), context: "extra field 0x\(String(tag, radix: 16)) of \(ZipName.quoted(rawName))")
            switch tag {
            case ZipFormat.zip64ExtraTag:
                // Present only for the fields whose classic slot holds the sentinel, in this order.
                if uncompressed32 == ZipFormat.sentinel32 { uncompressed = try field.u64() }
                if compressed32 == ZipFormat.sentinel32 { compressed = try field.u64() }
                if offset32 == ZipFormat.sentinel32 { offset = try field.u64() }
                if disk16 == ZipFormat.sentinel16 { disk = try field.u32() }
            case ZipFormat.extendedTimestampTag:
                if size >= 5, try field.take(1).first.map({ $0 & 1 != 0 }) == true {
                    modified = Int64(Int32(bitPattern: try field.u32()))
                }
            case ZipFormat.unicodePathTag:
                // Info-ZIP Unicode Path: version 1, CRC-32 of the raw name it replaces, then UTF-8.
                if size >= 5, try field.take(1).first == 1, try field.u32() == ZipCRC32.checksum(rawName) {
                    let utf8 = try field.take(field.remaining)
                    try ZipName.validate(utf8)
                    unicodeName = String(validating: utf8, as: UTF8.self)
                }
            default:
                break
            }
        }

        try ZipName.validate(rawName)
        guard let name = unicodeName ?? decodeName(rawName, utf8Flag: flags & ZipFormat.flagUTF8 != 0) else {
            throw ZipError("entry name \(ZipName.quoted(rawName)) is flagged UTF-8 but is not valid UTF-8")
        }
        guard disk == 0 else { throw ZipError("entry \(ZipName.quoted(rawName)) is on disk \(disk): multi-disk archives are not supported") }
        let localEnd = try ZipMath.add(offset, UInt64(ZipFormat.localHeaderBytes), "a local header offset")
        guard localEnd <= centralDirectoryOffset, compressed <= centralDirectoryOffset - localEnd else {
            throw ZipError("entry \(ZipName.quoted(rawName)) at offset \(offset) with \(compressed) bytes does not fit before the central directory")
        }
        guard uncompressed <= ZipLimits.maximumMemberBytes else {
            throw ZipError("entry \(ZipName.quoted(rawName)) declares \(uncompressed) bytes, more than \(ZipLimits.maximumMemberBytes)")
        }
        let (expandable, overflow) = compressed.multipliedReportingOverflow(by: ZipLimits.maximumDeflateRatio)
        if method == .deflated, !overflow, uncompressed > expandable + 1024 {
            throw ZipError("deflated entry \(ZipName.quoted(rawName)) declares \(uncompressed) bytes from \(compressed): more than deflate can expand")
        }
        if method == .stored && flags & ZipFormat.flagEncrypted == 0 && compressed != uncompressed {
            throw ZipError("stored entry \(ZipName.quoted(rawName)) has sizes \(compressed) and \(uncompressed), which must be equal")
        }
        let isDirectory = rawName.last == UInt8(ascii: "/")
        return ZipDirectoryEntry(
            name: name, method: method, flags: flags, crc32: crc32, compressedByteCount: compressed,
            uncompressedByteCount: uncompressed, localHeaderOffset: offset, modifiedSeconds: modified, isDirectory: isDirectory)
    }

    /// UTF-8 when flagged (nil if invalid); otherwise UTF-8 if valid, else CP437 as the format specifies.
    static func decodeName(_ bytes: ArraySlice<UInt8>, utf8Flag: Bool) -> String? {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        if utf8Flag { return nil }
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            scalars.append(byte < 0x80 ? Unicode.Scalar(byte) : cp437High[Int(byte) - 0x80])
        }
        return String(scalars)
    }

    /// Code page 437, bytes 0x80–0xFF, the zip format's default name encoding.
    static let cp437High: [Unicode.Scalar] = {
        let table = Array(
            ("ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»"
                + "░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀"
                + "αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{00A0}").unicodeScalars)
        precondition(table.count == 128, "the CP437 table must have 128 entries")
        return table
    }()
}
