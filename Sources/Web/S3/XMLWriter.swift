import Access
import HTTPSupport
import Objects

/// Builds the XML documents S3 answers with, by appending to one byte buffer.
public struct XMLWriter {
    public static let s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    public private(set) var bytes: [UInt8]

    public init() {
        bytes = Array(#"<?xml version="1.0" encoding="UTF-8"?>"#.utf8)
        bytes.reserveCapacity(1024)
    }

    /// Opens the root element, with the S3 namespace unless told otherwise.
    public mutating func openRoot(_ name: String, namespace: String? = XMLWriter.s3Namespace) {
        if let namespace {
            append("\n<\(name) xmlns=\"\(namespace)\">")
        } else {
            append("\n<\(name)>")
        }
    }

    // Tags are appended byte by byte rather than interpolated: a listing writes about ten per key.
    public mutating func open(_ name: String) {
        bytes.append(UInt8(ascii: "<"))
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: ">"))
    }

    public mutating func close(_ name: String) {
        bytes.append(UInt8(ascii: "<"))
        bytes.append(UInt8(ascii: "/"))
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: ">"))
    }

    /// `<name>escaped text</name>`.
    public mutating func element(_ name: String, _ text: String) {
        open(name)
        Self.escape(text, into: &bytes)
        close(name)
    }

    public mutating func element(_ name: String, _ value: some BinaryInteger) {
        append("<\(name)>\(value)</\(name)>")
    }

    public mutating func element(_ name: String, _ value: Bool) {
        append("<\(name)>\(value ? "true" : "false")</\(name)>")
    }

    /// Writes the element only when there is a value.
    public mutating func optionalElement(_ name: String, _ text: String?) {
        if let text { element(name, text) }
    }

    /// Appends raw markup (already well-formed).
    public mutating func raw(_ markup: String) { append(markup) }

    private mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Escapes markup characters, and characters XML 1.0 cannot hold literally as numeric references.
    /// Runs of bytes that need nothing are copied whole; most keys and values have no such byte.
    public static func escape(_ text: String, into output: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                let replacement: String
                switch byte {
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "\""): replacement = "&quot;"
                case UInt8(ascii: "'"): replacement = "&apos;"
                case 0..<0x20 where byte != 0x09: replacement = "&#x\(String(byte, radix: 16, uppercase: true));"
                default: continue
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                output.append(contentsOf: replacement.utf8)
                runStart = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
    }

    public static func escape(_ text: String) -> String {
        var output = [UInt8]()
        escape(text, into: &output)
        return String(decoding: output, as: UTF8.self)
    }
}
