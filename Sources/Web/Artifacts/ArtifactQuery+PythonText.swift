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
            output += number.isFinite ? floatRepr(number) : (number.isNaN ? "NaN" : (number < 0 ? "-Infinity" : "Infinity"))
        case .string(let text): writeJSONString(text, into: &output)
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
                writeJSONString(member.key, into: &output)
                output += compact ? ":" : ": "
                writeJSON(member.value, compact: compact, into: &output)
            }
            output += "}"
        }
    }

    private static func writeJSONString(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case " "..."~": output.unicodeScalars.append(scalar)
            default:
                for unit in String(scalar).utf16 { output += "\\u" + hex4(unit) }
            }
        }
        output += "\""
    }

    private static func hex4(_ unit: UInt16) -> String {
        let digits = String(unit, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// `repr(float)`: the shortest round-trip digits, fixed notation for exponents -4…15, else `1e+16` style.
    /// Swift's `description` already gives those digits but leaves fixed notation at 2^53 rather than 1e16.
    static func floatRepr(_ value: Double) -> String {
        let text = value.description
        guard let marker = text.firstIndex(of: "e"), let exponent = Int(text[text.index(after: marker)...]),
            (-4...15).contains(exponent)
        else { return text }
        var mantissa = text[..<marker]
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa = mantissa.dropFirst() }
        let digits = mantissa.filter { $0 != "." }
        let point = 1 + exponent
        let fixed: String
        if point <= 0 {
            fixed = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            fixed = digits + String(repeating: "0", count: point - digits.count) + ".0"
        } else {
            fixed = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
        }
        return (negative ? "-" : "") + fixed
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
        case .double(let number): return number.isFinite ? floatRepr(number) : (number.isNaN ? "nan" : (number < 0 ? "-inf" : "inf"))
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
