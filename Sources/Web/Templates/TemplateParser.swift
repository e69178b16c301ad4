/// A parsed template: Jinja2's statements and expressions, the subset real pages use (see
/// `docs/hypha-api.md`, "Static sites", for what is and is not supported).
indirect enum TemplateNode: Sendable {
    case text(String)
    case output(TemplateExpression)
    case conditional([(TemplateExpression, [TemplateNode])], otherwise: [TemplateNode])
    case loop(
        targets: [String], sequence: TemplateExpression, condition: TemplateExpression?, body: [TemplateNode], otherwise: [TemplateNode],
        at: TemplateLexer.Position)
    case assign(targets: [String], TemplateExpression, at: TemplateLexer.Position)
    case assignBlock(target: String, body: [TemplateNode])
    case include(TemplateExpression, ignoreMissing: Bool, at: TemplateLexer.Position)
}

indirect enum TemplateExpression: Sendable {
    case literal(TemplateValue)
    case name(String, at: TemplateLexer.Position)
    case attribute(TemplateExpression, String, at: TemplateLexer.Position)
    case item(TemplateExpression, TemplateExpression, at: TemplateLexer.Position)
    case slice(TemplateExpression, start: TemplateExpression?, stop: TemplateExpression?, step: TemplateExpression?, at: TemplateLexer.Position)
    case call(TemplateExpression, TemplateArguments, at: TemplateLexer.Position)
    case filter(TemplateExpression, String, TemplateArguments, at: TemplateLexer.Position)
    case test(TemplateExpression, String, TemplateArguments, negated: Bool, at: TemplateLexer.Position)
    case unary(String, TemplateExpression, at: TemplateLexer.Position)
    case binary(String, TemplateExpression, TemplateExpression, at: TemplateLexer.Position)
    case compare(TemplateExpression, [(String, TemplateExpression)], at: TemplateLexer.Position)
    case and(TemplateExpression, TemplateExpression)
    case or(TemplateExpression, TemplateExpression)
    case not(TemplateExpression)
    case conditional(TemplateExpression, condition: TemplateExpression, otherwise: TemplateExpression?)
    case list([TemplateExpression])
    case tuple([TemplateExpression])
    case dict([(TemplateExpression, TemplateExpression)])
}

struct TemplateArguments: Sendable {
    var positional: [TemplateExpression] = []
    var keyword: [(String, TemplateExpression)] = []
}

/// Builds the node tree from the lexer's parts, with Jinja2's operator precedence.
struct TemplateParser {
    private let lexer: TemplateLexer
    private let parts: [TemplateLexer.Part]
    private var index = 0

    init(source: String, name: String) throws(TemplateError) {
        lexer = TemplateLexer(source: source, name: name)
        parts = try lexer.parts()
    }

    mutating func parse() throws(TemplateError) -> [TemplateNode] {
        let (nodes, end) = try parseBody(until: [])
        if let end { throw error("Encountered unknown tag '\(end.0)'.", end.1) }
        return nodes
    }

    private func error(_ message: String, _ position: TemplateLexer.Position) -> TemplateError {
        TemplateError(message, template: lexer.name, line: position.line, column: position.column)
    }

    /// Nodes up to one of the `endings` tags; returns the tag found with its remaining tokens.
    /// How deeply blocks nest while parsing.
    private var blockDepth = 0

    private mutating func parseBody(until endings: Set<String>) throws(TemplateError) -> (
        [TemplateNode], (String, TemplateLexer.Position, ArraySlice<TemplateToken>)?
    ) {
        var nodes: [TemplateNode] = []
        while index < parts.count {
            let part = parts[index]
            index += 1
            switch part {
            case .text(let text): nodes.append(.text(text))
            case .output(let tokens, let position):
                var stream = TokenStream(tokens: tokens[...], end: position, lexer: lexer)
                guard !tokens.isEmpty else { throw error("Expected an expression, got 'end of print statement'", position) }
                let expression = try stream.expression()
                try stream.expectEnd("print statement")
                nodes.append(.output(expression))
            case .statement(let tokens, let position):
                guard let first = tokens.first, first.kind == .name else { throw error("tag name expected", position) }
                if endings.contains(first.text) { return (nodes, (first.text, position, tokens.dropFirst())) }
                nodes.append(try statement(first.text, tokens.dropFirst(), position, endings: endings))
            }
        }
        if let expected = endings.first(where: { $0.hasPrefix("end") }) ?? endings.first {
            let position = lexer.position(Int.max / 2)
            throw error("Unexpected end of template. Jinja was looking for the following tags: '\(expected)'.", position)
        }
        return (nodes, nil)
    }

    private mutating func statement(_ name: String, _ tokens: ArraySlice<TemplateToken>, _ position: TemplateLexer.Position, endings: Set<String>)
        throws(TemplateError) -> TemplateNode
    {
        blockDepth += 1
        defer { blockDepth -= 1 }
        guard blockDepth <= TemplateLimits.nestingDepthMax else {
            throw error("blocks nest deeper than \(TemplateLimits.nestingDepthMax)", position)
        }
        return try statementBody(name, tokens, position, endings: endings)
    }

    private mutating func statementBody(_ name: String, _ tokens: ArraySlice<TemplateToken>, _ position: TemplateLexer.Position, endings: Set<String>)
        throws(TemplateError) -> TemplateNode
    {
        var stream = TokenStream(tokens: tokens, end: position, lexer: lexer)
        switch name {
        case "if":
            var branches: [(TemplateExpression, [TemplateNode])] = []
            var condition = try stream.expression()
            try stream.expectEnd("statement block")
            while true {
                let (body, end) = try parseBody(until: ["elif", "else", "endif"])
                branches.append((condition, body))
                guard let end else { throw error("Unexpected end of template. Jinja was looking for the following tags: 'endif'.", position) }
                switch end.0 {
                case "elif":
                    var next = TokenStream(tokens: end.2, end: end.1, lexer: lexer)
                    condition = try next.expression()
                    try next.expectEnd("statement block")
                case "else":
                    try TokenStream(tokens: end.2, end: end.1, lexer: lexer).expectEnd("statement block")
                    let (otherwise, close) = try parseBody(until: ["endif"])
                    guard close != nil else {
                        throw error("Unexpected end of template. Jinja was looking for the following tags: 'endif'.", position)
                    }
                    return .conditional(branches, otherwise: otherwise)
                default:
                    return .conditional(branches, otherwise: [])
                }
            }
        case "for":
            var targets: [String] = []
            // `for k, v in …` and `for (k, v) in …`.
            let parenthesized = stream.skip("(")
            repeat {
                targets.append(try stream.name())
            } while stream.skip(",")
            if parenthesized { try stream.expect(")") }
            try stream.expectName("in")
            let sequence = try stream.expression(allowConditional: false)
            var condition: TemplateExpression?
            if stream.skipName("if") { condition = try stream.expression() }
            if stream.skipName("recursive") { throw error("recursive loops are not supported", position) }
            try stream.expectEnd("statement block")
            let (body, end) = try parseBody(until: ["else", "endfor"])
            guard let end else { throw error("Unexpected end of template. Jinja was looking for the following tags: 'endfor'.", position) }
            var otherwise: [TemplateNode] = []
            if end.0 == "else" {
                let (elseBody, close) = try parseBody(until: ["endfor"])
                guard close != nil else { throw error("Unexpected end of template. Jinja was looking for the following tags: 'endfor'.", position) }
                otherwise = elseBody
            }
            return .loop(targets: targets, sequence: sequence, condition: condition, body: body, otherwise: otherwise, at: position)
        case "set":
            var targets: [String] = []
            repeat {
                targets.append(try stream.name())
            } while stream.skip(",")
            if stream.atEnd {
                guard targets.count == 1 else { throw error("expected token '='", position) }
                let (body, end) = try parseBody(until: ["endset"])
                guard end != nil else { throw error("Unexpected end of template. Jinja was looking for the following tags: 'endset'.", position) }
                return .assignBlock(target: targets[0], body: body)
            }
            try stream.expect("=")
            let value = try stream.expressionTuple()
            try stream.expectEnd("statement block")
            return .assign(targets: targets, value, at: position)
        case "include":
            let template = try stream.expression()
            var ignoreMissing = false
            if stream.skipName("ignore") {
                try stream.expectName("missing")
                ignoreMissing = true
            }
            if stream.skipName("with") || stream.skipName("without") { try stream.expectName("context") }
            try stream.expectEnd("statement block")
            return .include(template, ignoreMissing: ignoreMissing, at: position)
        default:
            if name.hasPrefix("end") || ["elif", "else"].contains(name) {
                let expected = endings.sorted().map { "'\($0)'" }.joined(separator: " or ")
                if expected.isEmpty { throw error("Encountered unknown tag '\(name)'.", position) }
                throw error("Encountered unknown tag '\(name)'. Jinja was looking for the following tags: \(expected).", position)
            }
            throw error("Encountered unknown tag '\(name)'.", position)
        }
    }
}

/// The tokens of one tag, consumed by a recursive-descent expression parser.
struct TokenStream {
    var tokens: ArraySlice<TemplateToken>
    let end: TemplateLexer.Position
    let lexer: TemplateLexer
    /// Recursion of the parser (brackets, unary signs, `not`) and operators in this tag: both
    /// bound how deep the expression tree is, and so the stack it takes to evaluate.
    private var depth = 0
    private var operatorCount = 0

    init(tokens: ArraySlice<TemplateToken>, end: TemplateLexer.Position, lexer: TemplateLexer) {
        self.tokens = tokens
        self.end = end
        self.lexer = lexer
    }

    private mutating func enter() throws(TemplateError) {
        depth += 1
        guard depth <= TemplateLimits.nestingDepthMax else { throw error("expression nests deeper than \(TemplateLimits.nestingDepthMax)") }
    }

    private mutating func countOperator() throws(TemplateError) {
        operatorCount += 1
        guard operatorCount <= TemplateLimits.tagOperatorCountMax else {
            throw error("more than \(TemplateLimits.tagOperatorCountMax) operators in one tag")
        }
    }

    var atEnd: Bool { tokens.isEmpty }
    var current: TemplateToken? { tokens.first }
    var position: TemplateLexer.Position { current?.position ?? end }

    func error(_ message: String) -> TemplateError {
        TemplateError(message, template: lexer.name, line: position.line, column: position.column)
    }

    mutating func next() -> TemplateToken? { tokens.popFirst() }

    mutating func skip(_ symbol: String) -> Bool {
        guard current?.isOperator(symbol) == true else { return false }
        tokens.removeFirst()
        return true
    }

    mutating func skipName(_ word: String) -> Bool {
        guard current?.isName(word) == true else { return false }
        tokens.removeFirst()
        return true
    }

    mutating func expect(_ symbol: String) throws(TemplateError) {
        guard skip(symbol) else { throw error("expected token '\(symbol)', got '\(current?.text ?? "end of statement")'") }
    }

    mutating func expectName(_ word: String) throws(TemplateError) {
        guard skipName(word) else { throw error("expected token '\(word)', got '\(current?.text ?? "end of statement")'") }
    }

    func expectEnd(_ what: String) throws(TemplateError) {
        if let current { throw error("expected token 'end of \(what)', got '\(current.text)'") }
    }

    mutating func name() throws(TemplateError) -> String {
        guard let token = current, token.kind == .name else { throw error("expected name, got '\(current?.text ?? "end of statement")'") }
        tokens.removeFirst()
        return token.text
    }

    /// `a, b` as a tuple (a list), for `set x = 1, 2`.
    mutating func expressionTuple() throws(TemplateError) -> TemplateExpression {
        let first = try expression()
        guard current?.isOperator(",") == true else { return first }
        var items = [first]
        while skip(",") {
            if atEnd { break }
            items.append(try expression())
        }
        return .tuple(items)
    }

    mutating func expression(allowConditional: Bool = true) throws(TemplateError) -> TemplateExpression {
        try enter()
        defer { depth -= 1 }
        let value = try orExpression()
        guard allowConditional, skipName("if") else { return value }
        let condition = try orExpression()
        var otherwise: TemplateExpression?
        if skipName("else") { otherwise = try expression() }
        return .conditional(value, condition: condition, otherwise: otherwise)
    }

    private mutating func orExpression() throws(TemplateError) -> TemplateExpression {
        var left = try andExpression()
        while skipName("or") {
            try countOperator()
            left = .or(left, try andExpression())
        }
        return left
    }

    private mutating func andExpression() throws(TemplateError) -> TemplateExpression {
        var left = try notExpression()
        while skipName("and") {
            try countOperator()
            left = .and(left, try notExpression())
        }
        return left
    }

    private mutating func notExpression() throws(TemplateError) -> TemplateExpression {
        if skipName("not") {
            try enter()
            defer { depth -= 1 }
            return .not(try notExpression())
        }
        return try comparison()
    }

    private mutating func comparison() throws(TemplateError) -> TemplateExpression {
        let at = position
        let left = try sum()
        var rest: [(String, TemplateExpression)] = []
        while let token = current {
            if token.kind == .operator || token.isName("in") || token.isName("not") { try countOperator() }
            if token.kind == .operator, ["==", "!=", "<", ">", "<=", ">="].contains(token.text) {
                tokens.removeFirst()
                rest.append((token.text, try sum()))
            } else if token.isName("in") {
                tokens.removeFirst()
                rest.append(("in", try sum()))
            } else if token.isName("not"), tokens.dropFirst().first?.isName("in") == true {
                tokens.removeFirst(2)
                rest.append(("notin", try sum()))
            } else {
                break
            }
        }
        return rest.isEmpty ? left : .compare(left, rest, at: at)
    }

    private mutating func sum() throws(TemplateError) -> TemplateExpression {
        var left = try concatenation()
        while let token = current, token.kind == .operator, token.text == "+" || token.text == "-" {
            tokens.removeFirst()
            try countOperator()
            left = .binary(token.text, left, try concatenation(), at: token.position)
        }
        return left
    }

    private mutating func concatenation() throws(TemplateError) -> TemplateExpression {
        var left = try product()
        while let token = current, token.isOperator("~") {
            tokens.removeFirst()
            try countOperator()
            left = .binary("~", left, try product(), at: token.position)
        }
        return left
    }

    private mutating func product() throws(TemplateError) -> TemplateExpression {
        var left = try power()
        while let token = current, token.kind == .operator, ["*", "/", "//", "%"].contains(token.text) {
            tokens.removeFirst()
            try countOperator()
            left = .binary(token.text, left, try power(), at: token.position)
        }
        return left
    }

    private mutating func power() throws(TemplateError) -> TemplateExpression {
        var left = try unary()
        while let token = current, token.isOperator("**") {
            tokens.removeFirst()
            try countOperator()
            left = .binary("**", left, try unary(), at: token.position)
        }
        return left
    }

    private mutating func unary() throws(TemplateError) -> TemplateExpression {
        if let token = current, token.kind == .operator, token.text == "-" || token.text == "+" {
            tokens.removeFirst()
            let operand = try unaryOperand()
            return try filters(.unary(token.text, operand, at: token.position))
        }
        return try filters(try postfix(try primary()))
    }

    /// The operand of a unary minus: Jinja2 applies filters after the sign (`-x|abs` is `(-x)|abs`).
    private mutating func unaryOperand() throws(TemplateError) -> TemplateExpression {
        if let token = current, token.kind == .operator, token.text == "-" || token.text == "+" {
            tokens.removeFirst()
            try enter()
            defer { depth -= 1 }
            return .unary(token.text, try unaryOperand(), at: token.position)
        }
        return try postfix(try primary())
    }

    private mutating func primary() throws(TemplateError) -> TemplateExpression {
        guard let token = next() else { throw error("unexpected end of expression") }
        switch token.kind {
        case .string:
            var value = token.text
            // Adjacent string literals concatenate, as in Python.
            while let following = current, following.kind == .string {
                value += following.text
                tokens.removeFirst()
            }
            return .literal(.text(value))
        case .integer:
            guard let value = Int(token.text) else { throw error("integer literal too large") }
            return .literal(.int(value))
        case .float:
            return .literal(.double(Double(token.text) ?? .nan))
        case .name:
            switch token.text {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default: return .name(token.text, at: token.position)
            }
        case .operator:
            switch token.text {
            case "(":
                if skip(")") { return .tuple([]) }
                let first = try expression()
                if skip(")") { return first }
                var items = [first]
                while skip(",") {
                    if current?.isOperator(")") == true { break }
                    items.append(try expression())
                }
                try expect(")")
                return .tuple(items)
            case "[":
                var items: [TemplateExpression] = []
                while !skip("]") {
                    if !items.isEmpty {
                        try expect(",")
                        if skip("]") { break }
                    }
                    items.append(try expression())
                }
                return .list(items)
            case "{":
                var pairs: [(TemplateExpression, TemplateExpression)] = []
                while !skip("}") {
                    if !pairs.isEmpty {
                        try expect(",")
                        if skip("}") { break }
                    }
                    let key = try expression()
                    try expect(":")
                    pairs.append((key, try expression()))
                }
                return .dict(pairs)
            default:
                throw TemplateError("unexpected '\(token.text)'", template: lexer.name, line: token.position.line, column: token.position.column)
            }
        }
    }

    private mutating func postfix(_ base: TemplateExpression) throws(TemplateError) -> TemplateExpression {
        var node = base
        while let token = current, token.kind == .operator {
            if [".", "[", "("].contains(token.text) { try countOperator() }
            switch token.text {
            case ".":
                tokens.removeFirst()
                guard let member = next() else { throw error("expected name or number") }
                switch member.kind {
                case .name: node = .attribute(node, member.text, at: member.position)
                case .integer: node = .item(node, .literal(.int(Int(member.text) ?? 0)), at: member.position)
                default: throw error("expected name or number")
                }
            case "[":
                tokens.removeFirst()
                node = try subscriptExpression(node, at: token.position)
            case "(":
                tokens.removeFirst()
                node = .call(node, try arguments(), at: token.position)
            default:
                return node
            }
        }
        return node
    }

    private mutating func subscriptExpression(_ base: TemplateExpression, at: TemplateLexer.Position) throws(TemplateError) -> TemplateExpression {
        var parts: [TemplateExpression?] = [nil]
        var isSlice = false
        while !skip("]") {
            if skip(":") {
                isSlice = true
                parts.append(nil)
                continue
            }
            guard parts[parts.count - 1] == nil else { throw error("expected ']'") }
            parts[parts.count - 1] = try expression()
        }
        if !isSlice {
            guard let key = parts[0] else { throw error("expected subscript expression") }
            return .item(base, key, at: at)
        }
        guard parts.count <= 3 else { throw error("expected ']'") }
        return .slice(base, start: parts[0], stop: parts.count > 1 ? parts[1] : nil, step: parts.count > 2 ? parts[2] : nil, at: at)
    }

    /// After `(`: positional then keyword arguments, up to `)`.
    private mutating func arguments() throws(TemplateError) -> TemplateArguments {
        var arguments = TemplateArguments()
        while !skip(")") {
            if !arguments.positional.isEmpty || !arguments.keyword.isEmpty {
                try expect(",")
                if skip(")") { break }
            }
            if let token = current, token.kind == .name, tokens.dropFirst().first?.isOperator("=") == true {
                tokens.removeFirst(2)
                arguments.keyword.append((token.text, try expression()))
            } else {
                guard arguments.keyword.isEmpty else { throw error("invalid syntax for function call expression") }
                arguments.positional.append(try expression())
            }
        }
        return arguments
    }

    /// `|filter`, `|filter(args)`, `is test`, `is not test(args)`, in any order after a value.
    private mutating func filters(_ base: TemplateExpression) throws(TemplateError) -> TemplateExpression {
        var node = base
        while true {
            if let token = current, token.isOperator("|") {
                tokens.removeFirst()
                try countOperator()
                let name = try dottedName()
                var arguments = TemplateArguments()
                if skip("(") { arguments = try self.arguments() }
                node = .filter(node, name, arguments, at: token.position)
            } else if let token = current, token.isName("is") {
                tokens.removeFirst()
                try countOperator()
                let negated = skipName("not")
                let name = try dottedName()
                var arguments = TemplateArguments()
                if skip("(") {
                    arguments = try self.arguments()
                } else if let argument = current,
                    [.string, .integer, .float].contains(argument.kind)
                        || (argument.kind == .name && !["and", "or", "else", "if", "is", "not", "in"].contains(argument.text))
                {
                    // `is divisibleby 3`, `is sameas none`: one argument without parentheses.
                    arguments.positional = [try postfix(try primary())]
                }
                node = .test(node, name, arguments, negated: negated, at: token.position)
            } else {
                return node
            }
        }
    }

    private mutating func dottedName() throws(TemplateError) -> String {
        var name = try self.name()
        while current?.isOperator(".") == true, tokens.dropFirst().first?.kind == .name {
            tokens.removeFirst()
            name += "." + (try self.name())
        }
        return name
    }
}
