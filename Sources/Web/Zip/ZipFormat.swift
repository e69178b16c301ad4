/// Record signatures, fixed sizes and sentinel values of the zip format (APPNOTE 6.3.x), in one place
/// so the writer and the reader cannot drift apart.
enum ZipFormat {
    static let localHeaderSignature: UInt32 = 0x0403_4b50
    static let centralHeaderSignature: UInt32 = 0x0201_4b50
    static let endOfCentralDirectorySignature: UInt32 = 0x0605_4b50
    static let zip64EndOfCentralDirectorySignature: UInt32 = 0x0606_4b50
    static let zip64LocatorSignature: UInt32 = 0x0706_4b50

    static let localHeaderBytes = 30
    static let centralHeaderBytes = 46
    static let endOfCentralDirectoryBytes = 22
    static let zip64EndOfCentralDirectoryBytes = 56
    static let zip64LocatorBytes = 20

    /// A 32-bit size or offset field holding this means "see the ZIP64 extra field".
    static let sentinel32: UInt32 = 0xFFFF_FFFF
    /// A 16-bit count field holding this means "see the ZIP64 end record".
    static let sentinel16: UInt16 = 0xFFFF

    static let zip64ExtraTag: UInt16 = 0x0001
    static let extendedTimestampTag: UInt16 = 0x5455
    static let unicodePathTag: UInt16 = 0x7075

    /// General-purpose flag bit 0: the member is encrypted.
    static let flagEncrypted: UInt16 = 1 << 0
    /// General-purpose flag bit 11: name and comment are UTF-8.
    static let flagUTF8: UInt16 = 1 << 11

    /// Version needed to extract: 2.0 for plain stored or deflated members, 4.5 once ZIP64 fields appear.
    static let versionDefault: UInt16 = 20
    static let versionZip64: UInt16 = 45
    /// "Version made by" high byte: 3 = Unix, so the external attributes carry a Unix mode that unzip applies.
    static let madeByUnix: UInt16 = 3 << 8

    /// External attributes: Unix mode in the high 16 bits (regular file 0644, directory 0755 plus MS-DOS bit 0x10).
    static let fileAttributes: UInt32 = 0o100644 << 16
    static let directoryAttributes: UInt32 = 0o040755 << 16 | 0x10
}

/// Appends little-endian fields to a byte array; the writer's only way of producing header bytes.
struct ZipByteWriter {
    var bytes: [UInt8]

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
    }

    mutating func u32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func u64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func append(_ other: some Sequence<UInt8>) {
        bytes.append(contentsOf: other)
    }
}

/// Reads little-endian fields from untrusted bytes; every read is bounds-checked and throws instead of trapping.
struct ZipByteReader {
    let bytes: ArraySlice<UInt8>
    private(set) var position: Int
    /// Names the structure being read, for error messages.
    let context: String

    init(_ bytes: ArraySlice<UInt8>, context: String) {
        self.bytes = bytes
        self.position = bytes.startIndex
        self.context = context
    }

    var remaining: Int { bytes.endIndex - position }

    mutating func take(_ count: Int) throws(ZipError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw ZipError("\(context) is truncated: needs \(count) more bytes, has \(remaining)")
        }
        defer { position += count }
        return bytes[position..<position + count]
    }

    mutating func u16() throws(ZipError) -> UInt16 {
        let field = try take(2)
        return UInt16(field[field.startIndex]) | UInt16(field[field.startIndex + 1]) << 8
    }

    mutating func u32() throws(ZipError) -> UInt32 {
        let field = try take(4)
        var value: UInt32 = 0
        for (shift, byte) in field.enumerated() { value |= UInt32(byte) << UInt32(shift * 8) }
        return value
    }

    mutating func u64() throws(ZipError) -> UInt64 {
        let field = try take(8)
        var value: UInt64 = 0
        for (shift, byte) in field.enumerated() { value |= UInt64(byte) << UInt64(shift * 8) }
        return value
    }
}

/// Overflow-checked arithmetic on offsets and sizes that came from an archive: a forged 64-bit field
/// must produce a `ZipError`, not a trap.
enum ZipMath {
    static func add(_ lhs: UInt64, _ rhs: UInt64, _ what: @autoclosure () -> String) throws(ZipError) -> UInt64 {
        let (sum, overflow) = lhs.addingReportingOverflow(rhs)
        if overflow { throw ZipError("\(what()) overflows 64 bits") }
        return sum
    }
}

/// Conversions between Unix time and the MS-DOS date and time fields every zip header carries.
enum ZipTime {
    /// 1980-01-01T00:00:00Z, the earliest DOS date.
    static let earliestDOSSeconds: Int64 = 315_532_800
    /// 2107-12-31T23:59:58Z, the latest DOS date (seconds are stored halved).
    static let latestDOSSeconds: Int64 = 4_354_819_198

    /// The DOS (time, date) pair for a Unix time read as UTC, clamped to the DOS range. UTC rather than
    /// local time because a server has no meaningful local zone for the client; the extended timestamp
    /// field carries the exact value for tools that read it.
    static func dosTimeAndDate(unixSeconds: Int64) -> (time: UInt16, date: UInt16) {
        let seconds = min(max(unixSeconds, earliestDOSSeconds), latestDOSSeconds)
        let days = seconds / 86_400
        let secondOfDay = seconds % 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let time = UInt16(secondOfDay / 3600) << 11 | UInt16(secondOfDay % 3600 / 60) << 5 | UInt16(secondOfDay % 60 / 2)
        let date = UInt16(year - 1980) << 9 | UInt16(month) << 5 | UInt16(day)
        return (time, date)
    }

    /// The Unix time of a DOS (time, date) pair read as UTC; out-of-range fields are clamped rather than
    /// rejected because the timestamp is informational and old tools wrote odd values.
    static func unixSeconds(dosTime: UInt16, dosDate: UInt16) -> Int64 {
        let year = Int64(dosDate >> 9) + 1980
        let month = min(max(Int64(dosDate >> 5 & 0x0f), 1), 12)
        let day = min(max(Int64(dosDate & 0x1f), 1), 31)
        let hour = min(Int64(dosTime >> 11), 23)
        let minute = min(Int64(dosTime >> 5 & 0x3f), 59)
        let second = min(Int64(dosTime & 0x1f) * 2, 59)
        return daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    /// The value for the 32-bit signed extended-timestamp field, clamped (the field cannot go past 2038).
    static func extendedTimestamp(unixSeconds: Int64) -> UInt32 {
        UInt32(bitPattern: Int32(clamping: unixSeconds))
    }

    /// Proleptic Gregorian date from days since 1970-01-01 (Howard Hinnant's civil_from_days).
    static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
