/// Splits a template into text and tags as Jinja2's lexer does with its default settings:
/// newlines normalized to `\n`, one trailing newline dropped (`keep_trailing_newline=False`),
/// `{%-`/`-%}` (and the `{{`/`{#` forms) strip the whitespace beside the tag, `trim_blocks` and
/// `lstrip_blocks` off, `{% raw %}` kept verbatim.
struct TemplateLexer {
    enum Part {
        case text(String)
        case output([TemplateToken], Position)
        case statement([TemplateToken], Position)
    }

    struct Position: Sendable {
        let line: Int
        let column: Int
    }

    let name: String
    private let scalars: [Unicode.Scalar]
    private let lineStarts: [Int]

    init(source: String, name: String) {
        self.name = name
        var normalized: [Unicode.Scalar] = []
        normalized.reserveCapacity(source.unicodeScalars.count)
        var previousWasCR = false
        for scalar in source.unicodeScalars {
            if scalar == "\r" {
                normalized.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            normalized.append(scalar)
        }
        if normalized.last == "\n" { normalized.removeLast() }
        scalars = normalized
        var starts = [0]
        for (offset, scalar) in normalized.enumerated() where scalar == "\n" { starts.append(offset + 1) }
        lineStarts = starts
    }

    func position(_ offset: Int) -> Position {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return Position(line: low + 1, column: offset - lineStarts[low] + 1)
    }

    func error(_ message: String, at offset: Int) -> TemplateError {
        let where_ = position(offset)
        return TemplateError(message, template: name, line: where_.line, column: where_.column)
    }

    private func text(_ range: Range<Int>) -> String {
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[range])
        return String(out)
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace }

    func parts() throws(TemplateError) -> [Part] {
        var parts: [Part] = []
        var offset = 0
        var stripLeading = false
        let count = scalars.count
        while offset < count || stripLeading {
            // The next tag opening.
            var open = offset
            while open + 1 < count {
                if scalars[open] == "{", ["{", "%", "#"].contains(scalars[open + 1]) { break }
                open += 1
            }
            let found = open + 1 < count
            var dataEnd = found ? open : count
            var dataStart = offset
            if stripLeading {
                while dataStart < dataEnd, Self.isSpace(scalars[dataStart]) { dataStart += 1 }
                stripLeading = false
            }
            let marker = found && open + 2 < count ? scalars[open + 2] : " "
            if found && marker == "-" {
                while dataEnd > dataStart, Self.isSpace(scalars[dataEnd - 1]) { dataEnd -= 1 }
            }
            if dataEnd > dataStart { parts.append(.text(text(dataStart..<dataEnd))) }
            guard found else { break }
            let kind = scalars[open + 1]
            var start = open + 2
            if marker == "-" || marker == "+" { start += 1 }
            if kind == "#" {
                var close = start
                while close + 1 < count, !(scalars[close] == "#" && scalars[close + 1] == "}") { close += 1 }
                guard close + 1 < count else { throw error("Missing end of comment tag", at: open) }
                if close > start, scalars[close - 1] == "-" { stripLeading = true }
                offset = close + 2
                continue
            }
            let (tokens, end, strip) = try tokens(from: start, closing: kind == "{" ? "}" : "%", openedAt: open)
            stripLeading = strip
            offset = end
            let position = position(open)
            if kind == "{" {
                parts.append(.output(tokens, position))
            } else if tokens.count == 1, tokens[0].kind == .name, tokens[0].text == "raw" {
                let (raw, after, stripAfter, stripInside) = try rawBody(from: end, openedAt: open)
                var body = raw
                if strip { body = String(body.drop { $0.isWhitespace }) }
                if stripInside { while let last = body.unicodeScalars.last, Self.isSpace(last) { body.unicodeScalars.removeLast() } }
                if !body.isEmpty { parts.append(.text(body)) }
                stripLeading = stripAfter
                offset = after
            } else {
                parts.append(.statement(tokens, position))
            }
        }
        return parts
    }

    /// The text up to `{% endraw %}`, the offset after that tag, and its whitespace controls.
    private func rawBody(from start: Int, openedAt open: Int) throws(TemplateError) -> (String, Int, Bool, Bool) {
        var cursor = start
        while cursor + 1 < scalars.count {
            if scalars[cursor] == "{", scalars[cursor + 1] == "%" {
                var probe = cursor + 2
                var stripInside = false
                if probe < scalars.count, scalars[probe] == "-" || scalars[probe] == "+" {
                    stripInside = scalars[probe] == "-"
                    probe += 1
                }
                while probe < scalars.count, Self.isSpace(scalars[probe]) { probe += 1 }
                let word = Array("endraw".unicodeScalars)
                if probe + word.count <= scalars.count, Array(scalars[probe..<probe + word.count]) == word {
                    probe += word.count
                    while probe < scalars.count, Self.isSpace(scalars[probe]) { probe += 1 }
                    var stripAfter = false
                    if probe < scalars.count, scalars[probe] == "-" || scalars[probe] == "+" {
                        stripAfter = scalars[probe] == "-"
                        probe += 1
                    }
                    if probe + 1 < scalars.count, scalars[probe] == "%", scalars[probe + 1] == "}" {
                        return (text(start..<cursor), probe + 2, stripAfter, stripInside)
                    }
                }
            }
            cursor += 1
        }
        throw error("Missing end of raw directive", at: open)
    }

    /// The tokens of one tag up to its closing `}}` or `%}` (outside strings and brackets), the
    /// offset after it, and whether it was `-}}`/`-%}`.
    private func tokens(from start: Int, closing: Unicode.Scalar, openedAt open: Int) throws(TemplateError) -> ([TemplateToken], Int, Bool) {
        var tokens: [TemplateToken] = []
        var cursor = start
        var brackets: [Unicode.Scalar] = []
        let count = scalars.count
        func closesHere(_ at: Int) -> Bool { at + 1 < count && scalars[at] == closing && scalars[at + 1] == "}" }
        while cursor < count {
            let scalar = scalars[cursor]
            if Self.isSpace(scalar) {
                cursor += 1
                continue
            }
            if brackets.isEmpty {
                if closesHere(cursor) { return (tokens, cursor + 2, false) }
                if scalar == "-", closesHere(cursor + 1) { return (tokens, cursor + 3, true) }
            }
            guard tokens.count < TemplateLimits.tagTokenCountMax else {
                throw error("more than \(TemplateLimits.tagTokenCountMax) tokens in one tag", at: open)
            }
            let position = position(cursor)
            if scalar == "_" || scalar.properties.isAlphabetic {
                var end = cursor + 1
                while end < count, scalars[end] == "_" || scalars[end].properties.isAlphabetic || scalars[end].properties.numericType != nil {
                    end += 1
                }
                tokens.append(TemplateToken(kind: .name, text: text(cursor..<end), position: position))
                cursor = end
                continue
            }
            if ("0"..."9").contains(scalar) {
                let (token, end) = try number(at: cursor, after: tokens.last)
                tokens.append(token)
                cursor = end
                continue
            }
            if scalar == "'" || scalar == "\"" {
                let (value, end) = try string(at: cursor)
                tokens.append(TemplateToken(kind: .string, text: value, position: position))
                cursor = end
                continue
            }
            let next = cursor + 1 < count ? scalars[cursor + 1] : " "
            let pair = String(scalar) + String(next)
            if ["//", "**", "==", "!=", "<=", ">="].contains(pair) {
                tokens.append(TemplateToken(kind: .operator, text: pair, position: position))
                cursor += 2
                continue
            }
            guard "+-*/%~<>=()[]{},.:|".unicodeScalars.contains(scalar) else {
                throw error("unexpected char \(TemplateValue.pythonQuoted(String(scalar))) at \(cursor - lineStart(cursor))", at: cursor)
            }
            switch scalar {
            case "(", "[", "{": brackets.append(scalar)
            case ")", "]", "}":
                let expected: Unicode.Scalar = scalar == ")" ? "(" : scalar == "]" ? "[" : "{"
                guard brackets.last == expected else {
                    throw error("unexpected '\(scalar)'", at: cursor)
                }
                brackets.removeLast()
            default: break
            }
            tokens.append(TemplateToken(kind: .operator, text: String(scalar), position: position))
            cursor += 1
        }
        throw error(
            closing == "}"
                ? "unexpected end of template, expected 'end of print statement'." : "unexpected end of template, expected 'end of statement block'.",
            at: open)
    }

    private func lineStart(_ offset: Int) -> Int { lineStarts[position(offset).line - 1] }

    private func number(at start: Int, after previous: TemplateToken?) throws(TemplateError) -> (TemplateToken, Int) {
        let count = scalars.count
        var end = start
        func digits() {
            while end < count,
                ("0"..."9").contains(scalars[end]) || (scalars[end] == "_" && end + 1 < count && ("0"..."9").contains(scalars[end + 1]))
            { end += 1 }
        }
        digits()
        var isFloat = false
        // After a `.` (as in `items.0.1`) digits are a subscript, never a float.
        let afterDot = previous?.kind == .operator && previous?.text == "."
        if !afterDot, end + 1 < count, scalars[end] == ".", ("0"..."9").contains(scalars[end + 1]) {
            isFloat = true
            end += 1
            digits()
        }
        if !afterDot, end < count, scalars[end] == "e" || scalars[end] == "E" {
            var probe = end + 1
            if probe < count, scalars[probe] == "+" || scalars[probe] == "-" { probe += 1 }
            if probe < count, ("0"..."9").contains(scalars[probe]) {
                isFloat = true
                end = probe
                digits()
            }
        }
        let literal = text(start..<end).filter { $0 != "_" }
        return (TemplateToken(kind: isFloat ? .float : .integer, text: literal, position: position(start)), end)
    }

    /// A quoted string with Python's escapes, decoded.
    private func string(at start: Int) throws(TemplateError) -> (String, Int) {
        let quote = scalars[start]
        var out = String.UnicodeScalarView()
        var cursor = start + 1
        while cursor < scalars.count {
            let scalar = scalars[cursor]
            if scalar == quote { return (String(out), cursor + 1) }
            if scalar == "\\", cursor + 1 < scalars.count {
                let escaped = scalars[cursor + 1]
                cursor += 2
                switch escaped {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "a": out.append("\u{07}")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "v": out.append("\u{0B}")
                case "0"..."7":
                    // Up to three octal digits, as in Python.
                    var value = escaped.value - 48
                    var taken = 0
                    while taken < 2, cursor < scalars.count, ("0"..."7").contains(scalars[cursor]) {
                        value = value * 8 + scalars[cursor].value - 48
                        cursor += 1
                        taken += 1
                    }
                    guard let decoded = Unicode.Scalar(value) else { throw error("invalid escape in string", at: cursor) }
                    out.append(decoded)
                case "\\", "'", "\"": out.append(escaped)
                case "\n": break
                case "x", "u", "U":
                    let width = escaped == "x" ? 2 : escaped == "u" ? 4 : 8
                    guard cursor + width <= scalars.count,
                        let value = UInt32(text(cursor..<cursor + width), radix: 16),
                        let decoded = Unicode.Scalar(value)
                    else { throw error("invalid escape in string", at: cursor - 2) }
                    out.append(decoded)
                    cursor += width
                default:
                    out.append("\\")
                    out.append(escaped)
                }
                continue
            }
            out.append(scalar)
            cursor += 1
        }
        throw error("unexpected end of string", at: start)
    }
}

struct TemplateToken: Sendable {
    enum Kind: Sendable { case name, string, integer, float, `operator` }
    let kind: Kind
    let text: String
    let position: TemplateLexer.Position

    func isOperator(_ value: String) -> Bool { kind == .operator && text == value }
    func isName(_ value: String) -> Bool { kind == .name && text == value }
}
