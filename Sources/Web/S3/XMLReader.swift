import Access
import HTTPSupport
import Objects

/// A parsed XML element: local name (namespace prefix removed), text content, children.
public struct XMLElement: Sendable, Equatable {
    public var name: String
    public var text: String
    public var children: [XMLElement]

    public func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    public func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }

    /// Text of the named child, or nil.
    public func value(_ name: String) -> String? { child(name)?.text }

    /// The element written back as XML (names, text and children; whitespace-only text dropped).
    public func serialized() -> String {
        if children.isEmpty { return "<\(name)>\(XMLWriter.escape(text))</\(name)>" }
        return "<\(name)>" + children.map { $0.serialized() }.joined() + "</\(name)>"
    }
}

/// Why a document was rejected.
public struct XMLParseError: Error, Equatable, CustomStringConvertible {
    public let reason: String
    public let offset: Int
    public var description: String { "malformed XML at byte \(offset): \(reason)" }
}

/// A small, strict XML parser for the request bodies S3 accepts (DeleteObjects,
/// CompleteMultipartUpload, configurations). It refuses DTDs (no entity expansion, no external
/// entities), bounds depth and element count, and keeps only element names and text.
public struct XMLReader {
    public static let depthMax = 32
    public static let elementCountMax = 100_000

    private let input: [UInt8]
    private var position = 0
    private var elementCount = 0

    private init(_ input: [UInt8]) { self.input = input }

    /// Parses a whole document and returns its root element.
    public static func parse(_ bytes: [UInt8]) throws(XMLParseError) -> XMLElement {
        var reader = XMLReader(bytes)
        return try reader.document()
    }

    private mutating func document() throws(XMLParseError) -> XMLElement {
        if input.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        try skipMisc()
        guard peek() == UInt8(ascii: "<") else { throw fail("expected the root element") }
        let root = try element(depth: 0)
        try skipMisc()
        guard position == input.count else { throw fail("content after the root element") }
        return root
    }

    /// Skips whitespace, the XML declaration, processing instructions and comments.
    private mutating func skipMisc() throws(XMLParseError) {
        while true {
            skipWhitespace()
            if starts("<?") {
                try skip(past: "?>")
            } else if starts("<!--") {
                try skip(past: "-->")
            } else if starts("<!") {
                throw fail("document type declarations are not accepted")
            } else {
                return
            }
        }
    }

    private mutating func element(depth: Int) throws(XMLParseError) -> XMLElement {
        guard depth < Self.depthMax else { throw fail("nesting deeper than \(Self.depthMax)") }
        elementCount += 1
        guard elementCount <= Self.elementCountMax else { throw fail("more than \(Self.elementCountMax) elements") }
        position += 1  // <
        let qualified = try name()
        // `<a:/>` or `<a:?/>` leave no valid local name: kept, they would serialize as `<></>` or
        // `<?></?>`, which no reader accepts (fuzzing found both).
        guard Self.isValidName(localName(qualified)) else { throw fail("<\(qualified)> is not a valid element name") }
        try attributes()
        var result = XMLElement(name: localName(qualified), text: "", children: [])
        if starts("/>") {
            position += 2
            return result
        }
        guard peek() == UInt8(ascii: ">") else { throw fail("expected >") }
        position += 1
        var text = [UInt8]()
        while true {
            guard position < input.count else { throw fail("unclosed element <\(qualified)>") }
            if starts("</") {
                position += 2
                let closing = try name()
                guard closing == qualified else { throw fail("</\(closing)> closes <\(qualified)>") }
                skipWhitespace()
                guard peek() == UInt8(ascii: ">") else { throw fail("expected >") }
                position += 1
                result.text = String(decoding: text, as: UTF8.self)
                return result
            } else if starts("<!--") {
                try skip(past: "-->")
            } else if starts("<![CDATA[") {
                position += 9
                let start = position
                try skip(past: "]]>")
                text.append(contentsOf: input[start..<(position - 3)])
            } else if starts("<?") {
                try skip(past: "?>")
            } else if starts("<!") {
                throw fail("declarations are not accepted inside elements")
            } else if peek() == UInt8(ascii: "<") {
                result.children.append(try element(depth: depth + 1))
            } else if peek() == UInt8(ascii: "&") {
                try reference(into: &text)
            } else {
                text.append(input[position])
                position += 1
            }
        }
    }

    private mutating func attributes() throws(XMLParseError) {
        while true {
            skipWhitespace()
            guard let byte = peek() else { throw fail("unexpected end in a tag") }
            if byte == UInt8(ascii: ">") || starts("/>") { return }
            _ = try name()
            skipWhitespace()
            guard peek() == UInt8(ascii: "=") else { throw fail("expected = after an attribute name") }
            position += 1
            skipWhitespace()
            guard let quote = peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw fail("attribute values are quoted")
            }
            position += 1
            while let next = peek(), next != quote {
                guard next != UInt8(ascii: "<") else { throw fail("< in an attribute value") }
                position += 1
            }
            guard peek() == quote else { throw fail("unterminated attribute value") }
            position += 1
        }
    }

    private mutating func reference(into text: inout [UInt8]) throws(XMLParseError) {
        guard let end = input[position...].firstIndex(of: UInt8(ascii: ";")), end - position <= 12 else {
            throw fail("unterminated entity reference")
        }
        let name = String(decoding: input[(position + 1)..<end], as: UTF8.self)
        position = end + 1
        switch name {
        case "lt": text.append(UInt8(ascii: "<"))
        case "gt": text.append(UInt8(ascii: ">"))
        case "amp": text.append(UInt8(ascii: "&"))
        case "quot": text.append(UInt8(ascii: "\""))
        case "apos": text.append(UInt8(ascii: "'"))
        default:
            var scalarValue: UInt32?
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                scalarValue = UInt32(name.dropFirst(2), radix: 16)
            } else if name.hasPrefix("#") {
                scalarValue = UInt32(name.dropFirst(), radix: 10)
            }
            guard let value = scalarValue, let scalar = Unicode.Scalar(value) else { throw fail("unknown entity &\(name);") }
            text.append(contentsOf: String(Character(scalar)).utf8)
        }
    }

    private mutating func name() throws(XMLParseError) -> String {
        let start = position
        while let byte = peek(), !Self.isNameEnd(byte) { position += 1 }
        guard position > start else { throw fail("expected a name") }
        return String(decoding: input[start..<position], as: UTF8.self)
    }

    private static func isNameEnd(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: ">"),
            UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "<"), UInt8(ascii: "\""), UInt8(ascii: "'"):
            return true
        default:
            return false
        }
    }

    /// XML's Name production, for the ASCII range (bytes over 0x7F are accepted as name characters,
    /// as the specification's ranges mostly do): a letter or `_` first, then letters, digits,
    /// `-`, `.`, `_` and `:`.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first else { return false }
        func isLetter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        }
        guard isLetter(first) || first == UInt8(ascii: "_") || first >= 0x80 else { return false }
        return name.utf8.allSatisfy { byte in
            isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte >= 0x80
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
        }
    }

    private func localName(_ qualified: String) -> String {
        guard let colon = qualified.lastIndex(of: ":") else { return qualified }
        return String(qualified[qualified.index(after: colon)...])
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    private mutating func skip(past terminator: String) throws(XMLParseError) {
        let bytes = Array(terminator.utf8)
        while position + bytes.count <= input.count {
            if input[position..<(position + bytes.count)].elementsEqual(bytes) {
                position += bytes.count
                return
            }
            position += 1
        }
        throw fail("missing \(terminator)")
    }

    private func peek() -> UInt8? { position < input.count ? input[position] : nil }

    private func starts(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard position + count <= input.count else { return false }
        return text.withUTF8Buffer { buffer in input[position..<(position + count)].elementsEqual(buffer) }
    }

    private func fail(_ reason: String) -> XMLParseError { XMLParseError(reason: reason, offset: position) }
}
