import Foundation
import SporeJSON

// Hypha runs list/search as SQL on its default database, SQLite: what matches and how results sort is SQLite's
// behaviour on the JSON text Python stored. These helpers reproduce the pieces of it the queries touch.

/// A value as SQLite holds it in an expression.
enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    /// What `json_extract` returns for the node at a path: strings decoded, true/false as 1/0, arrays and objects as
    /// the minified JSON text SQLite keeps (Python's ASCII-escaped text without the spaces).
    init(extracting node: JSONValue?) {
        switch node {
        case nil, .null?: self = .null
        case .bool(let value)?: self = .integer(value ? 1 : 0)
        case .int(let value)?: self = .integer(value)
        case .double(let value)?: self = .real(value)
        case .string(let value)?: self = .text(value)
        case let node?: self = .text(PythonText.jsonDumps(node, compact: true))
        }
    }

    /// A Python value bound as a statement parameter by sqlite3: bool is an int, None is NULL; a list or dict cannot be
    /// bound and fails the statement.
    init(binding value: JSONValue) throws(ArtifactQueryError) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .integer(flag ? 1 : 0)
        case .int(let number): self = .integer(number)
        case .double(let number): self = .real(number)
        case .string(let text): self = .text(text)
        case .array, .object:
            throw ArtifactQueryError(.programmingError, "Error binding parameter: type '\(PythonText.typeName(value))' is not supported")
        }
    }

    var isNull: Bool { self == .null }

    var isNumeric: Bool {
        switch self {
        case .integer, .real: return true
        default: return false
        }
    }

    private var number: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .real(let value): return value
        default: return nil
        }
    }

    /// The value as text, as LIKE and TEXT affinity convert it: integers in decimal, reals as `%!.15g`.
    var textValue: String? {
        switch self {
        case .null: return nil
        case .integer(let value): return String(value)
        case .real(let value): return Self.realText(value)
        case .text(let value): return value
        }
    }

    /// TEXT affinity (a text column compared with a bound value): numbers become their text.
    var withTextAffinity: SQLValue { textValue.map(SQLValue.text) ?? .null }

    /// NUMERIC affinity (a number column compared with a bound value): text that reads as a number becomes one.
    var withNumericAffinity: SQLValue {
        guard case .text(let raw) = self else { return self }
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard Self.looksNumeric(text) else { return self }
        if let integer = Int64(text) { return .integer(integer) }
        return Double(text).map(SQLValue.real) ?? self
    }

    /// SQLite's order of values: NULL, then numbers by value, then text by bytes (the BINARY collation).
    static func order(_ lhs: SQLValue, _ rhs: SQLValue) -> Int {
        func rank(_ value: SQLValue) -> Int {
            switch value {
            case .null: return 0
            case .integer, .real: return 1
            case .text: return 2
            }
        }
        let (left, right) = (rank(lhs), rank(rhs))
        if left != right { return left < right ? -1 : 1 }
        switch (lhs, rhs) {
        case (.integer(let a), .integer(let b)): return a == b ? 0 : (a < b ? -1 : 1)
        case (.text(let a), .text(let b)):
            if a == b { return 0 }
            return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
        default:
            let (a, b) = (lhs.number ?? 0, rhs.number ?? 0)
            return a == b ? 0 : (a < b ? -1 : 1)
        }
    }

    /// A comparison in a WHERE clause: NULL on either side is never true.
    static func compare(_ lhs: SQLValue, _ rhs: SQLValue) -> Int? {
        if lhs.isNull || rhs.isNull { return nil }
        return order(lhs, rhs)
    }

    /// SQLite's real-to-text conversion, `%!.15g`: 15 significant digits, always a `.0` in the mantissa.
    static func realText(_ value: Double) -> String {
        if value == 0 { return "0.0" }
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-Inf" : "Inf") }
        var text = String(format: "%.15g", value)
        if let exponent = text.firstIndex(of: "e") {
            if !text[..<exponent].contains(".") { text.insert(contentsOf: ".0", at: exponent) }
        } else if !text.contains(".") {
            text += ".0"
        }
        return text
    }

    /// Whether text is a decimal number SQLite's NUMERIC affinity converts (no hex, no inf/nan).
    private static func looksNumeric(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        let integerDigits = bytes.prefix(while: isDigit).count
        bytes = bytes.dropFirst(integerDigits)
        var fractionDigits = 0
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            fractionDigits = bytes.prefix(while: isDigit).count
            bytes = bytes.dropFirst(fractionDigits)
        }
        guard integerDigits + fractionDigits > 0 else { return false }
        if let marker = bytes.first, marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            let exponentDigits = bytes.prefix(while: isDigit).count
            guard exponentDigits > 0 else { return false }
            bytes = bytes.dropFirst(exponentDigits)
        }
        return bytes.isEmpty
    }
}

/// SQLite's LIKE without an ESCAPE clause: `%` any run, `_` one character, ASCII letters case-insensitive (SQLite
/// folds nothing else).
enum SQLLike {
    static func matches(_ text: String, pattern: String) -> Bool {
        let subject = Array(text.unicodeScalars).map(fold)
        let pattern = Array(pattern.unicodeScalars).map(fold)
        var (s, p) = (0, 0)
        var backtrack: (pattern: Int, subject: Int)?
        while s < subject.count {
            if p < pattern.count, pattern[p] == "%" {
                backtrack = (p, s)
                p += 1
            } else if p < pattern.count, pattern[p] == "_" || pattern[p] == subject[s] {
                p += 1
                s += 1
            } else if let (starPattern, starSubject) = backtrack {
                p = starPattern + 1
                s = starSubject + 1
                backtrack = (starPattern, starSubject + 1)
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "%" { p += 1 }
        return p == pattern.count
    }

    /// Whether `needle` occurs in `haystack`, ASCII case-insensitively: a keyword's `LIKE '%kw%' ESCAPE '\'`.
    static func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
        let needle = needle.utf8.map(foldByte)
        if needle.isEmpty { return true }
        guard haystack.count >= needle.count else { return false }
        outer: for start in 0...(haystack.count - needle.count) {
            for offset in 0..<needle.count where foldByte(haystack[start + offset]) != needle[offset] { continue outer }
            return true
        }
        return false
    }

    private static func fold(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        guard scalar.value >= 0x41, scalar.value <= 0x5A, let lower = Unicode.Scalar(scalar.value + 0x20) else { return scalar }
        return lower
    }

    static func foldByte(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte }
}

/// A JSON path as SQLite's `json_extract` reads it: `$`, then `.label` (anything up to the next `.` or `[`),
/// `."quoted label"`, `[N]` or `[#-N]`. Hypha builds `$.{filter key}`, so a dotted key walks into nested objects.
///
/// SQLite reads the path while walking the document, so a malformed step only fails a row that gets that far: a
/// path malformed at its first step fails the statement (`JSON path error near '…'`); one malformed later is kept as
/// an unreachable step and extracts nothing (where SQLite would fail on a row that has the prefix).
struct SQLiteJSONPath: Sendable, Hashable {
    enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
        case fromEnd(Int)
        case malformed
    }

    let steps: [Step]

    init(_ path: String) throws(ArtifactQueryError) {
        var rest = Substring(path)
        guard rest.first == "$" else { throw Self.error(near: rest) }
        rest = rest.dropFirst()
        var steps: [Step] = []
        while !rest.isEmpty {
            guard let step = Self.step(&rest) else {
                if steps.isEmpty { throw Self.error(near: rest) }
                steps.append(.malformed)
                break
            }
            steps.append(step)
        }
        self.steps = steps
    }

    /// Reads one step off the front of `rest`; nil when it is malformed (`rest` then starts where SQLite complains).
    private static func step(_ rest: inout Substring) -> Step? {
        switch rest.first {
        case ".":
            let afterDot = rest.dropFirst()
            if afterDot.first == "\"" {
                let label = afterDot.dropFirst()
                guard let close = label.firstIndex(of: "\"") else { return nil }
                rest = label[label.index(after: close)...]
                return .key(String(label[..<close]))
            }
            let label = afterDot.prefix { $0 != "." && $0 != "[" }
            guard !label.isEmpty else {
                rest = afterDot
                return nil
            }
            rest = afterDot.dropFirst(label.count)
            return .key(String(label))
        case "[":
            let body = rest.dropFirst()
            guard let close = body.firstIndex(of: "]") else { return nil }
            let inside = body[..<close]
            let step: Step
            if inside.hasPrefix("#-"), let count = Int(inside.dropFirst(2)), count >= 0 {
                step = .fromEnd(count)
            } else if !inside.isEmpty, inside.allSatisfy(\.isASCIIDigitCharacter), let index = Int(inside) {
                step = .index(index)
            } else {
                return nil
            }
            rest = body[body.index(after: close)...]
            return step
        default:
            return nil
        }
    }

    /// The path `json_extract(column, '$.{key}')` uses for a filter or order key.
    init(key: String) throws(ArtifactQueryError) { try self.init("$." + key) }

    /// The node at the path, or nil when it leads nowhere.
    func extract(from root: JSONValue) -> JSONValue? {
        var node = root
        for step in steps {
            switch (step, node) {
            case (.key(let label), .object(let object)):
                guard let next = Self.member(object, label) else { return nil }
                node = next
            case (.index(let index), .array(let items)):
                guard items.indices.contains(index) else { return nil }
                node = items[index]
            case (.fromEnd(let count), .array(let items)):
                let index = items.count - count
                guard items.indices.contains(index) else { return nil }
                node = items[index]
            default:
                return nil
            }
        }
        return node
    }

    /// The member a label names. SQLite (3.40, what Hypha's images ship) compares labels with the key as written in
    /// the stored text, which Python ASCII-escaped: `$.kéy` misses the key `kéy` (stored `k\u00e9y`), `$.k\u00e9y` finds it.
    private static func member(_ object: JSONObject, _ label: String) -> JSONValue? {
        let plain = label.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value <= 0x7E && $0 != "\\" && $0 != "\"" }
        if plain { return object[label] }
        for (key, value) in object where PythonText.jsonDumps(.string(key), compact: true).dropFirst().dropLast() == label {
            return value
        }
        return nil
    }

    private static func error(near rest: Substring) -> ArtifactQueryError {
        ArtifactQueryError(.operationalError, "JSON path error near '\(rest)'")
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
