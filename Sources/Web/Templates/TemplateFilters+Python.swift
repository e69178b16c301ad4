import Foundation

/// The pieces of Python's behaviour the filters are built from: number parsing and rounding,
/// `splitlines`, `%` formatting, `title`, `quote`, sort keys and order.
extension TemplateFilters {
    /// A hashable key for `unique`, equal exactly where Python's values are equal; nil for
    /// containers.
    static func hashKey(_ value: TemplateValue) -> String? {
        switch value {
        case .string(let text, _): return "s" + text
        case .none: return "n"
        case .undefined: return "u"
        case .int(let number): return "d" + String(number)
        case .bool(let flag): return flag ? "d1" : "d0"
        case .double(let number):
            if let whole = Int(exactly: number) { return "d" + String(whole) }
            return "f" + number.description
        default: return nil
        }
    }

    /// Python's `round(n, -digits)` of an integer: exact, ties to even.
    static func roundInteger(_ number: Int, digits: Int, at: Position, renderer: TemplateRenderer) throws(TemplateError) -> Int {
        guard digits < 19 else { return 0 }
        var unit = 1
        for _ in 0..<digits { unit *= 10 }
        var quotient = number / unit
        var remainder = number % unit
        if remainder < 0 {
            quotient -= 1
            remainder += unit
        }
        let twice = 2 * remainder
        if twice > unit || (twice == unit && quotient % 2 != 0) { quotient += 1 }
        let (result, overflow) = quotient.multipliedReportingOverflow(by: unit)
        if overflow { throw TemplatePython.overflowError(at: at, renderer: renderer) }
        return result
    }

    /// Python's `int(text, base)`: sign, optional base prefix, digits with single underscores
    /// between them; nil where Python raises ValueError, an error where the number needs more
    /// than 64 bits.
    static func pythonInt(_ text: String, base: Int, at: Position, renderer: TemplateRenderer) throws(TemplateError) -> Int? {
        guard (2...36).contains(base) else { return nil }
        var body = Substring(text)
        var negative = false
        if body.first == "+" || body.first == "-" {
            negative = body.first == "-"
            body = body.dropFirst()
        }
        let prefixes = [16: "0x", 8: "0o", 2: "0b"]
        if let prefix = prefixes[base], body.lowercased().hasPrefix(prefix) {
            body = body.dropFirst(2)
            if body.first == "_" { body = body.dropFirst() }
        }
        guard !body.isEmpty, body.first != "_", body.last != "_", !body.contains("__") else { return nil }
        let digits = body.filter { $0 != "_" }
        guard digits.allSatisfy({ $0.isASCII && $0.isHexDigit || ($0.isASCII && $0.isLetter) }) else { return nil }
        guard let magnitude = UInt64(digits, radix: base) else {
            // Valid digits that do not fit: Python would make a big integer.
            if digits.allSatisfy({ Int(String($0), radix: base) != nil }) { throw TemplatePython.overflowError(at: at, renderer: renderer) }
            return nil
        }
        if negative {
            guard magnitude <= UInt64(Int.max) + 1 else { throw TemplatePython.overflowError(at: at, renderer: renderer) }
            return magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude)
        }
        guard magnitude <= UInt64(Int.max) else { throw TemplatePython.overflowError(at: at, renderer: renderer) }
        return Int(magnitude)
    }

    /// Python's `float(text)` for decimal text (Swift's parser also takes hex, which Python does not).
    static func pythonFloat(_ text: String) -> Double? {
        let lowered = text.lowercased()
        let allowed = Set("0123456789.e+-_")
        if ["inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan", "+nan", "-nan"].contains(lowered) {
            return Double(lowered.replacingOccurrences(of: "infinity", with: "inf"))
        }
        guard !lowered.isEmpty, lowered.allSatisfy({ allowed.contains($0) }), !lowered.hasPrefix("_"), !lowered.contains("__") else { return nil }
        return Double(lowered.filter { $0 != "_" })
    }

    /// Python's `str.splitlines()` (without the line ends).
    static func pythonSplitLines(_ text: String) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var scalars = text.unicodeScalars[...]
        let breaks: Set<UInt32> = [0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029]
        while let scalar = scalars.popFirst() {
            if breaks.contains(scalar.value) {
                if scalar == "\r", scalars.first == "\n" { scalars.removeFirst() }
                lines.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    /// A value at an attribute path like `"meta.name"` or an index, as `map(attribute=…)` reads it.
    static func path(_ value: TemplateValue, _ attribute: TemplateValue, at: Position, renderer: TemplateRenderer) throws(TemplateError)
        -> TemplateValue
    {
        if case .int = attribute { return try TemplatePython.item(value, attribute, at: at, renderer: renderer) }
        var current = value
        for part in attribute.text.split(separator: ".", omittingEmptySubsequences: false) {
            let key: TemplateValue = Int(part).map { .int($0) } ?? .text(String(part))
            current = try TemplatePython.item(current, key, at: at, renderer: renderer)
        }
        return current
    }

    static func sortKey(_ value: TemplateValue, caseSensitive: Bool) -> TemplateValue {
        if !caseSensitive, case .string(let text, _) = value { return .text(text.lowercased()) }
        return value
    }

    /// Positions in Python's stable sort order of `keys`.
    static func stableOrder(_ keys: [TemplateValue], reverse: Bool, at: Position, renderer: TemplateRenderer) throws(TemplateError) -> [Int] {
        var failure: TemplateError?
        let order = Array(keys.indices).sorted { a, b in
            do {
                // Python's reverse sort keeps equal items in their original order too.
                if try TemplatePython.less(reverse ? keys[b] : keys[a], reverse ? keys[a] : keys[b], operation: "<", at: at, renderer: renderer) {
                    return true
                }
                if try TemplatePython.less(reverse ? keys[a] : keys[b], reverse ? keys[b] : keys[a], operation: "<", at: at, renderer: renderer) {
                    return false
                }
                return a < b
            } catch {
                failure = error as? TemplateError
                return a < b
            }
        }
        if let failure { throw failure }
        return order
    }

    /// Python's `round(x, n)`: correctly rounded, ties to even on the exact binary value, which is
    /// what C's `%.*f` does too.
    static func round(_ number: Double, precision: Int, method: String) -> Double {
        let scale = pow(10, Double(precision))
        switch method {
        case "ceil": return (number * scale).rounded(.up) / scale
        case "floor": return (number * scale).rounded(.down) / scale
        default:
            guard number.isFinite else { return number }
            // Past 308 digits to the left every double rounds to a zero of its sign.
            if precision < -308 { return number.sign == .minus ? -0.0 : 0.0 }
            if precision <= 0 {
                let unit = pow(10, Double(-precision))
                return (number / unit).rounded(.toNearestOrEven) * unit
            }
            return Double(String(format: "%.\(min(precision, 300))f", number)) ?? number
        }
    }

    static func fileSize(_ value: TemplateValue, binary: Bool, fail: (String) -> TemplateError) throws(TemplateError) -> String {
        let bytes: Double
        if let number = TemplatePython.number(value) {
            bytes = number
        } else if case .string(let text, _) = value, let number = Double(text) {
            bytes = number
        } else {
            throw fail("could not convert \(value.typeName) to float")
        }
        let base = binary ? 1024.0 : 1000.0
        let prefixes = binary ? ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"] : ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
        if bytes == 1 { return "1 Byte" }
        if bytes < base {
            guard bytes.isFinite, let whole = Int(exactly: bytes.rounded(.towardZero)) else {
                throw fail("OverflowError: cannot convert \(bytes) to an integer")
            }
            return "\(whole) Bytes"
        }
        var unit = base
        for prefix in prefixes {
            unit *= base
            if bytes < unit { return String(format: "%.1f %@", base * bytes / unit, prefix) }
        }
        return String(format: "%.1f %@", base * bytes / unit, prefixes.last!)
    }

    /// Python's `urllib.parse.quote` as Jinja2's `urlencode` calls it (`/` kept outside queries).
    static func urlQuote(_ text: String, query: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if (byte < 0x80 && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))) || "_.-~".unicodeScalars.contains(scalar)
                || (!query && byte == UInt8(ascii: "/"))
            {
                out.unicodeScalars.append(scalar)
            } else {
                out += "%" + TemplateValue.hex(UInt32(byte), width: 2).uppercased()
            }
        }
        return query ? out.replacingOccurrences(of: "%20", with: "+") : out
    }

    /// Jinja2's `title`: each word starts upper-case, the rest lower-case; words begin after
    /// `-`, whitespace or an opening bracket.
    static func pythonTitle(_ text: String) -> String {
        var out = ""
        var atStart = true
        for character in text {
            let separator = character == "-" || character.isWhitespace || "({[<".contains(character)
            if separator {
                out.append(character)
                atStart = true
            } else if atStart {
                out += character.uppercased()
                atStart = false
            } else {
                out += character.lowercased()
            }
        }
        return out
    }

    static func capitalize(_ text: String) -> String {
        guard let first = text.first else { return "" }
        return first.uppercased() + text.dropFirst().lowercased()
    }

    /// Python's `%` formatting for `%s`, `%r`, `%d`/`%i`, `%f` (with a precision) and `%%`.
    static func percentFormat(_ format: String, _ arguments: TemplateValue, at: Position, renderer: TemplateRenderer) throws(TemplateError) -> String
    {
        // Only a tuple spreads over the conversions; a list is one value, as in Python.
        var values: [TemplateValue] = if case .tuple(let items) = arguments { items } else { [arguments] }
        var out = ""
        var scalars = format.unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            guard scalar == "%" else {
                out.unicodeScalars.append(scalar)
                continue
            }
            var precision: Int?
            if scalars.first == "." {
                scalars.removeFirst()
                var digits = ""
                while let digit = scalars.first, ("0"..."9").contains(digit) {
                    digits.unicodeScalars.append(digit)
                    scalars.removeFirst()
                }
                precision = Int(digits) ?? 0
            }
            guard let conversion = scalars.popFirst() else { throw renderer.error("incomplete format", at) }
            if conversion == "%" {
                out += "%"
                continue
            }
            guard !values.isEmpty else { throw renderer.error("not enough arguments for format string", at) }
            let value = values.removeFirst()
            switch conversion {
            case "s": out += value.text
            case "r": out += value.repr
            case "d", "i":
                guard let number = TemplatePython.number(value) else {
                    throw renderer.error("%\(conversion) format: a real number is required, not \(value.typeName)", at)
                }
                out += String(try TemplatePython.int(number, at: at, renderer: renderer))
            case "f":
                guard let number = TemplatePython.number(value) else { throw renderer.error("must be real number, not \(value.typeName)", at) }
                guard (precision ?? 6) <= 100 else { throw renderer.error("precision too large", at) }
                out += String(format: "%.\(precision ?? 6)f", number)
            default: throw renderer.error("unsupported format character '\(conversion)'", at)
            }
        }
        guard values.isEmpty else { throw renderer.error("not all arguments converted during string formatting", at) }
        return out
    }
}
