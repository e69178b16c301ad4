import Foundation

/// A `pattern` / `patternProperties` regular expression, compiled once with the schema.
///
/// Hypha matches with Python's `re.search`; spore uses ICU (NSRegularExpression) after
/// rewriting the Python-only spellings (`(?P<name>…)`, `(?P=name)`, `\Z`, `{,n}`) and escaping
/// what ICU would read as set syntax inside brackets. Matching is a search, not a full match,
/// and `.`/`$` treat only `\n` as a line end, as Python does.
struct SchemaRegex: @unchecked Sendable {
    // @unchecked: NSRegularExpression is immutable after creation and documented as safe to
    // share between threads; corelibs Foundation does not declare it Sendable.
    let source: String
    private let expression: NSRegularExpression

    init?(_ source: String) {
        // NSRegularExpression refuses an empty pattern; Python's matches everywhere.
        guard let translated = Self.translate(source).map({ $0.isEmpty ? "(?:)" : $0 }),
            let expression = try? NSRegularExpression(pattern: translated, options: [.useUnixLineSeparators])
        else { return nil }
        self.source = source
        self.expression = expression
    }

    /// Python's `re.search(pattern, text) is not None`.
    func search(_ text: String) -> Bool {
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return expression.firstMatch(in: text, options: [], range: range) != nil
    }

    /// Rewrites Python `re` syntax into ICU syntax with the same meaning, or nil for constructs
    /// Python itself rejects and ICU would misread (an unterminated set).
    static func translate(_ pattern: String) -> String? {
        let scalars = Array(pattern.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        var inSet = false
        var setStart = 0
        func append(_ text: String) { output.append(contentsOf: text.unicodeScalars) }
        func starts(with text: String, at position: Int) -> Bool {
            let expected = Array(text.unicodeScalars)
            guard position + expected.count <= scalars.count else { return false }
            return Array(scalars[position..<position + expected.count]) == expected
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\" {
                guard index + 1 < scalars.count else { return nil }
                let next = scalars[index + 1]
                // Python's \Z is the very end; ICU's \Z allows a final line terminator, its \z does not.
                if next == "Z" && !inSet {
                    append("\\z")
                } else {
                    output.append(scalar)
                    output.append(next)
                }
                index += 2
                continue
            }
            if inSet {
                if scalar == "]" && index > setStart {
                    inSet = false
                    output.append(scalar)
                } else if scalar == "[" || scalar == "&" || (scalar == "]" && index == setStart) {
                    // ICU reads `[` as a nested set and `&&` as intersection; Python takes them literally.
                    output.append("\\")
                    output.append(scalar)
                } else if scalar == "-" && index + 1 < scalars.count && scalars[index + 1] == "-" {
                    // `--` is ICU's set difference.
                    append("\\-")
                } else {
                    output.append(scalar)
                }
                index += 1
                continue
            }
            switch scalar {
            case "[":
                inSet = true
                output.append(scalar)
                index += 1
                if index < scalars.count && scalars[index] == "^" {
                    output.append("^")
                    index += 1
                }
                setStart = index
                continue
            case "(" where starts(with: "(?P<", at: index):
                append("(?<")
                index += 4
                continue
            case "(" where starts(with: "(?P=", at: index):
                // A named back reference: (?P=name) becomes \k<name>.
                guard let close = scalars[(index + 4)...].firstIndex(of: ")") else { return nil }
                append("\\k<")
                output.append(contentsOf: scalars[(index + 4)..<close])
                append(">")
                index = close + 1
                continue
            case "{" where starts(with: "{,", at: index) && Self.isBoundedQuantifier(scalars, from: index + 2):
                append("{0,")
                index += 2
                continue
            default:
                output.append(scalar)
                index += 1
            }
        }
        return inSet ? nil : String(output)
    }

    /// Whether `{,` at some position continues as Python's `{,n}` quantifier (digits then `}`).
    private static func isBoundedQuantifier(_ scalars: [Unicode.Scalar], from start: Int) -> Bool {
        var index = start
        while index < scalars.count, ("0"..."9").contains(scalars[index]) { index += 1 }
        return index > start && index < scalars.count && scalars[index] == "}"
    }
}
