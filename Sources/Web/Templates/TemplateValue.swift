import SporeJSON

/// A value as a Jinja2 template sees it: Python's types, with Python's truthiness, equality and
/// `str()`/`repr()` text, so the same template gives the same bytes as Hypha's Jinja2.
public indirect enum TemplateValue: Sendable {
    /// A name or member that does not exist. `hint` is what Jinja2 says when it is used anyway.
    case undefined(hint: String)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    /// `safe` marks markupsafe's `Markup`: text that `escape` and autoescape leave alone.
    case string(String, safe: Bool)
    case list([TemplateValue])
    /// A Python tuple: a list that prints with parentheses (`dict.items()` pairs, `(1, 2)`).
    case tuple([TemplateValue])
    case mapping(TemplateMapping)
    /// A method bound to its receiver (`d.items`, `s.upper`, `loop.cycle`) or a global (`range`).
    case callable(TemplateCallable)

    public static func text(_ value: String) -> TemplateValue { .string(value, safe: false) }

    public init(_ json: JSONValue) {
        switch json {
        case .null: self = .none
        case .bool(let value): self = .bool(value)
        case .int(let value): self = .int(Int(value))
        case .double(let value): self = .double(value)
        case .string(let value): self = .string(value, safe: false)
        case .array(let items): self = .list(items.map(TemplateValue.init))
        case .object(let object):
            var mapping = TemplateMapping()
            for (key, value) in object.pairs { mapping[key] = TemplateValue(value) }
            self = .mapping(mapping)
        }
    }

    /// The items of a list or tuple.
    var sequence: [TemplateValue]? {
        switch self {
        case .list(let items), .tuple(let items): return items
        default: return nil
        }
    }

    var isUndefined: Bool { if case .undefined = self { return true } else { return false } }

    /// Python's `bool(value)`.
    var truthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let value): return value
        case .int(let value): return value != 0
        case .double(let value): return value != 0
        case .string(let value, _): return !value.isEmpty
        case .list(let items), .tuple(let items): return !items.isEmpty
        case .mapping(let mapping): return !mapping.isEmpty
        case .callable: return true
        }
    }

    /// Python's type name, as error messages and `'dict object' has no attribute` hints say it.
    var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string(_, let safe): return safe ? "Markup" : "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .mapping: return "dict"
        case .callable: return "builtin_function_or_method"
        }
    }

    /// Python's `str(value)`: what `{{ value }}` prints.
    public var text: String {
        switch self {
        case .undefined: return ""
        case .string(let value, _): return value
        default: return repr
        }
    }

    /// Python's `repr(value)`: how values print inside lists and dicts.
    var repr: String { repr(depth: 0) }

    /// Whether lists and dicts nest deeper than `limit` (checked without deeper recursion).
    func exceedsDepth(_ limit: Int) -> Bool {
        guard limit >= 0 else { return true }
        switch self {
        case .list(let items), .tuple(let items): return items.contains { $0.exceedsDepth(limit - 1) }
        case .mapping(let mapping): return mapping.pairs.contains { $0.value.exceedsDepth(limit - 1) }
        default: return false
        }
    }

    /// `repr`, with values nested deeper than `TemplateLimits.valueDepthMax` shown as `...`
    /// (the renderer refuses to print such values; this only keeps every other use bounded).
    private func repr(depth: Int) -> String {
        if depth > TemplateLimits.valueDepthMax { return "..." }
        switch self {
        case .undefined: return ""
        case .none: return "None"
        case .bool(let value): return value ? "True" : "False"
        case .int(let value): return String(value)
        case .double(let value): return Self.pythonFloat(value)
        case .string(let value, let safe): return safe ? "Markup(\(Self.pythonQuoted(value)))" : Self.pythonQuoted(value)
        case .list(let items): return "[" + items.map { $0.repr(depth: depth + 1) }.joined(separator: ", ") + "]"
        case .tuple(let items): return "(" + items.map { $0.repr(depth: depth + 1) }.joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case .mapping(let mapping):
            return "{" + mapping.pairs.map { "\(Self.pythonQuoted($0.key)): \($0.value.repr(depth: depth + 1))" }.joined(separator: ", ") + "}"
        case .callable(let callable): return "<built-in method \(callable.name)>"
        }
    }

    /// Python's float repr (`nan`, `inf`, `1e+16`, `1.0`), as schema messages and queries use it.
    static func pythonFloat(_ value: Double) -> String { PythonRepr.float(value) }

    /// Python's `repr(str)`: the same rules as schema messages use.
    static func pythonQuoted(_ value: String) -> String { PythonRepr.string(value) }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// A Python dict with string keys, in insertion order.
public struct TemplateMapping: Sendable {
    private(set) var keys: [String] = []
    private var values: [String: TemplateValue] = [:]

    public init() {}

    public init(_ pairs: [(String, TemplateValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    public var isEmpty: Bool { keys.isEmpty }
    var count: Int { keys.count }
    var pairs: [(key: String, value: TemplateValue)] { keys.map { ($0, values[$0]!) } }

    public subscript(key: String) -> TemplateValue? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }
}

/// A function value: a method bound to the value it was read from, or a global function.
public struct TemplateCallable: Sendable {
    let name: String
    let receiver: TemplateValue?

    init(_ name: String, receiver: TemplateValue?) {
        self.name = name
        self.receiver = receiver
    }
}

/// A failure to parse or render a template, at a line and column of a named template.
public struct TemplateError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let template: String
    public let line: Int
    public let column: Int

    public init(_ message: String, template: String, line: Int, column: Int) {
        self.message = message
        self.template = template
        self.line = line
        self.column = column
    }

    public var description: String { "\(template):\(line):\(column): \(message)" }
}
