import Foundation

/// Python's operators, attribute and item access, and the few methods templates call on strings,
/// dicts and `loop`, with the results and errors Python gives.
enum TemplatePython {
    typealias Position = TemplateLexer.Position

    static let mappingMethods: Set<String> = ["items", "keys", "values", "get"]
    static let stringMethods: Set<String> = [
        "upper", "lower", "strip", "lstrip", "rstrip", "startswith", "endswith", "split", "replace", "title", "capitalize", "join",
    ]

    /// What Jinja2 names a value in `'… object' has no attribute` messages.
    static func objectName(_ value: TemplateValue) -> String {
        if case .none = value { return "None" }
        return "\(value.typeName) object"
    }

    static func undefinedError(_ value: TemplateValue, at: Position, renderer: TemplateRenderer) -> TemplateError? {
        guard case .undefined(let hint) = value else { return nil }
        return renderer.error(hint, at)
    }

    static func attribute(_ base: TemplateValue, _ name: String, at: Position, renderer: TemplateRenderer) throws(TemplateError) -> TemplateValue {
        if let failure = undefinedError(base, at: at, renderer: renderer) { throw failure }
        // Python's attributes come first, as Jinja2's getattr does: `d.items` is the method even
        // when the dict has an "items" key. Dunder names are never reachable.
        switch base {
        case .mapping(let mapping):
            if mappingMethods.contains(name) { return .callable(TemplateCallable(name, receiver: base)) }
            if let value = mapping[name] { return value }
        case .string:
            if stringMethods.contains(name) { return .callable(TemplateCallable(name, receiver: base)) }
        default: break
        }
        return .undefined(hint: "'\(objectName(base))' has no attribute '\(name)'")
    }

    static func item(_ base: TemplateValue, _ key: TemplateValue, at: Position, renderer: TemplateRenderer) throws(TemplateError) -> TemplateValue {
        if let failure = undefinedError(base, at: at, renderer: renderer) { throw failure }
        switch (base, key) {
        case (.mapping(let mapping), .string(let name, _)):
            if let value = mapping[name] { return value }
            return try attribute(base, name, at: at, renderer: renderer)
        case (.list, _), (.tuple, _), (.string, _):
            guard var index = integer(key) else { break }
            if case .string(let text, _) = base {
                // One character, found without copying the string.
                let scalars = text.unicodeScalars
                if index < 0 { index += scalars.count }
                if index >= 0, let position = scalars.index(scalars.startIndex, offsetBy: index, limitedBy: scalars.endIndex),
                    position < scalars.endIndex
                {
                    return .text(String(scalars[position]))
                }
                return .undefined(hint: "'\(objectName(base))' has no attribute \(key.repr)")
            }
            let values: [TemplateValue]
            switch base {
            case .list(let items), .tuple(let items): values = items
            default: values = []
            }
            if index < 0 { index += values.count }
            if index >= 0, index < values.count { return values[index] }
            return .undefined(hint: "'\(objectName(base))' has no attribute \(key.repr)")
        case (_, .string(let name, _)):
            return try attribute(base, name, at: at, renderer: renderer)
        default: break
        }
        return .undefined(hint: "'\(objectName(base))' has no attribute \(key.repr)")
    }

    private static func integer(_ value: TemplateValue) -> Int? {
        switch value {
        case .int(let number): return number
        case .bool(let flag): return flag ? 1 : 0
        default: return nil
        }
    }

    static func slice(_ base: TemplateValue, start: Int?, stop: Int?, step: Int?, at: Position, renderer: TemplateRenderer) throws(TemplateError)
        -> TemplateValue
    {
        if let failure = undefinedError(base, at: at, renderer: renderer) { throw failure }
        let step = step ?? 1
        guard step != 0 else { throw renderer.error("slice step cannot be zero", at) }
        func indices(_ count: Int) -> [Int] {
            func clamp(_ value: Int?, _ fallback: Int) -> Int {
                guard var value else { return fallback }
                if value < 0 { value += count }
                return step > 0 ? min(max(value, 0), count) : min(max(value, -1), count - 1)
            }
            var result: [Int] = []
            if step > 0 {
                var index = clamp(start, 0)
                let end = clamp(stop, count)
                while index < end {
                    result.append(index)
                    let (next, overflow) = index.addingReportingOverflow(step)
                    if overflow { break }
                    index = next
                }
            } else {
                var index = clamp(start, count - 1)
                let end = clamp(stop, -1)
                while index > end {
                    result.append(index)
                    let (next, overflow) = index.addingReportingOverflow(step)
                    if overflow { break }
                    index = next
                }
            }
            return result
        }
        switch base {
        case .list(let items): return .list(indices(items.count).map { items[$0] })
        case .tuple(let items): return .tuple(indices(items.count).map { items[$0] })
        case .string(let text, let safe):
            let characters = Array(text.unicodeScalars)
            var out = String.UnicodeScalarView()
            for index in indices(characters.count) { out.append(characters[index]) }
            return .string(String(out), safe: safe)
        default: throw renderer.error("'\(base.typeName)' object is not subscriptable", at)
        }
    }

    /// Python's `iter(value)` as `for` and filters use it; an undefined value is empty.
    static func iterate(_ value: TemplateValue, at: Position, renderer: TemplateRenderer) throws(TemplateError) -> [TemplateValue] {
        switch value {
        case .undefined: return []
        case .list(let items), .tuple(let items): return items
        case .mapping(let mapping): return mapping.keys.map { .text($0) }
        case .string(let text, _): return text.unicodeScalars.map { .text(String($0)) }
        default: throw renderer.error("'\(value.typeName)' object is not iterable", at)
        }
    }

    // MARK: Calls

    static func call(
        _ callee: TemplateValue, _ positional: [TemplateValue], _ keyword: [(String, TemplateValue)], at: Position, renderer: TemplateRenderer
    ) throws(TemplateError) -> TemplateValue {
        if let failure = undefinedError(callee, at: at, renderer: renderer) { throw failure }
        guard case .callable(let callable) = callee else { throw renderer.error("'\(callee.typeName)' object is not callable", at) }
        guard let receiver = callable.receiver else {
            return try TemplateGlobals.call(callable.name, positional, keyword, at: at, renderer: renderer)
        }
        func argument(_ index: Int) -> TemplateValue? { index < positional.count ? positional[index] : nil }
        func text(_ index: Int) throws(TemplateError) -> String? {
            guard let value = argument(index) else { return nil }
            if case .none = value { return nil }
            guard case .string(let string, _) = value else { throw renderer.error("must be str, not \(value.typeName)", at) }
            return string
        }
        switch (receiver, callable.name) {
        case (.int(let index), "cycle"):
            guard !positional.isEmpty else { throw renderer.error("no items for cycling given", at) }
            return positional[index % positional.count]
        case (.mapping(let mapping), "items"): return .list(mapping.pairs.map { .tuple([.text($0.key), $0.value]) })
        case (.mapping(let mapping), "keys"): return .list(mapping.keys.map { .text($0) })
        case (.mapping(let mapping), "values"): return .list(mapping.pairs.map(\.value))
        case (.mapping(let mapping), "get"):
            guard let key = argument(0) else { throw renderer.error("get expected at least 1 argument, got 0", at) }
            if case .string(let name, _) = key, let value = mapping[name] { return value }
            return argument(1) ?? .none
        case (.string(let string, _), "upper"): return .text(string.uppercased())
        case (.string(let string, _), "lower"): return .text(string.lowercased())
        case (.string(let string, _), "title"): return .text(TemplateFilters.pythonTitle(string))
        case (.string(let string, _), "capitalize"): return .text(TemplateFilters.capitalize(string))
        case (.string(let string, _), "strip"): return .text(strip(string, try text(0), leading: true, trailing: true))
        case (.string(let string, _), "lstrip"): return .text(strip(string, try text(0), leading: true, trailing: false))
        case (.string(let string, _), "rstrip"): return .text(strip(string, try text(0), leading: false, trailing: true))
        case (.string(let string, _), "startswith"): return .bool(string.hasPrefix(try text(0) ?? ""))
        case (.string(let string, _), "endswith"): return .bool(string.hasSuffix(try text(0) ?? ""))
        case (.string(let string, _), "replace"):
            let (old, new) = (try text(0) ?? "", try text(1) ?? "")
            // The result's size is known before it is built.
            let occurrences = old.isEmpty ? string.unicodeScalars.count + 1 : string.components(separatedBy: old).count - 1
            guard string.utf8.count + occurrences * max(0, new.utf8.count - old.utf8.count) <= TemplateLimits.valueBytesMax else {
                throw tooLarge(at: at, renderer: renderer)
            }
            return .text(replace(string, old, new, count: argument(2).flatMap(integer)))
        case (.string(let string, _), "split"):
            let maximum = argument(1).flatMap(integer) ?? -1
            return .list(split(string, separator: try text(0), maximum: maximum).map { .text($0) })
        case (.string(let string, _), "join"):
            var joined = ""
            for (index, item) in try iterate(argument(0) ?? .list([]), at: at, renderer: renderer).enumerated() {
                guard case .string(let part, _) = item else {
                    throw renderer.error("sequence item \(index): expected str instance, \(item.typeName) found", at)
                }
                if index > 0 { joined += string }
                joined += part
                guard joined.utf8.count <= TemplateLimits.valueBytesMax else { throw tooLarge(at: at, renderer: renderer) }
            }
            return .text(joined)
        default:
            throw renderer.error("'\(receiver.typeName)' object has no attribute '\(callable.name)'", at)
        }
    }

    static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value) }

    static func strip(_ string: String, _ characters: String?, leading: Bool, trailing: Bool) -> String {
        var scalars = Array(string.unicodeScalars)
        let set = characters.map { Set($0.unicodeScalars) }
        func removable(_ scalar: Unicode.Scalar) -> Bool { set?.contains(scalar) ?? isPythonSpace(scalar) }
        if trailing { while let last = scalars.last, removable(last) { scalars.removeLast() } }
        if leading {
            var start = 0
            while start < scalars.count, removable(scalars[start]) { start += 1 }
            scalars.removeFirst(start)
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return String(out)
    }

    /// Python's `str.replace`, including an empty `old` (which inserts between characters).
    static func replace(_ string: String, _ old: String, _ new: String, count: Int?) -> String {
        let limit = count.map { $0 < 0 ? Int.max : $0 } ?? Int.max
        if old.isEmpty {
            var out = ""
            var done = 0
            for scalar in string.unicodeScalars {
                if done < limit {
                    out += new
                    done += 1
                }
                out.unicodeScalars.append(scalar)
            }
            if done < limit { out += new }
            return out
        }
        var out = ""
        var rest = Substring(string)
        var done = 0
        while done < limit, let range = rest.range(of: old, options: .literal) {
            out += rest[..<range.lowerBound]
            out += new
            rest = rest[range.upperBound...]
            done += 1
        }
        return out + rest
    }

    /// Python's `str.split`: on runs of whitespace without a separator, else on the separator.
    static func split(_ string: String, separator: String?, maximum: Int) -> [String] {
        var parts: [String] = []
        guard let separator else {
            var current = String.UnicodeScalarView()
            var scalars = Substring(string).unicodeScalars[...]
            while let first = scalars.first, isPythonSpace(first) { scalars.removeFirst() }
            while let scalar = scalars.first {
                if isPythonSpace(scalar) {
                    if maximum >= 0 && parts.count == maximum {
                        break
                    }
                    parts.append(String(current))
                    current = String.UnicodeScalarView()
                    while let next = scalars.first, isPythonSpace(next) { scalars.removeFirst() }
                    continue
                }
                current.append(scalar)
                scalars.removeFirst()
            }
            if maximum >= 0 && parts.count == maximum && !scalars.isEmpty {
                var rest = String.UnicodeScalarView(current)
                rest.append(contentsOf: scalars)
                parts.append(strip(String(rest), nil, leading: false, trailing: true))
            } else if !current.isEmpty {
                parts.append(String(current))
            }
            return parts
        }
        var rest = Substring(string)
        while maximum < 0 || parts.count < maximum, let range = rest.range(of: separator, options: .literal) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }

    // MARK: Operators

    static func number(_ value: TemplateValue) -> Double? {
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        case .bool(let flag): return flag ? 1 : 0
        default: return nil
        }
    }

    static func unary(_ operation: String, _ value: TemplateValue, at: Position, renderer: TemplateRenderer) throws(TemplateError) -> TemplateValue {
        if let failure = undefinedError(value, at: at, renderer: renderer) { throw failure }
        switch value {
        case .int(let number):
            guard operation == "-" else { return value }
            let (negated, overflow) = Int(0).subtractingReportingOverflow(number)
            if overflow { throw overflowError(at: at, renderer: renderer) }
            return .int(negated)
        case .bool(let flag): return .int(operation == "-" ? (flag ? -1 : 0) : (flag ? 1 : 0))
        case .double(let number): return .double(operation == "-" ? -number : number)
        default: throw renderer.error("bad operand type for unary \(operation): '\(value.typeName)'", at)
        }
    }

    static func binary(_ operation: String, _ left: TemplateValue, _ right: TemplateValue, at: Position, renderer: TemplateRenderer)
        throws(TemplateError) -> TemplateValue
    {
        if operation == "~" { return try sized(.text(left.text + right.text), at: at, renderer: renderer) }
        if let failure = undefinedError(left, at: at, renderer: renderer) ?? undefinedError(right, at: at, renderer: renderer) { throw failure }
        let unsupported = renderer.error("unsupported operand type(s) for \(operation): '\(left.typeName)' and '\(right.typeName)'", at)
        switch (left, right) {
        case (.string(let a, _), .string(let b, _)) where operation == "+": return try sized(.text(a + b), at: at, renderer: renderer)
        case (.list(let a), .list(let b)) where operation == "+": return try sized(.list(a + b), at: at, renderer: renderer)
        case (.tuple(let a), .tuple(let b)) where operation == "+": return try sized(.tuple(a + b), at: at, renderer: renderer)
        case (.string, _) where operation == "*", (.list, _) where operation == "*", (.tuple, _) where operation == "*":
            return try repeated(left, right, at: at, renderer: renderer)
        case (_, .string) where operation == "*", (_, .list) where operation == "*", (_, .tuple) where operation == "*":
            // `3 * 'ab'` is `'ab' * 3` in Python.
            return try repeated(right, left, at: at, renderer: renderer)
        default: break
        }
        if let a = integerOperand(left), let b = integerOperand(right) {
            // Python's integers do not overflow; spore's are 64-bit, and a result that does not
            // fit is an error, never a wrapped number.
            func checked(_ result: (partialValue: Int, overflow: Bool)) throws(TemplateError) -> TemplateValue {
                if result.overflow { throw overflowError(at: at, renderer: renderer) }
                return .int(result.partialValue)
            }
            switch operation {
            case "+": return try checked(a.addingReportingOverflow(b))
            case "-": return try checked(a.subtractingReportingOverflow(b))
            case "*": return try checked(a.multipliedReportingOverflow(by: b))
            case "/":
                guard b != 0 else { throw renderer.error("division by zero", at) }
                return .double(Double(a) / Double(b))
            case "//":
                guard b != 0 else { throw renderer.error("integer division or modulo by zero", at) }
                if b == -1 { return try checked(Int(0).subtractingReportingOverflow(a)) }
                return .int(floorDivide(a, b))
            case "%":
                guard b != 0 else { throw renderer.error("integer modulo by zero", at) }
                if b == -1 { return .int(0) }
                // Python's modulo takes the divisor's sign; computed without overflow.
                var remainder = a.remainderReportingOverflow(dividingBy: b).partialValue
                if remainder != 0, (remainder < 0) != (b < 0) { remainder += b }
                return .int(remainder)
            case "**":
                guard b >= 0 else { return .double(pow(Double(a), Double(b))) }
                if a == 0 || a == 1 { return .int(b == 0 ? 1 : a) }
                if a == -1 { return .int(b % 2 == 0 ? 1 : -1) }
                // |a| ≥ 2: more than 63 steps always overflows.
                guard b <= 64 else { throw overflowError(at: at, renderer: renderer) }
                var result = 1
                for _ in 0..<b {
                    let (next, overflow) = result.multipliedReportingOverflow(by: a)
                    if overflow { throw overflowError(at: at, renderer: renderer) }
                    result = next
                }
                return .int(result)
            default: throw unsupported
            }
        }
        guard let a = number(left), let b = number(right) else {
            if case .string(let format, _) = left, operation == "%" {
                return .text(try TemplateFilters.percentFormat(format, right, at: at, renderer: renderer))
            }
            throw unsupported
        }
        switch operation {
        case "+": return .double(a + b)
        case "-": return .double(a - b)
        case "*": return .double(a * b)
        case "/":
            guard b != 0 else { throw renderer.error("float division by zero", at) }
            return .double(a / b)
        case "//":
            guard b != 0 else { throw renderer.error("float floor division by zero", at) }
            return .double((a / b).rounded(.down))
        case "%":
            guard b != 0 else { throw renderer.error("float modulo", at) }
            let remainder = a.truncatingRemainder(dividingBy: b)
            return .double(remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder)
        case "**": return .double(pow(a, b))
        default: throw unsupported
        }
    }

    private static func integerOperand(_ value: TemplateValue) -> Int? {
        switch value {
        case .int(let number): return number
        case .bool(let flag): return flag ? 1 : 0
        default: return nil
        }
    }

    static func overflowError(at: Position, renderer: TemplateRenderer) -> TemplateError {
        renderer.error("OverflowError: the integer does not fit in 64 bits", at)
    }

    /// `sequence * times`, bounded like every value a template builds.
    static func repeated(_ sequence: TemplateValue, _ times: TemplateValue, at: Position, renderer: TemplateRenderer) throws(TemplateError)
        -> TemplateValue
    {
        guard let count = integerOperand(times) else {
            throw renderer.error("can't multiply sequence by non-int of type '\(times.typeName)'", at)
        }
        let copies = max(0, count)
        switch sequence {
        case .string(let text, _):
            guard copies == 0 || text.utf8.count <= TemplateLimits.valueBytesMax / copies else { throw tooLarge(at: at, renderer: renderer) }
            return .text(String(repeating: text, count: copies))
        case .list(let items), .tuple(let items):
            guard copies == 0 || items.count <= TemplateLimits.valueCountMax / copies else { throw tooLarge(at: at, renderer: renderer) }
            let joined = Array([[TemplateValue]](repeating: items, count: copies).joined())
            if case .tuple = sequence { return .tuple(joined) }
            return .list(joined)
        default:
            throw renderer.error("can't multiply sequence by non-int of type '\(times.typeName)'", at)
        }
    }

    static func tooLarge(at: Position, renderer: TemplateRenderer) -> TemplateError {
        renderer.error(
            "MemoryError: a value would be larger than \(TemplateLimits.valueBytesMax) bytes or \(TemplateLimits.valueCountMax) items", at)
    }

    /// `value` if it stays within the size every value a template builds must keep.
    static func sized(_ value: TemplateValue, at: Position, renderer: TemplateRenderer) throws(TemplateError) -> TemplateValue {
        switch value {
        case .string(let text, _): if text.utf8.count > TemplateLimits.valueBytesMax { throw tooLarge(at: at, renderer: renderer) }
        case .list(let items), .tuple(let items): if items.count > TemplateLimits.valueCountMax { throw tooLarge(at: at, renderer: renderer) }
        default: break
        }
        return value
    }

    /// Python's `int(x)` of a float: exact within 64 bits, an error beyond.
    static func int(_ number: Double, at: Position, renderer: TemplateRenderer) throws(TemplateError) -> Int {
        guard number.isFinite else { throw renderer.error("ValueError: cannot convert float \(TemplateValue.pythonFloat(number)) to integer", at) }
        guard let value = Int(exactly: number.rounded(.towardZero)) else { throw overflowError(at: at, renderer: renderer) }
        return value
    }

    private static func floorDivide(_ a: Int, _ b: Int) -> Int {
        let quotient = a / b
        return (a % b != 0) && ((a < 0) != (b < 0)) ? quotient - 1 : quotient
    }

    /// Python's `==`. Values nested deeper than the limit compare unequal rather than recurse on.
    static func equal(_ left: TemplateValue, _ right: TemplateValue, depth: Int = 0) -> Bool {
        guard depth <= TemplateLimits.valueDepthMax else { return false }
        switch (left, right) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let a, _), .string(let b, _)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1, depth: depth + 1) }
        case (.mapping(let a), .mapping(let b)):
            guard a.count == b.count else { return false }
            return a.pairs.allSatisfy { pair in b[pair.key].map { equal(pair.value, $0, depth: depth + 1) } ?? false }
        default:
            if let a = number(left), let b = number(right) { return a == b }
            return false
        }
    }

    /// Python's ordering; mixing types that Python cannot order is an error.
    static func less(
        _ left: TemplateValue, _ right: TemplateValue, operation: String, at: Position, renderer: TemplateRenderer, depth: Int = 0
    ) throws(TemplateError) -> Bool {
        guard depth <= TemplateLimits.valueDepthMax else { throw renderer.error("RecursionError: values nest too deeply to compare", at) }
        switch (left, right) {
        case (.string(let a, _), .string(let b, _)): return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)):
            for (x, y) in zip(a, b) where !equal(x, y) { return try less(x, y, operation: operation, at: at, renderer: renderer, depth: depth + 1) }
            return a.count < b.count
        default:
            if let a = number(left), let b = number(right) { return a < b }
            if let failure = undefinedError(left, at: at, renderer: renderer) ?? undefinedError(right, at: at, renderer: renderer) { throw failure }
            throw renderer.error("'\(operation)' not supported between instances of '\(left.typeName)' and '\(right.typeName)'", at)
        }
    }

    static func contains(_ container: TemplateValue, _ item: TemplateValue, at: Position, renderer: TemplateRenderer) throws(TemplateError) -> Bool {
        switch container {
        case .string(let text, _):
            guard case .string(let part, _) = item else {
                throw renderer.error("'in <string>' requires string as left operand, not \(item.typeName)", at)
            }
            return part.isEmpty || text.range(of: part, options: .literal) != nil
        case .list(let items), .tuple(let items): return items.contains { equal($0, item) }
        case .mapping(let mapping):
            guard case .string(let key, _) = item else { return false }
            return mapping[key] != nil
        case .undefined:
            if let failure = undefinedError(container, at: at, renderer: renderer) { throw failure }
            return false
        default: throw renderer.error("argument of type '\(container.typeName)' is not iterable", at)
        }
    }

    static func compare(_ operation: String, _ left: TemplateValue, _ right: TemplateValue, at: Position, renderer: TemplateRenderer)
        throws(TemplateError) -> Bool
    {
        switch operation {
        case "==": return equal(left, right)
        case "!=": return !equal(left, right)
        case "<": return try less(left, right, operation: operation, at: at, renderer: renderer)
        case ">": return try less(right, left, operation: operation, at: at, renderer: renderer)
        case "<=": return try !less(right, left, operation: operation, at: at, renderer: renderer)
        case ">=": return try !less(left, right, operation: operation, at: at, renderer: renderer)
        case "in": return try contains(right, left, at: at, renderer: renderer)
        case "notin": return try !contains(right, left, at: at, renderer: renderer)
        default: throw renderer.error("unknown comparison \(operation)", at)
        }
    }
}

/// The global functions Jinja2 offers every template that pages actually use.
enum TemplateGlobals {
    static func value(_ name: String) -> TemplateValue? {
        ["range", "dict"].contains(name) ? .callable(TemplateCallable(name, receiver: nil)) : nil
    }

    static func call(
        _ name: String, _ positional: [TemplateValue], _ keyword: [(String, TemplateValue)], at: TemplateLexer.Position, renderer: TemplateRenderer
    ) throws(TemplateError) -> TemplateValue {
        switch name {
        case "range":
            var bounds: [Int] = []
            for value in positional {
                guard case .int(let number) = value else {
                    throw renderer.error("'\(value.typeName)' object cannot be interpreted as an integer", at)
                }
                bounds.append(number)
            }
            let (start, stop, step): (Int, Int, Int) =
                switch bounds.count {
                case 1: (0, bounds[0], 1)
                case 2: (bounds[0], bounds[1], 1)
                case 3: (bounds[0], bounds[1], bounds[2])
                default: throw renderer.error("range expected at least 1 argument, got \(bounds.count)", at)
                }
            guard step != 0 else { throw renderer.error("range() arg 3 must not be zero", at) }
            var values: [TemplateValue] = []
            var current = start
            while step > 0 ? current < stop : current > stop {
                guard values.count < TemplateLimits.rangeCountMax else {
                    throw renderer.error("Range too big. The sandbox blocks ranges larger than MAX_RANGE (\(TemplateLimits.rangeCountMax)).", at)
                }
                values.append(.int(current))
                let (next, overflow) = current.addingReportingOverflow(step)
                if overflow { break }
                current = next
            }
            return .list(values)
        case "dict":
            var mapping = TemplateMapping()
            for (key, value) in keyword { mapping[key] = value }
            return .mapping(mapping)
        default:
            throw renderer.error("'\(name)' is undefined", at)
        }
    }
}
