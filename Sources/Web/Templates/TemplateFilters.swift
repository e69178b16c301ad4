import Foundation
import SporeJSON

/// Jinja2's built-in filters that pages use, with Jinja2 3.1's arguments, defaults and output.
enum TemplateFilters {
    typealias Position = TemplateLexer.Position

    static let names: Set<String> = [
        "abs", "attr", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "filesizeformat", "first", "float",
        "format", "indent", "int", "items", "join", "last", "length", "list", "lower", "map", "max", "min", "reject",
        "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr", "sort", "string", "sum", "title",
        "tojson", "trim", "truncate", "unique", "upper", "urlencode", "wordcount",
    ]

    /// Arguments by position or keyword, as Python binds them.
    struct Arguments {
        let positional: [TemplateValue]
        let keyword: [(String, TemplateValue)]
        let names: [String]

        func value(_ index: Int) -> TemplateValue? {
            if index < positional.count { return positional[index] }
            guard index < names.count else { return nil }
            return keyword.first { $0.0 == names[index] }?.1
        }

        func flag(_ index: Int, _ fallback: Bool) -> Bool { value(index)?.truthy ?? fallback }
    }

    static func isNone(_ value: TemplateValue) -> Bool { if case .none = value { return true } else { return false } }

    static func escape(_ value: TemplateValue) -> TemplateValue {
        if case .string(_, true) = value { return value }
        return .string(escapeText(value.text), safe: true)
    }

    /// markupsafe's escape: `& < > " '`.
    static func escapeText(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func apply(
        _ name: String, _ value: TemplateValue, _ positional: [TemplateValue], _ keyword: [(String, TemplateValue)], at: Position,
        renderer: inout TemplateRenderer
    ) throws(TemplateError) -> TemplateValue {
        let frozen = renderer
        func arguments(_ names: String...) -> Arguments { Arguments(positional: positional, keyword: keyword, names: names) }
        func fail(_ message: String) -> TemplateError { frozen.error(message, at) }
        func integer(_ value: TemplateValue?, _ fallback: Int) throws(TemplateError) -> Int {
            guard let value else { return fallback }
            switch value {
            case .int(let number): return number
            case .bool(let flag): return flag ? 1 : 0
            case .double(let number): return try TemplatePython.int(number, at: at, renderer: frozen)
            default: throw fail("'\(value.typeName)' object cannot be interpreted as an integer")
            }
        }
        // Going through a sequence costs its length in steps.
        func items(_ value: TemplateValue) throws(TemplateError) -> [TemplateValue] {
            let list = try TemplatePython.iterate(value, at: at, renderer: frozen)
            try renderer.charge(list.count, at)
            return list
        }
        switch name {
        case "default", "d":
            let arguments = arguments("default_value", "boolean")
            if value.isUndefined || (arguments.flag(1, false) && !value.truthy) { return arguments.value(0) ?? .text("") }
            return value
        case "length", "count":
            switch value {
            case .undefined: return .int(0)
            case .string(let text, _): return .int(text.unicodeScalars.count)
            case .list(let list), .tuple(let list): return .int(list.count)
            case .mapping(let mapping): return .int(mapping.count)
            default: throw fail("object of type '\(value.typeName)' has no len()")
            }
        case "upper": return .text(value.text.uppercased())
        case "lower": return .text(value.text.lowercased())
        case "title": return .text(pythonTitle(value.text))
        case "capitalize": return .text(capitalize(value.text))
        case "trim":
            let characters = arguments("chars").value(0)
            return .text(TemplatePython.strip(value.text, characters.map(\.text), leading: true, trailing: true))
        case "string":
            if case .string = value { return value }
            return .text(value.text)
        case "safe": return .string(value.text, safe: true)
        case "escape", "e": return escape(value)
        case "join":
            let arguments = arguments("d", "attribute")
            var list = try items(value)
            if let attribute = arguments.value(1), !attribute.isUndefined {
                list = try list.map { (item) throws(TemplateError) in try path(item, attribute, at: at, renderer: frozen) }
            }
            let separator = arguments.value(0) ?? .text("")
            // Joined piece by piece, stopping as soon as the result would be too large.
            let glue = frozen.autoescape ? escape(separator).text : separator.text
            var joined = ""
            for (index, item) in list.enumerated() {
                if index > 0 { joined += glue }
                joined += frozen.autoescape ? escape(item).text : item.text
                guard joined.utf8.count <= TemplateLimits.valueBytesMax else { throw TemplatePython.tooLarge(at: at, renderer: frozen) }
            }
            return frozen.autoescape ? .string(joined, safe: true) : .text(joined)
        case "replace":
            let arguments = arguments("old", "new", "count")
            var count: Int?
            if let given = arguments.value(2), !isNone(given) { count = try integer(given, -1) }
            let (old, new) = (arguments.value(0)?.text ?? "", arguments.value(1)?.text ?? "")
            let text = value.text
            // The result's size is known before it is built: refuse what would be too large.
            let occurrences = old.isEmpty ? text.unicodeScalars.count + 1 : text.components(separatedBy: old).count - 1
            let replacements = min(occurrences, count.map { $0 < 0 ? occurrences : $0 } ?? occurrences)
            guard text.utf8.count + replacements * max(0, new.utf8.count - old.utf8.count) <= TemplateLimits.valueBytesMax else {
                throw TemplatePython.tooLarge(at: at, renderer: frozen)
            }
            let replaced = TemplatePython.replace(text, old, new, count: count)
            return try TemplatePython.sized(.text(replaced), at: at, renderer: frozen)
        case "truncate":
            let arguments = arguments("length", "killwords", "end", "leeway")
            let length = try integer(arguments.value(0), 255)
            let end = arguments.value(2)?.text ?? "..."
            let leeway = try integer(arguments.value(3).flatMap { isNone($0) ? nil : $0 }, 5)
            let scalars = Array(value.text.unicodeScalars)
            let endCount = end.unicodeScalars.count
            guard length >= endCount else { throw fail("expected length >= \(endCount), got \(length)") }
            guard leeway >= 0 else { throw fail("expected leeway >= 0, got \(leeway)") }
            if length >= scalars.count || scalars.count - length <= leeway { return .text(value.text) }
            var kept = String.UnicodeScalarView()
            kept.append(contentsOf: scalars[0..<max(0, length - endCount)])
            if arguments.flag(1, false) { return .text(String(kept) + end) }
            let text = String(kept)
            if let space = text.range(of: " ", options: [.literal, .backwards]) { return .text(String(text[..<space.lowerBound]) + end) }
            return .text(text + end)
        case "tojson":
            let indent = try arguments("indent").value(0).flatMap { (value) throws(TemplateError) -> Int? in
                if case .none = value { return nil }
                // Python's json treats a negative indent as an empty one.
                let width = max(0, try integer(value, 0))
                guard width <= 1_000 else { throw fail("indent \(width) is too large") }
                return width
            }
            var json = ""
            try TemplateJSON.write(value, into: &json, indent: indent, level: 0, at: at, renderer: frozen)
            _ = try TemplatePython.sized(.text(json), at: at, renderer: frozen)
            json = json.replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
                .replacingOccurrences(of: "&", with: "\\u0026").replacingOccurrences(of: "'", with: "\\u0027")
            return .string(json, safe: true)
        case "round":
            let arguments = arguments("precision", "method")
            // Beyond ±400 digits every double and every 64-bit integer rounds the same way.
            let precision = min(max(try integer(arguments.value(0), 0), -400), 400)
            let method = arguments.value(1)?.text ?? "common"
            guard ["common", "ceil", "floor"].contains(method) else { throw fail("method must be 'common', 'ceil' or 'floor'") }
            if method == "common", case .int(let number) = value {
                return precision >= 0 ? value : .int(try roundInteger(number, digits: -precision, at: at, renderer: frozen))
            }
            guard let number = TemplatePython.number(value) else { throw fail("type \(value.typeName) doesn't define __round__ method") }
            return .double(round(number, precision: precision, method: method))
        case "int":
            let arguments = arguments("default", "base")
            let fallback = arguments.value(0) ?? .int(0)
            switch value {
            case .int: return value
            case .bool(let flag): return .int(flag ? 1 : 0)
            case .double(let number):
                if number.isNaN { return fallback }
                return .int(try TemplatePython.int(number, at: at, renderer: frozen))
            case .string(let text, _):
                // int(text, base), then int(float(text)), as Jinja2 3.1's do_int.
                let trimmed = TemplatePython.strip(text, nil, leading: true, trailing: true)
                let base = try integer(arguments.value(1), 10)
                if let number = try pythonInt(trimmed, base: base, at: at, renderer: frozen) { return .int(number) }
                guard base == 10, let number = pythonFloat(trimmed), !number.isNaN else { return fallback }
                return .int(try TemplatePython.int(number, at: at, renderer: frozen))
            default: return fallback
            }
        case "float":
            let fallback = arguments("default").value(0) ?? .double(0)
            switch value {
            case .double: return value
            case .int(let number): return .double(Double(number))
            case .bool(let flag): return .double(flag ? 1 : 0)
            case .string(let text, _):
                return pythonFloat(TemplatePython.strip(text, nil, leading: true, trailing: true)).map { .double($0) } ?? fallback
            default: return fallback
            }
        case "abs":
            switch value {
            case .int(let number):
                guard number != .min else { throw TemplatePython.overflowError(at: at, renderer: frozen) }
                return .int(abs(number))
            case .double(let number): return .double(abs(number))
            case .bool(let flag): return .int(flag ? 1 : 0)
            default: throw fail("bad operand type for abs(): '\(value.typeName)'")
            }
        case "list": return .list(try items(value))
        case "first":
            return try items(value).first ?? .undefined(hint: "No first item, sequence was empty.")
        case "last":
            return try items(value).last ?? .undefined(hint: "No last item, sequence was empty.")
        case "reverse":
            if case .string(let text, _) = value { return .text(String(String.UnicodeScalarView(text.unicodeScalars.reversed()))) }
            return .list(try items(value).reversed())
        case "sort":
            let arguments = arguments("reverse", "case_sensitive", "attribute")
            let list = try items(value)
            let attribute = arguments.value(2)
            let keys = try list.map { (item) throws(TemplateError) in
                try sortKey(
                    attribute.map { (attribute) throws(TemplateError) in try path(item, attribute, at: at, renderer: frozen) } ?? item,
                    caseSensitive: arguments.flag(1, false))
            }
            let order = try stableOrder(keys, reverse: arguments.flag(0, false), at: at, renderer: frozen)
            return .list(order.map { list[$0] })
        case "unique":
            let arguments = arguments("case_sensitive", "attribute")
            // Strings and numbers are found by hash (1, 1.0 and True are one key, as in Python);
            // other values by comparison, charged.
            var seenKeys: Set<String> = []
            var seen: [TemplateValue] = []
            var result: [TemplateValue] = []
            for item in try items(value) {
                let key = sortKey(
                    try arguments.value(1).map { (attribute) throws(TemplateError) in try path(item, attribute, at: at, renderer: frozen) } ?? item,
                    caseSensitive: arguments.flag(0, false))
                if let hashed = hashKey(key) {
                    if seenKeys.insert(hashed).inserted { result.append(item) }
                    continue
                }
                try renderer.charge(seen.count, at)
                if !seen.contains(where: { TemplatePython.equal($0, key) }) {
                    seen.append(key)
                    result.append(item)
                }
            }
            return .list(result)
        case "min", "max":
            let arguments = arguments("case_sensitive", "attribute")
            let list = try items(value)
            guard !list.isEmpty else { return .undefined(hint: "No aggregated item, sequence was empty.") }
            let keys = try list.map { (item) throws(TemplateError) in
                sortKey(
                    try arguments.value(1).map { (attribute) throws(TemplateError) in try path(item, attribute, at: at, renderer: frozen) } ?? item,
                    caseSensitive: arguments.flag(0, false))
            }
            var best = 0
            for index in 1..<list.count {
                let better =
                    name == "min"
                    ? try TemplatePython.less(keys[index], keys[best], operation: "<", at: at, renderer: frozen)
                    : try TemplatePython.less(keys[best], keys[index], operation: "<", at: at, renderer: frozen)
                if better { best = index }
            }
            return list[best]
        case "sum":
            let arguments = arguments("attribute", "start")
            var total = arguments.value(1) ?? .int(0)
            for item in try items(value) {
                let term =
                    try arguments.value(0).map { (attribute) throws(TemplateError) in try path(item, attribute, at: at, renderer: frozen) } ?? item
                total = try TemplatePython.binary("+", total, term, at: at, renderer: frozen)
            }
            return total
        case "items":
            if value.isUndefined { return .list([]) }
            guard case .mapping(let mapping) = value else { throw fail("Can only get item pairs from a mapping.") }
            return .list(mapping.pairs.map { .tuple([.text($0.key), $0.value]) })
        case "dictsort":
            let arguments = arguments("case_sensitive", "by", "reverse")
            guard case .mapping(let mapping) = value else { throw fail("You can only sort by either \"key\" or \"value\"") }
            let byValue = arguments.value(1)?.text == "value"
            let pairs = mapping.pairs
            let keys = pairs.map { sortKey(byValue ? $0.value : .text($0.key), caseSensitive: arguments.flag(0, false)) }
            let order = try stableOrder(keys, reverse: arguments.flag(2, false), at: at, renderer: frozen)
            return .list(order.map { .tuple([.text(pairs[$0].key), pairs[$0].value]) })
        case "map":
            let list = try items(value)
            if let attribute = keyword.first(where: { $0.0 == "attribute" })?.1 {
                let fallback = keyword.first { $0.0 == "default" }?.1
                return .list(
                    try list.map { (item) throws(TemplateError) in
                        let found = try path(item, attribute, at: at, renderer: frozen)
                        if found.isUndefined, let fallback { return fallback }
                        return found
                    })
            }
            guard let filter = positional.first?.text, names.contains(filter) else {
                throw fail("No filter named '\(positional.first?.text ?? "")'.")
            }
            var mapped: [TemplateValue] = []
            for item in list { mapped.append(try apply(filter, item, Array(positional.dropFirst()), keyword, at: at, renderer: &renderer)) }
            return .list(mapped)
        case "select", "reject":
            var kept: [TemplateValue] = []
            for item in try items(value) {
                let passes: Bool
                if let test = positional.first?.text {
                    passes = try TemplateTests.apply(test, item, Array(positional.dropFirst()), at: at, renderer: frozen)
                } else {
                    passes = item.truthy
                }
                if passes == (name == "select") { kept.append(item) }
            }
            return .list(kept)
        case "selectattr", "rejectattr":
            guard let attribute = positional.first else { throw fail("Missing parameter for attribute name") }
            var kept: [TemplateValue] = []
            for item in try items(value) {
                let field = try path(item, attribute, at: at, renderer: frozen)
                let passes: Bool
                if positional.count > 1 {
                    passes = try TemplateTests.apply(positional[1].text, field, Array(positional.dropFirst(2)), at: at, renderer: frozen)
                } else {
                    passes = field.truthy
                }
                if passes == (name == "selectattr") { kept.append(item) }
            }
            return .list(kept)
        case "attr":
            guard let attribute = positional.first?.text else { throw fail("attr() missing 1 required positional argument: 'name'") }
            // `attr` is Python's getattr only: a dict's keys are not attributes.
            if case .mapping = value, !TemplatePython.mappingMethods.contains(attribute) {
                return .undefined(hint: "'dict object' has no attribute '\(attribute)'")
            }
            return try TemplatePython.attribute(value, attribute, at: at, renderer: frozen)
        case "filesizeformat":
            return .text(try fileSize(value, binary: arguments("binary").flag(0, false), fail: fail))
        case "urlencode":
            if case .mapping(let mapping) = value {
                return .text(mapping.pairs.map { "\(urlQuote($0.key, query: true))=\(urlQuote($0.value.text, query: true))" }.joined(separator: "&"))
            }
            if let pairs = value.sequence {
                return .text(
                    pairs.map { pair in
                        let parts = (try? TemplatePython.iterate(pair, at: at, renderer: frozen)) ?? []
                        return "\(urlQuote(parts.first?.text ?? "", query: true))=\(urlQuote(parts.dropFirst().first?.text ?? "", query: true))"
                    }.joined(separator: "&"))
            }
            return .text(urlQuote(value.text, query: false))
        case "wordcount":
            var count = 0
            var inWord = false
            for scalar in value.text.unicodeScalars {
                let word = scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
                if word && !inWord { count += 1 }
                inWord = word
            }
            return .int(count)
        case "indent":
            let arguments = arguments("width", "first", "blank")
            let width = arguments.value(0) ?? .int(4)
            let indention: String
            if case .string(let text, _) = width {
                indention = text
            } else {
                // `" " * width`: nothing for a negative width.
                let count = max(0, try integer(width, 4))
                guard count <= 1_000 else { throw fail("indent width \(count) is too large") }
                indention = String(repeating: " ", count: count)
            }
            // Jinja2 3.1's do_indent: a newline is appended so that splitlines() keeps a final
            // empty line, then lines are joined again.
            let lines = pythonSplitLines(value.text + "\n")
            guard value.text.utf8.count + lines.count * indention.utf8.count <= TemplateLimits.valueBytesMax else {
                throw TemplatePython.tooLarge(at: at, renderer: frozen)
            }
            var result: String
            if arguments.flag(2, false) {
                result = lines.joined(separator: "\n" + indention)
            } else {
                result = lines.first ?? ""
                if lines.count > 1 { result += "\n" + lines.dropFirst().map { $0.isEmpty ? $0 : indention + $0 }.joined(separator: "\n") }
            }
            if arguments.flag(1, false) { result = indention + result }
            return try TemplatePython.sized(.text(result), at: at, renderer: frozen)
        case "format":
            return .text(try percentFormat(value.text, .tuple(positional), at: at, renderer: frozen))
        default:
            throw fail("No filter named '\(name)'.")
        }
    }

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

/// Jinja2's built-in tests (`is defined`, `is divisibleby 3`, …).
enum TemplateTests {
    static let names: Set<String> = [
        "defined", "undefined", "none", "true", "false", "boolean", "number", "integer", "float", "string", "mapping",
        "sequence", "iterable", "callable", "even", "odd", "divisibleby", "eq", "equalto", "==", "ne", "!=", "lt", "<",
        "lessthan", "le", "<=", "gt", ">", "greaterthan", "ge", ">=", "in", "lower", "upper", "sameas",
    ]

    static func apply(_ name: String, _ value: TemplateValue, _ arguments: [TemplateValue], at: TemplateLexer.Position, renderer: TemplateRenderer)
        throws(TemplateError) -> Bool
    {
        func argument() throws(TemplateError) -> TemplateValue {
            guard let first = arguments.first else { throw renderer.error("test '\(name)' needs an argument", at) }
            return first
        }
        func integer() throws(TemplateError) -> Int {
            switch value {
            case .int(let number): return number
            case .bool(let flag): return flag ? 1 : 0
            default:
                if let failure = TemplatePython.undefinedError(value, at: at, renderer: renderer) { throw failure }
                throw renderer.error("not all arguments converted during string formatting", at)
            }
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": if case .none = value { return true } else { return false }
        case "true": if case .bool(true) = value { return true } else { return false }
        case "false": if case .bool(false) = value { return true } else { return false }
        case "boolean": if case .bool = value { return true } else { return false }
        case "number":
            switch value {
            case .int, .double, .bool: return true
            default: return false
            }
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .double = value { return true } else { return false }
        case "string": if case .string = value { return true } else { return false }
        case "mapping": if case .mapping = value { return true } else { return false }
        case "sequence", "iterable":
            switch value {
            case .string, .list, .tuple, .mapping: return true
            default: return false
            }
        case "callable": if case .callable = value { return true } else { return false }
        case "even": return try integer() % 2 == 0
        case "odd": return try integer() % 2 != 0
        case "divisibleby":
            guard case .int(let divisor) = try argument(), divisor != 0 else { throw renderer.error("integer division or modulo by zero", at) }
            return try integer().remainderReportingOverflow(dividingBy: divisor).partialValue == 0
        case "eq", "equalto", "==": return TemplatePython.equal(value, try argument())
        case "ne", "!=": return !TemplatePython.equal(value, try argument())
        case "lt", "<", "lessthan": return try TemplatePython.less(value, try argument(), operation: "<", at: at, renderer: renderer)
        case "gt", ">", "greaterthan": return try TemplatePython.less(try argument(), value, operation: ">", at: at, renderer: renderer)
        case "le", "<=": return try !TemplatePython.less(try argument(), value, operation: "<=", at: at, renderer: renderer)
        case "ge", ">=": return try !TemplatePython.less(value, try argument(), operation: ">=", at: at, renderer: renderer)
        case "in": return try TemplatePython.contains(try argument(), value, at: at, renderer: renderer)
        // Python's str.islower()/isupper(): at least one cased character, none of the other case.
        case "lower":
            guard case .string(let text, _) = value else { return false }
            return text.contains { $0.isLowercase } && !text.contains { $0.isUppercase }
        case "upper":
            guard case .string(let text, _) = value else { return false }
            return text.contains { $0.isUppercase } && !text.contains { $0.isLowercase }
        case "sameas":
            let other = try argument()
            switch (value, other) {
            case (.none, .none): return true
            case (.bool(let a), .bool(let b)): return a == b
            default: return false
            }
        default: throw renderer.error("No test named '\(name)'.", at)
        }
    }
}

/// `tojson` as Jinja2 writes it: Python's `json.dumps(…, sort_keys=True)` (ASCII only, `", "`
/// and `": "` separators, `","` with an indent).
enum TemplateJSON {
    static func write(
        _ value: TemplateValue, into out: inout String, indent: Int?, level: Int, at: TemplateLexer.Position, renderer: TemplateRenderer
    ) throws(TemplateError) {
        guard level <= TemplateLimits.valueDepthMax else { throw renderer.error("RecursionError: a value nests too deeply for tojson", at) }
        guard out.utf8.count <= TemplateLimits.valueBytesMax else { throw TemplatePython.tooLarge(at: at, renderer: renderer) }
        switch value {
        case .undefined, .callable: throw renderer.error("Object of type \(value.typeName) is not JSON serializable", at)
        case .none: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let number): out += String(number)
        case .double(let number):
            if number.isNaN {
                out += "NaN"
            } else if number.isInfinite {
                out += number < 0 ? "-Infinity" : "Infinity"
            } else {
                out += PythonRepr.float(number)
            }
        case .string(let text, _): PythonJSON.writeString(text, into: &out)
        case .list(let items), .tuple(let items):
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += indent == nil ? ", " : "," }
                if let indent { out += "\n" + String(repeating: " ", count: indent * (level + 1)) }
                try write(item, into: &out, indent: indent, level: level + 1, at: at, renderer: renderer)
            }
            if let indent { out += "\n" + String(repeating: " ", count: indent * level) }
            out += "]"
        case .mapping(let mapping):
            guard !mapping.isEmpty else {
                out += "{}"
                return
            }
            out += "{"
            let sorted = mapping.pairs.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
            for (index, pair) in sorted.enumerated() {
                if index > 0 { out += indent == nil ? ", " : "," }
                if let indent { out += "\n" + String(repeating: " ", count: indent * (level + 1)) }
                PythonJSON.writeString(pair.key, into: &out)
                out += ": "
                try write(pair.value, into: &out, indent: indent, level: level + 1, at: at, renderer: renderer)
            }
            if let indent { out += "\n" + String(repeating: " ", count: indent * level) }
            out += "}"
        }
    }
}
