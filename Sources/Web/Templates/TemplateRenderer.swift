/// Walks a parsed template with Jinja2's runtime rules: undefined names print as nothing but fail
/// when used further, `for` and `set` scope as in Jinja2, includes see the including context.
struct TemplateRenderer {
    let includes: [String: Template]
    let autoescape: Bool
    private var output = ""
    private var steps = 0
    private var depth = 0
    private var scopes: [[String: TemplateValue]] = []
    /// Bytes kept by `{% set %}` blocks on this page.
    private var capturedBytes = 0
    /// The template being rendered, for error positions.
    private var templateName = ""

    init(includes: [String: Template], autoescape: Bool) {
        self.includes = includes
        self.autoescape = autoescape
    }

    mutating func render(_ template: Template, context: TemplateMapping) throws(TemplateError) -> String {
        var globals: [String: TemplateValue] = [:]
        for (key, value) in context.pairs { globals[key] = value }
        scopes = [globals, [:]]
        templateName = template.name
        try render(template.nodes)
        return output
    }

    func error(_ message: String, _ at: TemplateLexer.Position) -> TemplateError {
        TemplateError(message, template: templateName, line: at.line, column: at.column)
    }

    /// Charges `count` steps of work (a node, an expression, an item a filter or `range` went
    /// through); a page has `TemplateLimits.stepsMax`.
    mutating func charge(_ count: Int, _ at: TemplateLexer.Position) throws(TemplateError) {
        steps += max(0, count)
        guard steps <= TemplateLimits.stepsMax else { throw error("template takes more than \(TemplateLimits.stepsMax) steps", at) }
    }

    private mutating func step(_ at: TemplateLexer.Position) throws(TemplateError) {
        steps += 1
        guard steps <= TemplateLimits.stepsMax else { throw error("template takes more than \(TemplateLimits.stepsMax) steps", at) }
    }

    private mutating func write(_ text: String, _ at: TemplateLexer.Position) throws(TemplateError) {
        try charge(text.utf8.count / 256, at)
        output += text
        guard output.utf8.count <= TemplateLimits.outputBytesMax else {
            throw error("page is larger than \(TemplateLimits.outputBytesMax) bytes", at)
        }
    }

    private func lookup(_ name: String) -> TemplateValue? {
        for scope in scopes.reversed() { if let value = scope[name] { return value } }
        return TemplateGlobals.value(name)
    }

    private mutating func render(_ nodes: [TemplateNode]) throws(TemplateError) {
        for node in nodes {
            try step(TemplateLexer.Position(line: 0, column: 0))
            switch node {
            case .text(let text):
                try write(text, TemplateLexer.Position(line: 0, column: 0))
            case .output(let expression):
                let value = try evaluate(expression)
                if value.exceedsDepth(TemplateLimits.valueDepthMax) {
                    throw error("RecursionError: a value nests deeper than \(TemplateLimits.valueDepthMax)", position(of: expression))
                }
                try write(autoescape ? TemplateFilters.escape(value).text : value.text, position(of: expression))
            case .conditional(let branches, let otherwise):
                var taken = false
                for (condition, body) in branches where try evaluate(condition).truthy {
                    try render(body)
                    taken = true
                    break
                }
                if !taken { try render(otherwise) }
            case .loop(let targets, let sequence, let condition, let body, let otherwise, let at):
                try renderLoop(targets: targets, sequence: sequence, condition: condition, body: body, otherwise: otherwise, at: at)
            case .assign(let targets, let expression, let at):
                let value = try evaluate(expression)
                try assign(targets, value, at: at)
            case .assignBlock(let target, let body):
                let saved = output
                output = ""
                try render(body)
                let captured = output
                output = saved
                // What `set` blocks keep counts for the whole page, not only for one block.
                capturedBytes += captured.utf8.count
                guard capturedBytes <= TemplateLimits.outputBytesMax * 4 else {
                    throw error("set blocks hold more than \(TemplateLimits.outputBytesMax * 4) bytes", TemplateLexer.Position(line: 0, column: 0))
                }
                scopes[scopes.count - 1][target] = .string(captured, safe: autoescape)
            case .include(let expression, let ignoreMissing, let at):
                try include(expression, ignoreMissing: ignoreMissing, at: at)
            }
        }
    }

    private mutating func assign(_ targets: [String], _ value: TemplateValue, at: TemplateLexer.Position) throws(TemplateError) {
        if targets.count == 1 {
            scopes[scopes.count - 1][targets[0]] = value
            return
        }
        let items = try TemplatePython.iterate(value, at: at, renderer: self)
        guard items.count == targets.count else {
            throw error(
                items.count > targets.count
                    ? "too many values to unpack (expected \(targets.count))"
                    : "not enough values to unpack (expected \(targets.count), got \(items.count))", at)
        }
        for (target, item) in zip(targets, items) { scopes[scopes.count - 1][target] = item }
    }

    private mutating func renderLoop(
        targets: [String], sequence: TemplateExpression, condition: TemplateExpression?, body: [TemplateNode], otherwise: [TemplateNode],
        at: TemplateLexer.Position
    ) throws(TemplateError) {
        let all = try TemplatePython.iterate(try evaluate(sequence), at: at, renderer: self)
        var items: [TemplateValue] = []
        if let condition {
            // The `if` of a `for` filters before `loop` counts, with the item bound.
            for item in all {
                try step(at)
                scopes.append([:])
                try assign(targets, item, at: at)
                let keep = try evaluate(condition).truthy
                scopes.removeLast()
                if keep { items.append(item) }
            }
        } else {
            items = all
        }
        if items.isEmpty {
            try render(otherwise)
            return
        }
        let count = items.count
        for (index, item) in items.enumerated() {
            try step(at)
            var loop = TemplateMapping()
            loop["index"] = .int(index + 1)
            loop["index0"] = .int(index)
            loop["revindex"] = .int(count - index)
            loop["revindex0"] = .int(count - index - 1)
            loop["first"] = .bool(index == 0)
            loop["last"] = .bool(index == count - 1)
            loop["length"] = .int(count)
            loop["depth"] = .int(1)
            loop["depth0"] = .int(0)
            loop["previtem"] = index > 0 ? items[index - 1] : .undefined(hint: "there is no previous item")
            loop["nextitem"] = index + 1 < count ? items[index + 1] : .undefined(hint: "there is no next item")
            loop["cycle"] = .callable(TemplateCallable("cycle", receiver: .int(index)))
            scopes.append(["loop": .mapping(loop)])
            try assign(targets, item, at: at)
            try render(body)
            scopes.removeLast()
        }
    }

    private mutating func include(_ expression: TemplateExpression, ignoreMissing: Bool, at: TemplateLexer.Position) throws(TemplateError) {
        let value = try evaluate(expression)
        // A list of names includes the first that exists, as Jinja2's `select_template` does.
        let names: [TemplateValue] = value.sequence ?? [value]
        var found: Template?
        for name in names {
            if case .string(let text, _) = name, let template = includes[text] {
                found = template
                break
            }
        }
        guard let template = found else {
            if ignoreMissing { return }
            throw error("TemplateNotFound: \(names.map(\.text).joined(separator: ", "))", at)
        }
        guard depth < TemplateLimits.includeDepthMax else { throw error("includes nest deeper than \(TemplateLimits.includeDepthMax)", at) }
        let savedName = templateName
        let savedScopes = scopes
        // The included template sees every variable visible here; what it sets stays inside it.
        var flattened: [String: TemplateValue] = [:]
        for scope in scopes { flattened.merge(scope) { $1 } }
        // Jinja2 passes loop variables to an included template, but not `loop` itself.
        flattened["loop"] = nil
        scopes = [flattened, [:]]
        templateName = template.name
        depth += 1
        defer {
            depth -= 1
            templateName = savedName
            scopes = savedScopes
        }
        try render(template.nodes)
    }

    func position(of expression: TemplateExpression) -> TemplateLexer.Position {
        switch expression {
        case .name(_, let at), .attribute(_, _, let at), .item(_, _, let at), .slice(_, _, _, _, let at), .call(_, _, let at),
            .filter(_, _, _, let at), .test(_, _, _, _, let at), .unary(_, _, let at), .binary(_, _, _, let at), .compare(_, _, let at):
            return at
        case .and(let left, _), .or(let left, _), .not(let left), .conditional(let left, _, _): return position(of: left)
        case .list(let items), .tuple(let items): return items.first.map { position(of: $0) } ?? TemplateLexer.Position(line: 0, column: 0)
        case .dict(let pairs): return pairs.first.map { position(of: $0.0) } ?? TemplateLexer.Position(line: 0, column: 0)
        case .literal: return TemplateLexer.Position(line: 0, column: 0)
        }
    }

    // MARK: Expressions

    mutating func evaluate(_ expression: TemplateExpression) throws(TemplateError) -> TemplateValue {
        let value = try evaluateNode(expression)
        // What an expression builds costs in proportion to its size, so `range`, `*` and
        // filters over long lists count against the page's steps; reading a variable does not.
        switch expression {
        case .call, .filter, .binary, .list, .tuple, .dict: break
        default:
            try charge(1, position(of: expression))
            return value
        }
        switch value {
        case .list, .tuple, .mapping: try admit(value, position(of: expression))
        case .string(let text, _): try charge(1 + text.utf8.count / 256, position(of: expression))
        default: try charge(1, position(of: expression))
        }
        return value
    }

    /// Admits a list or dict the template built: nested at most `valueDepthMax` deep (so that no
    /// later walk, nor freeing it, recurses without bound), its size as a tree (parts shared by
    /// reference count each time they appear) charged to the page's steps as it is walked, so a
    /// value that doubles on every line stops the page instead of the daemon.
    private mutating func admit(_ value: TemplateValue, _ at: TemplateLexer.Position) throws(TemplateError) {
        var pending: [(TemplateValue, Int)] = [(value, 0)]
        var visited = 0
        while let (current, depth) = pending.popLast() {
            guard depth <= TemplateLimits.valueDepthMax else {
                throw error("RecursionError: a value nests deeper than \(TemplateLimits.valueDepthMax)", at)
            }
            let children: [TemplateValue]
            switch current {
            case .list(let items), .tuple(let items): children = items
            case .mapping(let mapping): children = mapping.pairs.map(\.value)
            default: children = []
            }
            visited += 1 + children.count
            if visited >= 1024 {
                try charge(visited, at)
                visited = 0
            }
            for child in children {
                switch child {
                case .list, .tuple, .mapping: pending.append((child, depth + 1))
                default: break
                }
            }
        }
        try charge(visited, at)
    }

    /// What reading `value` whole costs (`in`, `==`, filters that go through it).
    static func readCost(_ value: TemplateValue) -> Int {
        switch value {
        case .list(let items), .tuple(let items): return items.count
        case .mapping(let mapping): return mapping.count
        case .string(let text, _): return text.utf8.count / 256
        default: return 0
        }
    }

    private mutating func evaluateNode(_ expression: TemplateExpression) throws(TemplateError) -> TemplateValue {
        switch expression {
        case .literal(let value): return value
        case .name(let name, _):
            return lookup(name) ?? .undefined(hint: "'\(name)' is undefined")
        case .attribute(let base, let name, let at):
            return try TemplatePython.attribute(try evaluate(base), name, at: at, renderer: self)
        case .item(let base, let key, let at):
            let container = try evaluate(base)
            if case .string = container { try charge(Self.readCost(container), at) }
            return try TemplatePython.item(container, try evaluate(key), at: at, renderer: self)
        case .slice(let base, let start, let stop, let stepExpression, let at):
            let value = try evaluate(base)
            func bound(_ expression: TemplateExpression?) throws(TemplateError) -> Int? {
                guard let expression else { return nil }
                switch try evaluate(expression) {
                case .none: return nil
                case .int(let number): return number
                case .bool(let flag): return flag ? 1 : 0
                default: throw error("slice indices must be integers or None", at)
                }
            }
            return try TemplatePython.slice(
                value, start: try bound(start), stop: try bound(stop), step: try bound(stepExpression), at: at, renderer: self)
        case .call(let base, let arguments, let at):
            let callee = try evaluate(base)
            let (positional, keyword) = try evaluate(arguments)
            return try TemplatePython.call(callee, positional, keyword, at: at, renderer: self)
        case .filter(let base, let name, let arguments, let at):
            let value = try evaluate(base)
            let (positional, keyword) = try evaluate(arguments)
            return try TemplateFilters.apply(name, value, positional, keyword, at: at, renderer: &self)
        case .test(let base, let name, let arguments, let negated, let at):
            let value = try evaluate(base)
            let (positional, _) = try evaluate(arguments)
            try charge(positional.reduce(Self.readCost(value)) { $0 + Self.readCost($1) }, at)
            let result = try TemplateTests.apply(name, value, positional, at: at, renderer: self)
            return .bool(negated ? !result : result)
        case .unary(let operation, let operand, let at):
            let value = try evaluate(operand)
            return try TemplatePython.unary(operation, value, at: at, renderer: self)
        case .binary(let operation, let left, let right, let at):
            let leftValue = try evaluate(left)
            let rightValue = try evaluate(right)
            return try TemplatePython.binary(operation, leftValue, rightValue, at: at, renderer: self)
        case .compare(let left, let rest, let at):
            var current = try evaluate(left)
            for (operation, rightExpression) in rest {
                let right = try evaluate(rightExpression)
                try charge(Self.readCost(right) + (operation == "==" || operation == "!=" ? Self.readCost(current) : 0), at)
                guard try TemplatePython.compare(operation, current, right, at: at, renderer: self) else { return .bool(false) }
                current = right
            }
            return .bool(true)
        case .and(let left, let right):
            let value = try evaluate(left)
            return value.truthy ? try evaluate(right) : value
        case .or(let left, let right):
            let value = try evaluate(left)
            return value.truthy ? value : try evaluate(right)
        case .not(let operand):
            return .bool(!(try evaluate(operand).truthy))
        case .conditional(let value, let condition, let otherwise):
            if try evaluate(condition).truthy { return try evaluate(value) }
            guard let otherwise else {
                return .undefined(
                    hint: "the inline if-expression on line \(position(of: value).line) evaluated to false and no else section was defined.")
            }
            return try evaluate(otherwise)
        case .list(let items):
            var values: [TemplateValue] = []
            for item in items { values.append(try evaluate(item)) }
            return .list(values)
        case .tuple(let items):
            var values: [TemplateValue] = []
            for item in items { values.append(try evaluate(item)) }
            return .tuple(values)
        case .dict(let pairs):
            var mapping = TemplateMapping()
            for (keyExpression, valueExpression) in pairs {
                let key = try evaluate(keyExpression)
                guard case .string(let name, _) = key else {
                    throw error("spore's templates support only string keys in dict literals", position(of: keyExpression))
                }
                mapping[name] = try evaluate(valueExpression)
            }
            return .mapping(mapping)
        }
    }

    private mutating func evaluate(_ arguments: TemplateArguments) throws(TemplateError) -> ([TemplateValue], [(String, TemplateValue)]) {
        var positional: [TemplateValue] = []
        for argument in arguments.positional { positional.append(try evaluate(argument)) }
        var keyword: [(String, TemplateValue)] = []
        for (name, argument) in arguments.keyword { keyword.append((name, try evaluate(argument))) }
        return (positional, keyword)
    }
}
