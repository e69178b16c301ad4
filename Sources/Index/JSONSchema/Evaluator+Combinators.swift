import SporeJSON

/// `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`.
extension Evaluator {
    mutating func applyAllOf(_ branches: [Int], _ instance: JSONValue, into issues: inout [Issue], limit: Int) {
        for (index, branch) in branches.enumerated() {
            descend(branch, instance, schemaStep: .index(index), into: &issues, limit: limit)
            if issues.count >= limit { return }
        }
    }

    /// Stops at the first valid branch; otherwise one failure whose context holds every branch's
    /// failures (which `best_match` may descend into).
    mutating func applyAnyOf(
        _ branches: [Int], _ keyword: String, _ node: SchemaNode, _ instance: JSONValue, into issues: inout [Issue], limit: Int
    ) {
        var context: [Issue] = []
        for (index, branch) in branches.enumerated() {
            var failures: [Issue] = []
            descend(branch, instance, schemaStep: .index(index), into: &failures, limit: branchLimit(limit))
            if failures.isEmpty { return }
            context += failures.prefix(max(0, branchLimit(limit) - context.count))
        }
        issues.append(noBranchFailure(keyword, node, instance, context))
    }

    /// jsonschema's `oneOf`: the failures of the branches before the first valid one become the
    /// context when none is valid; otherwise any later valid branch is a failure of its own.
    mutating func applyOneOf(
        _ branches: [Int], _ keyword: String, _ node: SchemaNode, _ instance: JSONValue, into issues: inout [Issue], limit: Int
    ) {
        var context: [Issue] = []
        var firstValid: Int?
        var position = 0
        while firstValid == nil, position < branches.count {
            var failures: [Issue] = []
            descend(branches[position], instance, schemaStep: .index(position), into: &failures, limit: branchLimit(limit))
            if failures.isEmpty { firstValid = branches[position] }
            context += failures.prefix(max(0, branchLimit(limit) - context.count))
            position += 1
        }
        guard let firstValid else {
            issues.append(noBranchFailure(keyword, node, instance, context))
            return
        }
        var alsoValid: [Int] = []
        for branch in branches[position...] where isValid(branch, instance) { alsoValid.append(branch) }
        guard !alsoValid.isEmpty else { return }
        issues.append(severalBranchesFailure(alsoValid + [firstValid], keyword, node, instance))
    }

    private func noBranchFailure(_ keyword: String, _ node: SchemaNode, _ instance: JSONValue, _ context: [Issue]) -> Issue {
        var failure = issue(keyword, node, instance) { "\(pythonRepr(instance)) is not valid under any of the given schemas" }
        failure.context = context
        return failure
    }

    /// jsonschema lists the later valid branches first, then the first valid one.
    private func severalBranchesFailure(_ branches: [Int], _ keyword: String, _ node: SchemaNode, _ instance: JSONValue) -> Issue {
        let raws = branches.map { program.nodes[$0].raw }
        return issue(keyword, node, instance) { "\(pythonRepr(instance)) is valid under each of \(raws.map(pythonRepr).joined(separator: ", "))" }
    }

    mutating func applyNot(_ negated: Int, _ keyword: String, _ node: SchemaNode, _ instance: JSONValue, into issues: inout [Issue]) {
        guard isValid(negated, instance) else { return }
        let raw = program.nodes[negated].raw
        issues.append(issue(keyword, node, instance) { "\(pythonRepr(instance)) should not be valid under \(pythonRepr(raw))" })
    }

    /// `then`/`else` take the place of `if` in the schema path, as in jsonschema.
    mutating func applyConditional(_ condition: Int, _ then: Int?, _ otherwise: Int?, _ instance: JSONValue, into issues: inout [Issue], limit: Int) {
        if isValid(condition, instance) {
            if let then { descend(then, instance, schemaStep: .key("then"), into: &issues, limit: limit) }
        } else if let otherwise {
            descend(otherwise, instance, schemaStep: .key("else"), into: &issues, limit: limit)
        }
    }
}
