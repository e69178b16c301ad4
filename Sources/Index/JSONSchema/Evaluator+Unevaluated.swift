import SporeJSON

/// 2020-12 `unevaluatedProperties` / `unevaluatedItems`, computed the way jsonschema 4.x
/// does (`find_evaluated_property_keys_by_schema` / `find_evaluated_item_indexes_by_schema`):
/// the schema holding the keyword is re-examined for what its other keywords (and the valid
/// branches of its applicators) cover, rather than collecting annotations.
extension Evaluator {
    mutating func applyUnevaluatedProperties(_ schema: Int, keyword: String, of node: SchemaNode, _ instance: JSONValue, into issues: inout [Issue]) {
        guard case .object(let object) = instance else { return }
        let holder = node.index
        var evaluated = Set<String>()
        collectEvaluatedKeys(holder, object, instance, into: &evaluated, depth: 0)
        // jsonschema counts a name once per error its value has, and sorts only for `false`.
        var unevaluated: [String] = []
        for (key, value) in object where !evaluated.contains(key) {
            var failures: [Issue] = []
            descend(schema, value, path: .key(key), schemaStep: .key(key), into: &failures, limit: JSONSchema.failureCountMax)
            unevaluated += Array(repeating: key, count: failures.count)
        }
        guard !unevaluated.isEmpty else { return }
        let isFalse = program.nodes[schema].isFalseSchema
        issues.append(
            issue(keyword, node, instance) {
                let verb = unevaluated.count == 1 ? "was" : "were"
                if isFalse {
                    let names = unevaluated.sorted(by: PythonRepr.precedes).map(PythonRepr.string).joined(separator: ", ")
                    return "Unevaluated properties are not allowed (\(names) \(verb) unexpected)"
                }
                let names = unevaluated.map(PythonRepr.string).joined(separator: ", ")
                return "Unevaluated properties are not valid under the given schema (\(names) \(verb) unevaluated and invalid)"
            })
    }

    mutating func applyUnevaluatedItems(_ schema: Int, keyword: String, of node: SchemaNode, _ instance: JSONValue, into issues: inout [Issue]) {
        guard case .array(let items) = instance else { return }
        let holder = node.index
        var evaluated = Set<Int>()
        collectEvaluatedIndexes(holder, items, instance, into: &evaluated, depth: 0)
        let unevaluated = items.indices.filter { !evaluated.contains($0) }.map { items[$0] }
        guard !unevaluated.isEmpty else { return }
        issues.append(
            issue(keyword, node, instance) {
                let verb = unevaluated.count == 1 ? "was" : "were"
                return "Unevaluated items are not allowed (\(unevaluated.map(pythonRepr).joined(separator: ", ")) \(verb) unexpected)"
            })
    }

    private mutating func collectEvaluatedKeys(_ index: Int, _ object: JSONObject, _ instance: JSONValue, into keys: inout Set<String>, depth: Int) {
        guard depth <= JSONSchema.referenceExpansionDepthMax, case .keywords(let keywords) = program.nodes[index].body else { return }
        for keyword in keywords {
            switch keyword.rule {
            case .reference(let target):
                collectEvaluatedKeys(target, object, instance, into: &keys, depth: depth + 1)
            case .properties(let members):
                for member in members where object.contains(member.name) { keys.insert(member.name) }
            case .additionalProperties(let rule):
                for (key, value) in object where isValid(rule.node, value) { keys.insert(key) }
            case .unevaluatedProperties(let schema):
                for (key, value) in object where isValid(schema, value) { keys.insert(key) }
            case .patternProperties(let patterns):
                for key in object.keys where patterns.contains(where: { $0.regex.search(key) }) { keys.insert(key) }
            case .dependencies(let dependencies) where keyword.name == "dependentSchemas":
                for dependency in dependencies where object.contains(dependency.name) {
                    if let schema = dependency.node { collectEvaluatedKeys(schema, object, instance, into: &keys, depth: depth + 1) }
                }
            case .allOf(let branches), .anyOf(let branches), .oneOf(let branches):
                for branch in branches where isValid(branch, instance) {
                    collectEvaluatedKeys(branch, object, instance, into: &keys, depth: depth + 1)
                }
            case .conditional(let condition, let then, let otherwise):
                if isValid(condition, instance) {
                    collectEvaluatedKeys(condition, object, instance, into: &keys, depth: depth + 1)
                    if let then { collectEvaluatedKeys(then, object, instance, into: &keys, depth: depth + 1) }
                } else if let otherwise {
                    collectEvaluatedKeys(otherwise, object, instance, into: &keys, depth: depth + 1)
                }
            default:
                continue
            }
        }
    }

    private mutating func collectEvaluatedIndexes(
        _ index: Int, _ items: [JSONValue], _ instance: JSONValue, into indexes: inout Set<Int>, depth: Int
    ) {
        guard depth <= JSONSchema.referenceExpansionDepthMax, case .keywords(let keywords) = program.nodes[index].body else { return }
        // Any `items` covers every element, whatever it says (jsonschema returns early).
        if keywords.contains(where: { if case .itemsAfterPrefix = $0.rule { return true } else { return false } }) {
            indexes.formUnion(items.indices)
            return
        }
        for keyword in keywords {
            switch keyword.rule {
            case .reference(let target):
                collectEvaluatedIndexes(target, items, instance, into: &indexes, depth: depth + 1)
            case .prefixItems(let schemas):
                indexes.formUnion(0..<min(schemas.count, items.count))
            case .contains(let schema, _, _), .unevaluatedItems(let schema):
                for (position, item) in items.enumerated() where isValid(schema, item) { indexes.insert(position) }
            case .allOf(let branches), .anyOf(let branches), .oneOf(let branches):
                for branch in branches where isValid(branch, instance) {
                    collectEvaluatedIndexes(branch, items, instance, into: &indexes, depth: depth + 1)
                }
            case .conditional(let condition, let then, let otherwise):
                if isValid(condition, instance) {
                    collectEvaluatedIndexes(condition, items, instance, into: &indexes, depth: depth + 1)
                    if let then { collectEvaluatedIndexes(then, items, instance, into: &indexes, depth: depth + 1) }
                } else if let otherwise {
                    collectEvaluatedIndexes(otherwise, items, instance, into: &indexes, depth: depth + 1)
                }
            default:
                continue
            }
        }
    }
}
