import SporeJSON

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
