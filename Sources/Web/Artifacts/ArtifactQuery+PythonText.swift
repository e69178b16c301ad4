import SporeJSON

/// Python's text for values: type names in messages, `json.dumps` (what Hypha stores and builds patterns from),
/// and `str` (what an f-string puts in a pattern).
enum PythonText {
    /// `type(value).__name__` for the Python value a JSON value decodes to.
    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .array: return "list"
        case .object: return "dict"
        }
    }

    /// Python's truth value of the decoded value.
    static func isTruthy(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return false
        case .bool(let flag): return flag
        case .int(let number): return number != 0
        case .double(let number): return number != 0
        case .string(let text): return !text.isEmpty
        case .array(let items): return !items.isEmpty
        case .object(let object): return !object.isEmpty
        }
    }

    /// `json.dumps(value)` with `ensure_ascii` (Python's default): `", "`/`": "` separators, or `","`/`":"` when
    /// `compact` (the text SQLite hands back after minifying what Python stored).
    static func jsonDumps(_ value: JSONValue, compact: Bool) -> String {
        var output = ""
        writeJSON(value, compact: compact, into: &output)
        return output
    }

    private static func writeJSON(_ value: JSONValue, compact: Bool, into output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .int(let number): output += String(number)
        case .double(let number):
            output += number.isFinite ? PythonRepr.float(number) : (number.isNaN ? "NaN" : (number < 0 ? "-Infinity" : "Infinity"))
        case .string(let text): PythonJSON.writeString(text, into: &output)
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += compact ? "," : ", " }
                writeJSON(item, compact: compact, into: &output)
            }
            output += "]"
        case .object(let object):
            output += "{"
            for (index, member) in object.pairs.enumerated() {
                if index > 0 { output += compact ? "," : ", " }
                PythonJSON.writeString(member.key, into: &output)
                output += compact ? ":" : ": "
                writeJSON(member.value, compact: compact, into: &output)
            }
            output += "}"
        }
    }

    /// `str(value)` as an f-string writes it: strings bare, everything else as `repr`.
    static func str(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return repr(value)
    }

    /// `repr(value)`: `None`, `True`, `[1, 'a']`, `{'k': 'v'}`. String escaping covers quotes, backslashes and control
    /// characters; other non-printable characters are left as they are.
    static func repr(_ value: JSONValue) -> String {
        switch value {
        case .null: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        case .int(let number): return String(number)
        case .double(let number): return number.isFinite ? PythonRepr.float(number) : (number.isNaN ? "nan" : (number < 0 ? "-inf" : "inf"))
        case .string(let text): return reprString(text)
        case .array(let items): return "[" + items.map(repr).joined(separator: ", ") + "]"
        case .object(let object): return "{" + object.pairs.map { reprString($0.key) + ": " + repr($0.value) }.joined(separator: ", ") + "}"
        }
    }

    private static func reprString(_ text: String) -> String {
        let quote: Unicode.Scalar = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var output = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case quote, "\\": output += "\\" + String(scalar)
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{00}"..."\u{1F}", "\u{7F}"..."\u{A0}":
                let digits = String(scalar.value, radix: 16)
                output += "\\x" + (digits.count < 2 ? "0" : "") + digits
            default: output.unicodeScalars.append(scalar)
            }
        }
        output.unicodeScalars.append(quote)
        return output
    }
}
