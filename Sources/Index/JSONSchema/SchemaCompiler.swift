import SporeJSON

/// Turns a schema document into a `SchemaProgram`: one node per subschema, `$id`/`$anchor`
/// recorded, and every `$ref` resolved to a node (compiling the target on demand when it lies
/// outside the places a subschema is expected, as jsonschema's resolver follows any pointer).
struct SchemaCompiler {
    let document: JSONValue
    let draft: JSONSchemaDraft
    var nodes: [SchemaNode] = []
    /// Compiled nodes by the JSON pointer of their location in the document.
    var nodeAtPointer: [String: Int] = [:]
    /// Schema resources by their base URI ("" for a root without `$id`): the pointer to their root.
    var resources: [String: [String]] = ["": []]
    /// Anchors (`$anchor`, `$dynamicAnchor`, draft 7's `"$id": "#name"`) by "base#name".
    var anchors: [String: [String]] = [:]
    var pendingReferences: [PendingReference] = []

    /// A `$ref` waiting for the whole document to be compiled, so forward references resolve.
    struct PendingReference {
        let node: Int
        let keyword: Int
        let reference: String
        let base: String
        let location: [String]
    }

    init(document: JSONValue, draft: JSONSchemaDraft) {
        self.document = document
        self.draft = draft
    }

    /// Compiles the whole document and resolves its references.
    static func compile(_ document: JSONValue, draft: JSONSchemaDraft) throws(JSONSchemaError) -> SchemaProgram {
        var compiler = SchemaCompiler(document: document, draft: draft)
        let root = try compiler.compile(document, at: [], base: "")
        try compiler.resolveReferences()
        return SchemaProgram(nodes: compiler.nodes, root: root, draft: draft)
    }

    /// Compiles the subschema at `pointer`, or returns the node already compiled there.
    mutating func compile(_ value: JSONValue, at pointer: [String], base: String) throws(JSONSchemaError) -> Int {
        let key = Self.pointerText(pointer)
        if let existing = nodeAtPointer[key] { return existing }
        let index = nodes.count
        nodeAtPointer[key] = index
        switch value {
        case .bool(let flag):
            nodes.append(SchemaNode(body: flag ? .accept : .reject, index: index, raw: value, declaredTypes: nil))
            return index
        case .object(let object):
            let declared: [String]?
            switch object["type"] {
            case .string(let name): declared = [name]
            case .array(let names): declared = names.compactMap(\.stringValue)
            default: declared = nil
            }
            nodes.append(SchemaNode(body: .keywords([]), index: index, raw: value, declaredTypes: declared))
            let scopeBase = registerIdentifiers(of: object, at: pointer, base: base)
            let keywords = try compileKeywords(of: object, node: index, at: pointer, base: scopeBase)
            nodes[index].body = .keywords(keywords)
            return index
        default:
            throw JSONSchemaError(message: "\(pythonRepr(value)) is not of type 'object', 'boolean'", schemaPath: pointer)
        }
    }

    /// Records the resource an `$id` starts and the anchors a schema declares; returns the base
    /// URI in force inside it.
    private mutating func registerIdentifiers(of object: JSONObject, at pointer: [String], base: String) -> String {
        var scopeBase = base
        // Draft 7 ignores everything beside `$ref`, `$id` included (jsonschema's `_legacy_dollar_id`).
        let ignoresIdentifier = draft == .draft7 && object.contains("$ref")
        if !ignoresIdentifier, let identifier = object["$id"]?.stringValue {
            if draft == .draft7, identifier.hasPrefix("#") {
                anchors[base + identifier] = pointer
            } else {
                let resolved = SchemaURI.resolve(identifier, against: base)
                scopeBase = SchemaURI.split(resolved).uri
                resources[scopeBase] = pointer
            }
        }
        if draft == .draft2020_12 {
            for anchorKeyword in ["$anchor", "$dynamicAnchor"] {
                if let name = object[anchorKeyword]?.stringValue { anchors[scopeBase + "#" + name] = pointer }
            }
        }
        return scopeBase
    }

    /// Resolves every recorded `$ref`; targets compiled on demand may record more.
    private mutating func resolveReferences() throws(JSONSchemaError) {
        var next = 0
        while next < pendingReferences.count {
            let pending = pendingReferences[next]
            next += 1
            let target = try resolve(pending)
            guard case .keywords(var keywords) = nodes[pending.node].body else { continue }
            keywords[pending.keyword].rule = .reference(target)
            nodes[pending.node].body = .keywords(keywords)
        }
    }

    private mutating func resolve(_ pending: PendingReference) throws(JSONSchemaError) -> Int {
        let resolved = SchemaURI.resolve(pending.reference, against: pending.base)
        let (uri, fragment) = SchemaURI.split(resolved)
        guard let resourcePointer = resources[uri] else {
            throw JSONSchemaError(message: "Unresolvable: \(resolved)", schemaPath: pending.location)
        }
        let resource = Self.value(in: document, at: resourcePointer) ?? .null
        var pointer = resourcePointer
        if fragment.hasPrefix("/") {
            // RFC 6901: split on "/", then "~1" is "/" and "~0" is "~" (in that order).
            let tokens = fragment.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
                String($0).replacingAll("~1", with: "/").replacingAll("~0", with: "~")
            }
            pointer += tokens
        } else if !fragment.isEmpty {
            guard let anchored = anchors[uri + "#" + fragment] else {
                let message = "NoSuchAnchor: \(PythonRepr.string(fragment)) does not exist within \(pythonRepr(resource))"
                throw JSONSchemaError(message: message, schemaPath: pending.location)
            }
            pointer = anchored
        }
        if let existing = nodeAtPointer[Self.pointerText(pointer)] { return existing }
        guard let target = Self.value(in: document, at: pointer) else {
            let message = "PointerToNowhere: \(PythonRepr.string(fragment)) does not exist within \(pythonRepr(resource))"
            throw JSONSchemaError(message: message, schemaPath: pending.location)
        }
        return try compile(target, at: pointer, base: uri)
    }

    /// The value at a pointer, walking arrays only by canonical decimal indices (as RFC 6901 and
    /// jsonschema's resolver do: `01` names no element).
    static func value(in document: JSONValue, at pointer: [String]) -> JSONValue? {
        var current = document
        for token in pointer {
            switch current {
            case .object(let object):
                guard let member = object[token] else { return nil }
                current = member
            case .array(let items):
                guard let position = Int(token), String(position) == token, items.indices.contains(position) else { return nil }
                current = items[position]
            default:
                return nil
            }
        }
        return current
    }

    /// The JSON pointer text of a location, the key under which its node is recorded.
    static func pointerText(_ pointer: [String]) -> String {
        pointer.map { "/" + $0.replacingAll("~", with: "~0").replacingAll("/", with: "~1") }.joined()
    }
}

/// Just enough RFC 3986 reference resolution for `$id` and `$ref` within one document.
enum SchemaURI {
    /// `reference` resolved against `base` (RFC 3986 section 5.2, without dot-segment removal
    /// beyond what relative merging needs).
    static func resolve(_ reference: String, against base: String) -> String {
        if hasScheme(reference) { return reference }
        let baseURI = split(base).uri
        if reference.isEmpty || reference.hasPrefix("#") { return baseURI + reference }
        let (scheme, authority, path) = components(of: baseURI)
        if reference.hasPrefix("//") { return (scheme.map { $0 + ":" } ?? "") + reference }
        let prefix = (scheme.map { $0 + ":" } ?? "") + (authority.map { "//" + $0 } ?? "")
        if reference.hasPrefix("/") { return prefix + reference }
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = String(path[...slash])
        } else {
            directory = authority == nil ? "" : "/"
        }
        return prefix + directory + reference
    }

    /// The URI without its fragment, and the fragment percent-decoded (as jsonschema's resolver
    /// unquotes it before reading it as a pointer or anchor).
    static func split(_ uri: String) -> (uri: String, fragment: String) {
        guard let hash = uri.firstIndex(of: "#") else { return (uri, "") }
        return (String(uri[..<hash]), percentDecoded(String(uri[uri.index(after: hash)...])))
    }

    private static func hasScheme(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":") else { return false }
        let scheme = text[..<colon].unicodeScalars
        guard let first = scheme.first, first.isASCII, first.properties.isAlphabetic else { return false }
        return scheme.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)) }
    }

    private static func components(of uri: String) -> (scheme: String?, authority: String?, path: Substring) {
        var rest = Substring(uri)
        var scheme: String?
        if hasScheme(uri), let colon = rest.firstIndex(of: ":") {
            scheme = String(rest[..<colon])
            rest = rest[rest.index(after: colon)...]
        }
        var authority: String?
        if rest.hasPrefix("//") {
            let afterSlashes = rest.dropFirst(2)
            let end = afterSlashes.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? afterSlashes.endIndex
            authority = String(afterSlashes[..<end])
            rest = afterSlashes[end...]
        }
        if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }
        return (scheme, authority, rest)
    }

    /// Python's `urllib.parse.unquote`: `%XX` escapes decoded as UTF-8; malformed escapes kept.
    static func percentDecoded(_ text: String) -> String {
        guard text.contains("%") else { return text }
        let bytes = Array(text.utf8)
        var output = [UInt8]()
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
