import SporeJSON

extension SchemaCompiler {
    /// The keywords of an object schema that the draft defines, in document order; unknown
    /// keywords are ignored, as in jsonschema. Keywords of the wrong JSON type are refused here
    /// too, for subschemas the meta-schema check never saw (targets of `$ref` outside the places
    /// a subschema is expected).
    mutating func compileKeywords(of object: JSONObject, node: Int, at pointer: [String], base: String) throws(JSONSchemaError) -> [SchemaKeyword] {
        // Definitions are only places to refer to; compiling them now records their anchors.
        for container in draft == .draft7 ? ["definitions"] : ["definitions", "$defs"] {
            guard case .object(let members) = object[container] else { continue }
            for (name, member) in members { _ = try compile(member, at: pointer + [container, name], base: base) }
        }
        // Draft 7 ignores every sibling of `$ref` (jsonschema's `ignore_ref_siblings`).
        if draft == .draft7, let reference = object["$ref"] {
            try recordReference(reference, node: node, keyword: 0, at: pointer + ["$ref"], base: base)
            return [SchemaKeyword(name: "$ref", rule: .reference(node))]
        }
        var keywords: [SchemaKeyword] = []
        for (name, value) in object {
            let location = pointer + [name]
            if name == "$ref" || (name == "$dynamicRef" && draft == .draft2020_12) {
                // `$dynamicRef` is resolved statically, like `$ref`: right unless a `$dynamicAnchor` overrides it.
                try recordReference(value, node: node, keyword: keywords.count, at: location, base: base)
                keywords.append(SchemaKeyword(name: name, rule: .reference(node)))
            } else if let rule = try rule(for: name, value, in: object, at: location, base: base) {
                keywords.append(SchemaKeyword(name: name, rule: rule))
            }
        }
        return keywords
    }

    private mutating func recordReference(_ value: JSONValue, node: Int, keyword: Int, at location: [String], base: String) throws(JSONSchemaError) {
        guard let reference = value.stringValue else { throw Self.typeError(value, "string", at: location) }
        pendingReferences.append(PendingReference(node: node, keyword: keyword, reference: reference, base: base, location: location))
    }

    private mutating func rule(
        for name: String, _ value: JSONValue, in object: JSONObject, at location: [String], base: String
    ) throws(JSONSchemaError) -> KeywordRule? {
        let isDraft7 = draft == .draft7
        let parent = Array(location.dropLast())
        switch name {
        case "type": return .types(try typeNames(value, at: location))
        case "enum":
            guard let options = value.arrayValue else { throw Self.typeError(value, "array", at: location) }
            return .enumeration(options)
        case "const": return .constant(value)
        case "required": return .required(try strings(value, at: location))
        case "properties":
            return .properties(try namedSchemas(value, at: location, base: base).map { NamedNode(name: $0.name, node: $0.node) })
        case "patternProperties":
            let members = try namedSchemas(value, at: location, base: base)
            var patterns: [PatternNode] = []
            for member in members { patterns.append(PatternNode(regex: try regex(member.name, at: location), node: member.node)) }
            return .patternProperties(patterns)
        case "additionalProperties":
            let node = try compile(value, at: location, base: base)
            var patterns: [SchemaRegex] = []
            if case .object(let members) = object["patternProperties"] {
                for pattern in members.keys { patterns.append(try regex(pattern, at: parent + ["patternProperties"])) }
            }
            let declared = Set(object["properties"]?.objectValue?.keys ?? [])
            let rule = AdditionalProperties(
                node: node, isFalse: value == .bool(false), declared: declared, patterns: patterns,
                hasPatternProperties: object.contains("patternProperties"))
            return .additionalProperties(rule)
        case "propertyNames": return .propertyNames(try compile(value, at: location, base: base))
        case "minProperties": return .minProperties(try count(value, at: location))
        case "maxProperties": return .maxProperties(try count(value, at: location))
        case "dependencies" where isDraft7: return .dependencies(try dependencies(value, at: location, base: base, schemasOnly: nil))
        case "dependentRequired" where !isDraft7: return .dependencies(try dependencies(value, at: location, base: base, schemasOnly: false))
        case "dependentSchemas" where !isDraft7: return .dependencies(try dependencies(value, at: location, base: base, schemasOnly: true))
        case "minimum": return .bound(.minimum, try number(value, at: location))
        case "maximum": return .bound(.maximum, try number(value, at: location))
        case "exclusiveMinimum": return .bound(.exclusiveMinimum, try number(value, at: location))
        case "exclusiveMaximum": return .bound(.exclusiveMaximum, try number(value, at: location))
        case "multipleOf": return .multipleOf(try number(value, at: location))
        case "minLength": return .minLength(try count(value, at: location))
        case "maxLength": return .maxLength(try count(value, at: location))
        case "pattern":
            guard let source = value.stringValue else { throw Self.typeError(value, "string", at: location) }
            return .pattern(try regex(source, at: location))
        case "format":
            guard let format = value.stringValue else { throw Self.typeError(value, "string", at: location) }
            return .format(format)
        case "items" where isDraft7:
            if case .array = value { return .itemsTuple(try schemas(value, at: location, base: base)) }
            return .itemsEach(try compile(value, at: location, base: base))
        case "items":
            let prefix = object["prefixItems"]?.arrayValue?.count ?? 0
            return .itemsAfterPrefix(node: try compile(value, at: location, base: base), prefix: prefix)
        case "additionalItems" where isDraft7:
            // Only array-form `items` leaves elements over; jsonschema skips it otherwise.
            guard case .array(let tuple) = object["items"] else { return nil }
            return .additionalItems(node: try compile(value, at: location, base: base), after: tuple.count)
        case "prefixItems" where !isDraft7: return .prefixItems(try schemas(value, at: location, base: base))
        case "contains" where isDraft7: return .containsAny(try compile(value, at: location, base: base))
        case "contains":
            let node = try compile(value, at: location, base: base)
            var minimum: JSONValue?
            var maximum: JSONValue?
            if let bound = object["minContains"] { minimum = try number(bound, at: parent + ["minContains"]) }
            if let bound = object["maxContains"] { maximum = try number(bound, at: parent + ["maxContains"]) }
            return .contains(node: node, minimum: minimum, maximum: maximum)
        case "minItems": return .minItems(try count(value, at: location))
        case "maxItems": return .maxItems(try count(value, at: location))
        case "uniqueItems":
            guard let flag = value.boolValue else { throw Self.typeError(value, "boolean", at: location) }
            return flag ? .uniqueItems : nil
        case "allOf": return .allOf(try schemas(value, at: location, base: base))
        case "anyOf": return .anyOf(try schemas(value, at: location, base: base))
        case "oneOf": return .oneOf(try schemas(value, at: location, base: base))
        case "not": return .not(try compile(value, at: location, base: base))
        case "if":
            let condition = try compile(value, at: location, base: base)
            var then: Int?
            var otherwise: Int?
            if let branch = object["then"] { then = try compile(branch, at: parent + ["then"], base: base) }
            if let branch = object["else"] { otherwise = try compile(branch, at: parent + ["else"], base: base) }
            return .conditional(condition: condition, then: then, otherwise: otherwise)
        case "unevaluatedProperties" where !isDraft7: return .unevaluatedProperties(try compile(value, at: location, base: base))
        case "unevaluatedItems" where !isDraft7: return .unevaluatedItems(try compile(value, at: location, base: base))
        default: return nil
        }
    }

    static func typeError(_ value: JSONValue, _ expected: String, at location: [String]) -> JSONSchemaError {
        JSONSchemaError(message: "\(pythonRepr(value)) is not of type '\(expected)'", schemaPath: location)
    }

    private static let typeNames: Set<String> = ["array", "boolean", "integer", "null", "number", "object", "string"]

    private func typeNames(_ value: JSONValue, at location: [String]) throws(JSONSchemaError) -> [String] {
        let names: [String]?
        switch value {
        case .string(let name): names = [name]
        case .array(let items): names = items.allSatisfy { $0.stringValue != nil } ? items.compactMap(\.stringValue) : nil
        default: names = nil
        }
        guard let names, names.allSatisfy(Self.typeNames.contains) else {
            throw JSONSchemaError(message: "\(pythonRepr(value)) is not valid under any of the given schemas", schemaPath: location)
        }
        return names
    }

    private func strings(_ value: JSONValue, at location: [String]) throws(JSONSchemaError) -> [String] {
        guard let items = value.arrayValue else { throw Self.typeError(value, "array", at: location) }
        var names: [String] = []
        for (index, item) in items.enumerated() {
            guard let name = item.stringValue else { throw Self.typeError(item, "string", at: location + [String(index)]) }
            names.append(name)
        }
        return names
    }

    private func number(_ value: JSONValue, at location: [String]) throws(JSONSchemaError) -> JSONValue {
        guard value.isNumber else { throw Self.typeError(value, "number", at: location) }
        return value
    }

    private func count(_ value: JSONValue, at location: [String]) throws(JSONSchemaError) -> Double {
        guard let count = value.doubleValue, JSONSemantics.isType(value, "integer") else { throw Self.typeError(value, "integer", at: location) }
        return count
    }

    private func regex(_ source: String, at location: [String]) throws(JSONSchemaError) -> SchemaRegex {
        guard let regex = SchemaRegex(source) else {
            throw JSONSchemaError(message: "\(PythonRepr.string(source)) is not a 'regex'", schemaPath: location)
        }
        return regex
    }

    private mutating func schemas(_ value: JSONValue, at location: [String], base: String) throws(JSONSchemaError) -> [Int] {
        guard let items = value.arrayValue else { throw Self.typeError(value, "array", at: location) }
        var nodes: [Int] = []
        for (index, item) in items.enumerated() { nodes.append(try compile(item, at: location + [String(index)], base: base)) }
        return nodes
    }

    private mutating func namedSchemas(_ value: JSONValue, at location: [String], base: String) throws(JSONSchemaError) -> [NamedNode] {
        guard let members = value.objectValue else { throw Self.typeError(value, "object", at: location) }
        var nodes: [NamedNode] = []
        for (name, member) in members { nodes.append(NamedNode(name: name, node: try compile(member, at: location + [name], base: base))) }
        return nodes
    }

    /// `schemasOnly`: nil for draft 7's `dependencies` (either form), false for
    /// `dependentRequired`, true for `dependentSchemas`.
    private mutating func dependencies(
        _ value: JSONValue, at location: [String], base: String, schemasOnly: Bool?
    ) throws(JSONSchemaError) -> [Dependency] {
        guard let members = value.objectValue else { throw Self.typeError(value, "object", at: location) }
        var dependencies: [Dependency] = []
        for (name, member) in members {
            if schemasOnly != true, case .array = member {
                dependencies.append(Dependency(name: name, requiredNames: try strings(member, at: location + [name]), node: nil))
            } else if schemasOnly == false {
                throw Self.typeError(member, "array", at: location + [name])
            } else {
                dependencies.append(Dependency(name: name, requiredNames: nil, node: try compile(member, at: location + [name], base: base)))
            }
        }
        return dependencies
    }
}
