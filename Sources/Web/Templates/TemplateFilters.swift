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
}
