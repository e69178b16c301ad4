import SporeJSON

/// The object applicators. Like every jsonschema keyword they ignore instances of other types.
extension Evaluator {
    mutating func applyProperties(_ members: [NamedNode], _ instance: JSONValue, into issues: inout [Issue], limit: Int) {
        guard case .object(let object) = instance else { return }
        for member in members {
            guard let value = object[member.name] else { continue }
            descend(member.node, value, path: .key(member.name), schemaStep: .key(member.name), into: &issues, limit: limit)
            if issues.count >= limit { return }
        }
    }

    /// Patterns in schema order, then names in instance order, as jsonschema nests its loops.
    mutating func applyPatternProperties(_ patterns: [PatternNode], _ instance: JSONValue, into issues: inout [Issue], limit: Int) {
        guard case .object(let object) = instance else { return }
        for pattern in patterns {
            for (key, value) in object where pattern.regex.search(key) {
                descend(pattern.node, value, path: .key(key), schemaStep: .key(pattern.regex.source), into: &issues, limit: limit)
                if issues.count >= limit { return }
            }
        }
    }

    mutating func applyAdditionalProperties(
        _ rule: AdditionalProperties, _ keyword: String, _ node: SchemaNode, _ instance: JSONValue, into issues: inout [Issue], limit: Int
    ) {
        guard case .object(let object) = instance else { return }
        let extras = object.keys.filter { key in !rule.declared.contains(key) && !rule.patterns.contains { $0.search(key) } }
        guard !extras.isEmpty else { return }
        if rule.isFalse {
            issues.append(issue(keyword, node, instance) { Self.additionalPropertiesMessage(extras, rule) })
            return
        }
        // jsonschema walks a set here (arbitrary order); spore keeps the instance's order.
        for extra in extras {
            guard let value = object[extra] else { continue }
            descend(rule.node, value, path: .key(extra), into: &issues, limit: limit)
            if issues.count >= limit { return }
        }
    }

    private static func additionalPropertiesMessage(_ extras: [String], _ rule: AdditionalProperties) -> String {
        let names = extras.sorted(by: PythonRepr.precedes).map(PythonRepr.string).joined(separator: ", ")
        if rule.hasPatternProperties {
            let patterns = rule.patterns.map(\.source).sorted(by: PythonRepr.precedes).map(PythonRepr.string).joined(separator: ", ")
            return "\(names) \(extras.count == 1 ? "does" : "do") not match any of the regexes: \(patterns)"
        }
        return "Additional properties are not allowed (\(names) \(extras.count == 1 ? "was" : "were") unexpected)"
    }

    /// Each name is checked as a string at the object's own path (jsonschema passes no path).
    mutating func applyPropertyNames(_ schema: Int, _ instance: JSONValue, into issues: inout [Issue], limit: Int) {
        guard case .object(let object) = instance else { return }
        for key in object.keys {
            descend(schema, .string(key), into: &issues, limit: limit)
            if issues.count >= limit { return }
        }
    }

    /// Draft 7 `dependencies` and 2020-12 `dependentRequired` / `dependentSchemas`.
    mutating func applyDependencies(
        _ dependencies: [Dependency], _ keyword: String, _ node: SchemaNode, _ instance: JSONValue, into issues: inout [Issue], limit: Int
    ) {
        guard case .object(let object) = instance else { return }
        for dependency in dependencies where object.contains(dependency.name) {
            if let names = dependency.requiredNames {
                issues += dependencyFailures(names, of: dependency.name, keyword, node, instance).prefix(max(0, limit - issues.count))
            } else if let schema = dependency.node {
                descend(schema, instance, schemaStep: .key(dependency.name), into: &issues, limit: limit)
            }
            if issues.count >= limit { return }
        }
    }

    private func dependencyFailures(_ names: [String], of property: String, _ keyword: String, _ node: SchemaNode, _ instance: JSONValue) -> [Issue] {
        guard let object = instance.objectValue else { return [] }
        return names.filter { !object.contains($0) }.map { name in
            issue(keyword, node, instance) { "\(PythonRepr.string(name)) is a dependency of \(PythonRepr.string(property))" }
        }
    }
}
