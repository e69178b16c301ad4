/// A reader for the part of TOML a configuration file needs: `key = value` lines, `[table]`
/// headers (flattened to `table.key`), comments, and values that are basic or literal strings,
/// integers (with `_` separators), booleans, or one-line arrays of those.
enum TOMLSubset {
    struct ParseError: Error, CustomStringConvertible {
        let line: Int
        let reason: String
        var description: String { "line \(line): \(reason)" }
    }

    enum Value: Equatable {
        case string(String)
        case integer(Int64)
        case boolean(Bool)
        case array([Value])

        /// The value as the text an environment variable or flag would carry.
        var settingText: String {
            switch self {
            case .string(let text): return text
            case .integer(let number): return String(number)
            case .boolean(let flag): return flag ? "true" : "false"
            case .array(let values): return values.map(\.settingText).joined(separator: ",")
            }
        }
    }

    static func parse(_ text: String) throws -> [String: Value] {
        var result = [String: Value]()
        var table = ""
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = stripComment(String(rawLine)).trimming(" \t\r")
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), !line.hasPrefix("[[") else { throw ParseError(line: number, reason: "bad table header") }
                table = String(line.dropFirst().dropLast()).trimming(" \t")
                guard !table.isEmpty, table.allSatisfy(isBareKeyCharacter) else { throw ParseError(line: number, reason: "bad table name") }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { throw ParseError(line: number, reason: "expected key = value") }
            let key = String(line[..<equals]).trimming(" \t")
            guard !key.isEmpty, key.allSatisfy(isBareKeyCharacter) else { throw ParseError(line: number, reason: "bad key '\(key)'") }
            var rest = Substring(String(line[line.index(after: equals)...]).trimming(" \t"))
            let value = try parseValue(&rest, line: number)
            guard rest.trimming(" \t").isEmpty else { throw ParseError(line: number, reason: "unexpected text after the value") }
            let path = table.isEmpty ? key : "\(table).\(key)"
            guard result[path] == nil else { throw ParseError(line: number, reason: "duplicate key '\(path)'") }
            result[path] = value
        }
        return result
    }

    private static func isBareKeyCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == "-" || character == ".")
    }

    /// Drops a `#` comment that is not inside a string.
    private static func stripComment(_ line: String) -> String {
        var quote: Character?
        var escaped = false
        for (offset, character) in line.enumerated() {
            if let open = quote {
                if escaped { escaped = false } else if character == "\\" && open == "\"" { escaped = true } else if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#" {
                return String(line.prefix(offset))
            }
        }
        return line
    }

    private static func parseValue(_ text: inout Substring, line: Int) throws -> Value {
        guard let first = text.first else { throw ParseError(line: line, reason: "missing value") }
        switch first {
        case "\"":
            text.removeFirst()
            var output = ""
            while let character = text.popFirst() {
                if character == "\"" { return .string(output) }
                if character == "\\" {
                    guard let escape = text.popFirst() else { break }
                    switch escape {
                    case "n": output.append("\n")
                    case "t": output.append("\t")
                    case "\"": output.append("\"")
                    case "\\": output.append("\\")
                    default: throw ParseError(line: line, reason: "unsupported escape \\\(escape)")
                    }
                } else {
                    output.append(character)
                }
            }
            throw ParseError(line: line, reason: "unterminated string")
        case "'":
            text.removeFirst()
            guard let close = text.firstIndex(of: "'") else { throw ParseError(line: line, reason: "unterminated string") }
            let value = String(text[..<close])
            text = text[text.index(after: close)...]
            return .string(value)
        case "[":
            text.removeFirst()
            var values = [Value]()
            while true {
                text = text.drop(while: { $0 == " " || $0 == "\t" })
                if text.first == "]" {
                    text.removeFirst()
                    return .array(values)
                }
                values.append(try parseValue(&text, line: line))
                text = text.drop(while: { $0 == " " || $0 == "\t" })
                if text.first == "," {
                    text.removeFirst()
                } else if text.first != "]" {
                    throw ParseError(line: line, reason: "expected , or ] in array")
                }
            }
        default:
            let token = text.prefix(while: { $0 != "," && $0 != "]" && $0 != " " && $0 != "\t" })
            text = text.dropFirst(token.count)
            if token == "true" { return .boolean(true) }
            if token == "false" { return .boolean(false) }
            if let number = Int64(token.replacingAll("_", with: "")) { return .integer(number) }
            throw ParseError(line: line, reason: "cannot read value '\(token)' (strings need quotes)")
        }
    }
}

extension StringProtocol {
    func trimming(_ set: String) -> String {
        let characters = Set(set)
        var view = Substring(self)
        while let first = view.first, characters.contains(first) { view.removeFirst() }
        while let last = view.last, characters.contains(last) { view.removeLast() }
        return String(view)
    }

    func replacingAll(_ target: String, with replacement: String) -> String {
        String(self).split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
