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
