import SporeJSON

/// Keyword dispatch, with jsonschema's wording (`_keywords.py`, and `_legacy_keywords.py` for
/// draft 7).
///
/// The functions on the recursive path (`evaluate` → `apply` → an applicator → `descend`) are
/// kept small and separate from the checks that never recurse: a debug build gives every local
/// of every `case` its own stack slot, and one frame per nesting level of a deep instance adds
/// up on a 512 KiB thread stack.
extension Evaluator {
    @inline(never)
    mutating func apply(_ keyword: SchemaKeyword, of node: SchemaNode, to instance: JSONValue, into issues: inout [Issue], limit: Int) {
        switch keyword.rule {
        case .reference(let target): follow(target, instance, into: &issues, limit: limit)
        case .required(let names): issues += requiredFailures(names, keyword.name, node, instance).prefix(max(0, limit - issues.count))
        case .properties(let members): applyProperties(members, instance, into: &issues, limit: limit)
        case .patternProperties(let patterns): applyPatternProperties(patterns, instance, into: &issues, limit: limit)
        case .additionalProperties(let rule): applyAdditionalProperties(rule, keyword.name, node, instance, into: &issues, limit: limit)
        case .propertyNames(let schema): applyPropertyNames(schema, instance, into: &issues, limit: limit)
        case .dependencies(let dependencies): applyDependencies(dependencies, keyword.name, node, instance, into: &issues, limit: limit)
        case .unevaluatedProperties(let schema): applyUnevaluatedProperties(schema, keyword: keyword.name, of: node, instance, into: &issues)
        case .itemsEach(let schema): applyItems(schema, from: 0, instance, into: &issues, limit: limit)
        case .itemsTuple(let schemas), .prefixItems(let schemas): applyTuple(schemas, instance, into: &issues, limit: limit)
        case .additionalItems(let schema, let after): applyItemsAfter(after, schema, keyword.name, node, instance, into: &issues, limit: limit)
        case .itemsAfterPrefix(let schema, let prefix): applyItemsAfter(prefix, schema, keyword.name, node, instance, into: &issues, limit: limit)
        case .containsAny(let schema): applyContainsAny(schema, keyword.name, node, instance, into: &issues)
        case .contains(let schema, let minimum, let maximum): applyContains(schema, minimum, maximum, node, instance, into: &issues)
        case .unevaluatedItems(let schema): applyUnevaluatedItems(schema, keyword: keyword.name, of: node, instance, into: &issues)
        case .allOf(let branches): applyAllOf(branches, instance, into: &issues, limit: limit)
        case .anyOf(let branches): applyAnyOf(branches, keyword.name, node, instance, into: &issues, limit: limit)
        case .oneOf(let branches): applyOneOf(branches, keyword.name, node, instance, into: &issues, limit: limit)
        case .not(let negated): applyNot(negated, keyword.name, node, instance, into: &issues)
        case .conditional(let condition, let then, let otherwise): applyConditional(condition, then, otherwise, instance, into: &issues, limit: limit)
        default:
            if let failure = assertion(keyword, of: node, instance) { issues.append(failure) }
        }
    }

    /// The keywords that only inspect the instance itself; at most one failure each.
    @inline(never)
    private func assertion(_ keyword: SchemaKeyword, of node: SchemaNode, _ instance: JSONValue) -> Issue? {
        let message: (() -> String)?
        switch keyword.rule {
        case .types(let names): message = typeFailure(names, instance)
        case .enumeration(let options):
            message =
                options.contains { JSONSemantics.equal($0, instance) }
                ? nil
                : {
                    "\(pythonRepr(instance)) is not one of \(pythonRepr(.array(options)))"
                }
        case .constant(let expected): message = JSONSemantics.equal(expected, instance) ? nil : { "\(pythonRepr(expected)) was expected" }
        case .bound(let bound, let limit): message = boundFailure(bound, limit, instance)
        case .multipleOf(let divisor):
            message =
                !instance.isNumber || JSONSemantics.isMultiple(instance, of: divisor)
                ? nil
                : {
                    "\(pythonRepr(instance)) is not a multiple of \(PythonRepr.number(divisor))"
                }
        case .minLength(let bound): message = countFailure(instance.stringValue.map(JSONSemantics.length), below: bound, instance)
        case .maxLength(let bound): message = countFailure(instance.stringValue.map(JSONSemantics.length), above: bound, instance)
        case .minItems(let bound): message = countFailure(instance.arrayValue?.count, below: bound, instance)
        case .maxItems(let bound): message = countFailure(instance.arrayValue?.count, above: bound, instance)
        case .pattern(let regex):
            guard let text = instance.stringValue, !regex.search(text) else { return nil }
            message = { "\(pythonRepr(instance)) does not match \(PythonRepr.string(regex.source))" }
        case .format(let format):
            guard let text = instance.stringValue, !FormatChecker.conforms(text, to: format, assertion: formats) else { return nil }
            message = { "\(pythonRepr(instance)) is not a \(PythonRepr.string(format))" }
        case .uniqueItems:
            guard let items = instance.arrayValue, !JSONSemantics.allUnique(items) else { return nil }
            message = { "\(pythonRepr(instance)) has non-unique elements" }
        case .minProperties(let bound):
            guard let count = instance.objectValue?.count, Double(count) < bound else { return nil }
            message = { "\(pythonRepr(instance)) \(bound == 1 ? "should be non-empty" : "does not have enough properties")" }
        case .maxProperties(let bound):
            guard let count = instance.objectValue?.count, Double(count) > bound else { return nil }
            message = { "\(pythonRepr(instance)) \(bound == 0 ? "is expected to be empty" : "has too many properties")" }
        default:
            return nil
        }
        return message.map { issue(keyword.name, node, instance, $0) }
    }

    private func typeFailure(_ names: [String], _ instance: JSONValue) -> (() -> String)? {
        if names.contains(where: { JSONSemantics.isType(instance, $0) }) { return nil }
        return { "\(pythonRepr(instance)) is not of type \(names.map(PythonRepr.string).joined(separator: ", "))" }
    }

    private func boundFailure(_ bound: NumericBound, _ limit: JSONValue, _ instance: JSONValue) -> (() -> String)? {
        guard instance.isNumber, let order = JSONSemantics.compare(instance, limit) else { return nil }
        let relation: String
        switch bound {
        case .minimum where order < 0: relation = "less than the minimum"
        case .maximum where order > 0: relation = "greater than the maximum"
        case .exclusiveMinimum where order <= 0: relation = "less than or equal to the minimum"
        case .exclusiveMaximum where order >= 0: relation = "greater than or equal to the maximum"
        default: return nil
        }
        return { "\(pythonRepr(instance)) is \(relation) of \(pythonRepr(limit))" }
    }

    /// `minLength`/`minItems`: "should be non-empty" for a bound of one, else "is too short".
    private func countFailure(_ count: Int?, below bound: Double, _ instance: JSONValue) -> (() -> String)? {
        guard let count, Double(count) < bound else { return nil }
        return { "\(pythonRepr(instance)) \(bound == 1 ? "should be non-empty" : "is too short")" }
    }

    /// `maxLength`/`maxItems`: "is expected to be empty" for a bound of zero, else "is too long".
    private func countFailure(_ count: Int?, above bound: Double, _ instance: JSONValue) -> (() -> String)? {
        guard let count, Double(count) > bound else { return nil }
        return { "\(pythonRepr(instance)) \(bound == 0 ? "is expected to be empty" : "is too long")" }
    }

    func requiredFailures(_ names: [String], _ keyword: String, _ node: SchemaNode, _ instance: JSONValue) -> [Issue] {
        guard let object = instance.objectValue else { return [] }
        return names.filter { !object.contains($0) }.map { name in
            issue(keyword, node, instance) { "\(PythonRepr.string(name)) is a required property" }
        }
    }
}
