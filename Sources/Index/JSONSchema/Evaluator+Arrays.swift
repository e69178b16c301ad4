import SporeJSON

/// The array applicators.
extension Evaluator {
    /// Every element from `start` against one schema. jsonschema adds the index to the instance
    /// path only, not to the schema path.
    mutating func applyItems(_ schema: Int, from start: Int, _ instance: JSONValue, into issues: inout [Issue], limit: Int) {
        guard case .array(let items) = instance, start < items.count else { return }
        for index in start..<items.count {
            descend(schema, items[index], path: .index(index), into: &issues, limit: limit)
            if issues.count >= limit { return }
        }
    }

    /// Draft 7 array-form `items` and 2020-12 `prefixItems`: one schema per position, the index
    /// in both paths.
    mutating func applyTuple(_ schemas: [Int], _ instance: JSONValue, into issues: inout [Issue], limit: Int) {
        guard case .array(let items) = instance else { return }
        for (index, (item, schema)) in zip(items, schemas).enumerated() {
            descend(schema, item, path: .index(index), schemaStep: .index(index), into: &issues, limit: limit)
            if issues.count >= limit { return }
        }
    }

    /// Draft 7 `additionalItems` and 2020-12 `items`: the elements after the first `after`. A
    /// `false` schema gets the keyword's own message rather than one failure per element.
    mutating func applyItemsAfter(
        _ after: Int, _ schema: Int, _ keyword: String, _ node: SchemaNode, _ instance: JSONValue, into issues: inout [Issue], limit: Int
    ) {
        guard case .array(let items) = instance, items.count > after else { return }
        guard program.nodes[schema].isFalseSchema else {
            applyItems(schema, from: after, instance, into: &issues, limit: limit)
            return
        }
        issues.append(extraItemsFailure(after, keyword, node, items, instance))
    }

    @inline(never)
    private func extraItemsFailure(_ after: Int, _ keyword: String, _ node: SchemaNode, _ items: [JSONValue], _ instance: JSONValue) -> Issue {
        let extra = items.count - after
        if keyword == "additionalItems" {
            return issue(keyword, node, instance) {
                let extras = items[after...].map(pythonRepr).joined(separator: ", ")
                return "Additional items are not allowed (\(extras) \(extra == 1 ? "was" : "were") unexpected)"
            }
        }
        let rest = extra == 1 ? items[after] : .array(Array(items[after...]))
        return issue(keyword, node, instance) {
            "Expected at most \(after) \(after == 1 ? "item" : "items") but found \(extra) extra: \(pythonRepr(rest))"
        }
    }

    /// Draft 7 `contains`: some element must be valid.
    mutating func applyContainsAny(_ schema: Int, _ keyword: String, _ node: SchemaNode, _ instance: JSONValue, into issues: inout [Issue]) {
        guard case .array(let items) = instance, !items.contains(where: { isValid(schema, $0) }) else { return }
        issues.append(issue(keyword, node, instance) { "None of \(pythonRepr(instance)) are valid under the given schema" })
    }

    /// 2020-12 `contains` with `minContains` (default 1) and `maxContains` (default: the length);
    /// jsonschema names those two keywords as the failing validator when they fail.
    mutating func applyContains(
        _ schema: Int, _ minimum: JSONValue?, _ maximum: JSONValue?, _ node: SchemaNode, _ instance: JSONValue, into issues: inout [Issue]
    ) {
        guard case .array(let items) = instance else { return }
        let maximumValue = maximum ?? .int(items.count)
        var matches = 0
        for item in items where isValid(schema, item) {
            matches += 1
            if let order = JSONSemantics.compare(.int(matches), maximumValue), order > 0 {
                issues.append(
                    issue("maxContains", node, instance) {
                        "Too many items match the given schema (expected at most \(PythonRepr.number(maximumValue)))"
                    })
                return
            }
        }
        let minimumValue = minimum ?? .int(1)
        guard let order = JSONSemantics.compare(.int(matches), minimumValue), order < 0 else { return }
        if matches == 0 {
            issues.append(issue("contains", node, instance) { "\(pythonRepr(instance)) does not contain items matching the given schema" })
        } else {
            issues.append(
                issue("minContains", node, instance) {
                    "Too few items match the given schema (expected at least \(PythonRepr.number(minimumValue)) but only \(matches) matched)"
                })
        }
    }
}
