import Access
import HTTPSupport
import Objects

/// User metadata values are opaque bytes on the wire; the index keeps them as strings with one
/// character (U+0000 … U+00FF) per byte, so they come back exactly as sent.
public enum MetadataBytes {
    public static func string(from bytes: some Collection<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }

    public static func bytes(of string: String) -> [UInt8] {
        string.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
    }

    /// The value as text, for JSON APIs: the bytes decoded as UTF-8 when they are valid UTF-8.
    public static func text(of string: String) -> String {
        let raw = bytes(of: string)
        return String(validating: raw, as: UTF8.self) ?? string
    }
}
