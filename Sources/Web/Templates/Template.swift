/// Named limits of template parsing and rendering: a template is user input, so it must not be
/// able to take unbounded memory or time.
public enum TemplateLimits {
    /// The largest template source parsed.
    public static let sourceBytesMax = 1 << 20
    /// The largest page a template may render.
    public static let outputBytesMax = 8 << 20
    /// Loop iterations and nodes rendered per page, across includes.
    public static let stepsMax = 500_000
    /// How deep includes may nest (a template including itself stops here).
    public static let includeDepthMax = 10
    /// The most templates one page may include (distinct names).
    public static let includeCountMax = 64
    /// Template source a page may load, itself and its includes together.
    public static let pageSourceBytesMax = 4 << 20
    /// The longest `range()`.
    public static let rangeCountMax = 100_000
    /// The largest string a template may build (by `*`, `~`, `+`, `join`, `replace`, `indent` …).
    public static let valueBytesMax = 8 << 20
    /// The most items a list a template builds may hold.
    public static let valueCountMax = 1_000_000
    /// How deeply expressions and blocks may nest (each level is stack to parse and render).
    public static let nestingDepthMax = 32
    /// How deeply a value may nest when printed, compared or turned into JSON (as deep as the
    /// JSON a manifest may hold).
    public static let valueDepthMax = 128
    /// Tokens in one `{{ }}` or `{% %}` tag.
    public static let tagTokenCountMax = 1_024
    /// Operators in one tag: a long chain (`1+1+…`) is a deep tree to evaluate.
    public static let tagOperatorCountMax = 128
}

/// A parsed Jinja2 template.
public struct Template: Sendable {
    public let name: String
    let nodes: [TemplateNode]

    /// Parses `source`; the error has the line and column of the first problem. Unknown filters
    /// and tests are errors here, as in Jinja2 (which checks them when it compiles).
    public init(source: String, name: String) throws(TemplateError) {
        guard source.utf8.count <= TemplateLimits.sourceBytesMax else {
            throw TemplateError("template is larger than \(TemplateLimits.sourceBytesMax) bytes", template: name, line: 1, column: 1)
        }
        self.name = name
        var parser = try TemplateParser(source: source, name: name)
        nodes = try parser.parse()
        try TemplateChecker(template: name).check(nodes)
    }

    /// The names this template includes with a literal string (`{% include "header.html" %}`),
    /// for a caller that must load them before rendering.
    public var includedNames: [String] {
        var names: [String] = []
        var seen: Set<String> = []
        func add(_ name: String) { if seen.insert(name).inserted { names.append(name) } }
        func visit(_ nodes: [TemplateNode]) {
            for node in nodes {
                switch node {
                case .include(let expression, _, _):
                    if case .literal(.string(let name, _)) = expression { add(name) }
                    if case .list(let items) = expression {
                        for case .literal(.string(let name, _)) in items { add(name) }
                    }
                    if case .tuple(let items) = expression {
                        for case .literal(.string(let name, _)) in items { add(name) }
                    }
                case .conditional(let branches, let otherwise):
                    for (_, body) in branches { visit(body) }
                    visit(otherwise)
                case .loop(_, _, _, let body, let otherwise, _):
                    visit(body)
                    visit(otherwise)
                case .assignBlock(_, let body): visit(body)
                default: break
                }
            }
        }
        visit(nodes)
        return names
    }

    /// Renders with `context` as the template's variables. `includes` are the templates
    /// `{% include %}` may name. `autoescape` is off for users' templates (Jinja2's default, as
    /// Hypha renders them) and on for spore's own pages.
    public func render(_ context: TemplateMapping, includes: [String: Template] = [:], autoescape: Bool = false) throws(TemplateError) -> String {
        var renderer = TemplateRenderer(includes: includes, autoescape: autoescape)
        return try renderer.render(self, context: context)
    }
}

/// Checks what Jinja2 checks at compile time: every filter and test name exists.
private struct TemplateChecker {
    let template: String

    func check(_ nodes: [TemplateNode]) throws(TemplateError) {
        for node in nodes {
            switch node {
            case .text: break
            case .output(let expression): try check(expression)
            case .conditional(let branches, let otherwise):
                for (condition, body) in branches {
                    try check(condition)
                    try check(body)
                }
                try check(otherwise)
            case .loop(_, let sequence, let condition, let body, let otherwise, _):
                try check(sequence)
                if let condition { try check(condition) }
                try check(body)
                try check(otherwise)
            case .assign(_, let expression, _): try check(expression)
            case .assignBlock(_, let body): try check(body)
            case .include(let expression, _, _): try check(expression)
            }
        }
    }

    func check(_ arguments: TemplateArguments) throws(TemplateError) {
        for argument in arguments.positional { try check(argument) }
        for (_, argument) in arguments.keyword { try check(argument) }
    }

    func check(_ expression: TemplateExpression) throws(TemplateError) {
        switch expression {
        case .literal, .name: break
        case .attribute(let base, _, _): try check(base)
        case .item(let base, let key, _):
            try check(base)
            try check(key)
        case .slice(let base, let start, let stop, let step, _):
            try check(base)
            for part in [start, stop, step] { if let part { try check(part) } }
        case .call(let base, let arguments, _):
            try check(base)
            try check(arguments)
        case .filter(let base, let name, let arguments, let at):
            guard TemplateFilters.names.contains(name) else {
                throw TemplateError("No filter named '\(name)'.", template: template, line: at.line, column: at.column)
            }
            try check(base)
            try check(arguments)
        case .test(let base, let name, let arguments, _, let at):
            guard TemplateTests.names.contains(name) else {
                throw TemplateError("No test named '\(name)'.", template: template, line: at.line, column: at.column)
            }
            try check(base)
            try check(arguments)
        case .unary(_, let operand, _): try check(operand)
        case .binary(_, let left, let right, _):
            try check(left)
            try check(right)
        case .compare(let left, let rest, _):
            try check(left)
            for (_, right) in rest { try check(right) }
        case .and(let left, let right), .or(let left, let right):
            try check(left)
            try check(right)
        case .not(let operand): try check(operand)
        case .conditional(let value, let condition, let otherwise):
            try check(value)
            try check(condition)
            if let otherwise { try check(otherwise) }
        case .list(let items), .tuple(let items): for item in items { try check(item) }
        case .dict(let pairs):
            for (key, value) in pairs {
                try check(key)
                try check(value)
            }
        }
    }
}

/// A template with every template it includes by a literal name, loaded through `fetch` (which
/// answers nil for a name that does not exist). A missing include is not an error here: the
/// render fails where it is reached, unless the include says `ignore missing`.
public struct TemplateBundle: Sendable {
    public let main: Template
    public let includes: [String: Template]

    public init(name: String, fetch: (String) async throws -> String?) async throws {
        guard let source = try await fetch(name) else {
            throw TemplateError("TemplateNotFound: \(name)", template: name, line: 1, column: 1)
        }
        var sourceBytes = source.utf8.count
        main = try Template(source: source, name: name)
        var loaded: [String: Template] = [:]
        var wanted = Set(main.includedNames)
        var pending = main.includedNames
        var looked: Set<String> = [name]
        while !pending.isEmpty {
            let next = pending.removeFirst()
            guard looked.insert(next).inserted else { continue }
            // Every name looked up counts, found or not, and so do the bytes loaded.
            guard looked.count <= TemplateLimits.includeCountMax + 1 else {
                throw TemplateError("a page may include at most \(TemplateLimits.includeCountMax) templates", template: name, line: 1, column: 1)
            }
            guard let included = try await fetch(next) else { continue }
            sourceBytes += included.utf8.count
            guard sourceBytes <= TemplateLimits.pageSourceBytesMax else {
                throw TemplateError(
                    "a page's templates may hold at most \(TemplateLimits.pageSourceBytesMax) bytes", template: name, line: 1, column: 1)
            }
            let template = try Template(source: included, name: next)
            loaded[next] = template
            let names = template.includedNames
            wanted.formUnion(names)
            pending += names
        }
        if wanted.contains(name) { loaded[name] = main }
        includes = loaded
    }

    public func render(_ context: TemplateMapping, autoescape: Bool = false) throws(TemplateError) -> String {
        try main.render(context, includes: includes, autoescape: autoescape)
    }
}
