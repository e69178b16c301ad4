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

    public mutating func open(_ name: String) { append("<\(name)>") }

    public mutating func close(_ name: String) { append("</\(name)>") }

    /// `<name>escaped text</name>`.
    public mutating func element(_ name: String, _ text: String) {
        append("<\(name)>")
        Self.escape(text, into: &bytes)
        append("</\(name)>")
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
    public static func escape(_ text: String, into output: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): output.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): output.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): output.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): output.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): output.append(contentsOf: "&apos;".utf8)
            case 0..<0x20 where byte != 0x09:
                output.append(contentsOf: "&#x\(String(byte, radix: 16, uppercase: true));".utf8)
            default: output.append(byte)
            }
        }
    }

    public static func escape(_ text: String) -> String {
        var output = [UInt8]()
        escape(text, into: &output)
        return String(decoding: output, as: UTF8.self)
    }
}
