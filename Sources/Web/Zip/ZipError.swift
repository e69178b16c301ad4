/// Why a zip could not be laid out, read or decompressed.
///
/// One type with a human-readable message rather than an enum of cases: every failure comes from bad
/// input (a caller's file list or a stored archive), the HTTP layer maps all of them to one status,
/// and the message is what ends up in the response and the log.
public struct ZipError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, phrased for a log line or an error response.
    public var message: String

    /// Creates an error with a message that says what was wrong and, where useful, where.
    public init(_ message: String) {
        self.message = message
    }

    /// The message prefixed with "zip:", so a log line says which layer failed.
    public var description: String { "zip: \(message)" }
}

/// Limits shared by the writer and the reader, named so callers can quote them in errors and docs.
public enum ZipLimits {
    /// The most entries one archive may have, written or read. Both sides keep a few dozen bytes per
    /// entry in memory, so this bounds that memory (about 100 MB at the limit) and the work per request.
    public static let maximumEntryCount = 1_000_000

    /// The longest entry name in bytes of UTF-8: the name length field of a zip header is 16 bits.
    public static let maximumNameBytes = 65_535

    /// The largest central directory the reader will load. Its size is declared by the archive, so
    /// without a bound a forged end record could make the reader allocate and read gigabytes.
    public static let maximumCentralDirectoryBytes: UInt64 = 64 << 20

    /// The largest uncompressed size a member may declare (256 TiB). The size is the archive's word,
    /// and callers turn it into lengths and JSON integers: without a bound a forged ZIP64 field
    /// (2^63 and above) would not fit an `Int64`.
    public static let maximumMemberBytes: UInt64 = 1 << 48

    /// Deflate cannot expand data more than about 1032 times (a run of zeros); a deflated member
    /// declaring more than this ratio (plus a small allowance) of its compressed size is forged.
    public static let maximumDeflateRatio: UInt64 = 1032

    /// The largest comment an end-of-central-directory record can carry (its length field is 16 bits);
    /// the reader searches this much of the tail, plus the record itself, for the record.
    public static let maximumCommentBytes = 65_535
}

/// Checks entry names for both the writer and the reader so the two agree on what a safe name is.
enum ZipName {
    /// Throws unless `bytes` is a relative path without `..` segments that extraction could not turn
    /// into a write outside the target directory (zip-slip). Backslashes count as separators too,
    /// since Windows tools treat them so.
    static func validate(_ bytes: some Collection<UInt8>) throws(ZipError) {
        guard !bytes.isEmpty else { throw ZipError("an entry name is empty") }
        guard bytes.count <= ZipLimits.maximumNameBytes else {
            throw ZipError("an entry name is \(bytes.count) bytes, more than \(ZipLimits.maximumNameBytes)")
        }
        let slash = UInt8(ascii: "/")
        let backslash = UInt8(ascii: "\\")
        let dot = UInt8(ascii: ".")
        if let first = bytes.first, first == slash || first == backslash {
            throw ZipError("entry name \(quoted(bytes)) is an absolute path")
        }
        let array = Array(bytes)
        if array.count >= 2, array[1] == UInt8(ascii: ":"), isASCIILetter(array[0]) {
            throw ZipError("entry name \(quoted(bytes)) starts with a drive letter")
        }
        var segmentStart = 0
        for index in 0...array.count {
            if index < array.count {
                let byte = array[index]
                if byte == 0 { throw ZipError("entry name \(quoted(bytes)) contains a NUL byte") }
                if byte != slash && byte != backslash { continue }
            }
            if index - segmentStart == 2 && array[segmentStart] == dot && array[segmentStart + 1] == dot {
                throw ZipError("entry name \(quoted(bytes)) has a '..' segment")
            }
            segmentStart = index + 1
        }
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }

    /// The name for an error message: lossy UTF-8, cut to a length a log line can take.
    static func quoted(_ bytes: some Collection<UInt8>) -> String {
        let text = String(decoding: bytes.prefix(200), as: UTF8.self)
        return "\"\(text)\(bytes.count > 200 ? "…" : "")\""
    }
}
