/// The text Python's `repr()` gives for the value `json.loads` would make of it: `None`, `True`,
/// `'text'`, `1.0`, `[1, 2]`, `{'a': 1}`.
///
/// Hypha reports schema failures with jsonschema's messages, which embed `repr()` of the instance
/// and of schema values; clients (and Hypha's own tests) compare those strings, so spore renders
/// values exactly as Python does rather than as JSON.
public func pythonRepr(_ value: JSONValue) -> String {
    var output = ""
    PythonRepr.write(value, into: &output, depth: 0)
    return output
}

/// Python's rendering rules for the pieces of a `repr()`.
public enum PythonRepr {
    /// Deeper values print as `...`: a value built in code (not parsed, so not bounded by the parser)
    /// must not exhaust the stack while a message is rendered.
    public static let depthMax = 256

    public static func write(_ value: JSONValue, into output: inout String, depth: Int) {
        guard depth < depthMax else {
            output += "..."
            return
        }
        switch value {
        case .null: output += "None"
        case .bool(let flag): output += flag ? "True" : "False"
        case .int(let number): output += String(number)
        case .double(let number): output += float(number)
        case .string(let text): output += string(text)
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += ", " }
                write(item, into: &output, depth: depth + 1)
            }
            output += "]"
        case .object(let object):
            output += "{"
            for (index, member) in object.pairs.enumerated() {
                if index > 0 { output += ", " }
                output += string(member.key)
                output += ": "
                write(member.value, into: &output, depth: depth + 1)
            }
            output += "}"
        }
    }

    /// A number the way Python prints it where jsonschema uses `str()` rather than `repr()`
    /// (`multipleOf`, `maxContains`): the same text for ints and floats.
    public static func number(_ value: JSONValue) -> String {
        switch value {
        case .int(let number): return String(number)
        case .double(let number): return float(number)
        default: return pythonRepr(value)
        }
    }

    /// `repr(float)`: the shortest round-tripping digits (Swift's `description` finds the same
    /// ones), laid out by Python's rule: scientific notation when the decimal exponent is below
    /// -4 or at least 16, otherwise positional with at least one fractional digit.
    public static func float(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        let (negative, digits, pointPosition) = decimalDigits(of: value)
        var text = negative ? "-" : ""
        // `pointPosition` is where the decimal point sits relative to the digits: value = 0.d1d2… × 10^pointPosition.
        if pointPosition <= -4 || pointPosition > 16 {
            text.append(digits[digits.startIndex])
            if digits.count > 1 {
                text += "."
                text += digits.dropFirst()
            }
            let exponent = pointPosition - 1
            text += exponent < 0 ? "e-" : "e+"
            let magnitude = String(abs(exponent))
            text += magnitude.count < 2 ? "0" + magnitude : magnitude
        } else if pointPosition <= 0 {
            text += "0." + String(repeating: "0", count: -pointPosition) + digits
        } else if pointPosition >= digits.count {
            text += digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
        } else {
            let split = digits.index(digits.startIndex, offsetBy: pointPosition)
            text += digits[..<split] + "." + digits[split...]
        }
        return text
    }

    /// The sign, significant digits and decimal-point position of Swift's shortest representation.
    private static func decimalDigits(of value: Double) -> (negative: Bool, digits: String, pointPosition: Int) {
        var text = value.magnitude.description
        var exponent = 0
        if let marker = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: marker)...]) ?? 0
            text = String(text[..<marker])
        }
        var integerPart = text
        var fractionPart = ""
        if let dot = text.firstIndex(of: ".") {
            integerPart = String(text[..<dot])
            fractionPart = String(text[text.index(after: dot)...])
        }
        var digits = integerPart + fractionPart
        var pointPosition = integerPart.count + exponent
        // Leading zeros (`0.001`) move the point left; trailing zeros (`100.0`) carry no digits.
        while digits.count > 1, digits.first == "0" {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        return (value.sign == .minus, digits, pointPosition)
    }

    /// `repr(str)`: single quotes unless the text holds a single quote and no double quote;
    /// backslash escapes for the quote, backslash, `\t \n \r`, and `\x`/`\u`/`\U` escapes for
    /// characters Python deems unprintable.
    public static func string(_ text: String) -> String {
        let scalars = text.unicodeScalars
        let quote: Unicode.Scalar = scalars.contains("'") && !scalars.contains("\"") ? "\"" : "'"
        var output = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": output += "\\\\"
            case "\t": output += "\\t"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            default:
                if scalar == quote {
                    output += "\\" + String(quote)
                } else if isPrintable(scalar) {
                    output.unicodeScalars.append(scalar)
                } else {
                    output += escape(scalar)
                }
            }
        }
        output.unicodeScalars.append(quote)
        return output
    }

    /// Python's `str.isprintable()` for one code point: everything but the "Other" and
    /// "Separator" categories, with the ASCII space allowed.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        let value = scalar.value
        let hex = String(value, radix: 16)
        if value < 0x100 { return "\\x" + String(repeating: "0", count: 2 - hex.count) + hex }
        if value < 0x10000 { return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex }
        return "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// Python's `sorted()` order for strings: by code point, without Unicode normalization
    /// (Swift's `<` compares canonically equivalent strings as equal).
    public static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.unicodeScalars.lexicographicallyPrecedes(rhs.unicodeScalars)
    }
}

/// Python's `json.dumps` text for a string with its defaults (`ensure_ascii=True`): `"`, `\\` and
/// the common controls escaped by name, other characters outside printable ASCII as `\uXXXX`
/// (lower-case hex, surrogate pairs beyond the BMP).
public enum PythonJSON {
    public static func writeString(_ text: String, into output: inout String) {
        output += "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: output += "\\\""
            case 0x5C: output += "\\\\"
            case 0x0A: output += "\\n"
            case 0x0D: output += "\\r"
            case 0x09: output += "\\t"
            case 0x08: output += "\\b"
            case 0x0C: output += "\\f"
            case 0x20..<0x7F: output.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let digits = String(unit, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            }
        }
        output += "\""
    }
}
