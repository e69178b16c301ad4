import SporeJSON

/// A failure as evaluation finds it, before it becomes a public `JSONSchemaFailure`.
///
/// The message is rendered on demand: most issues are found while testing an `anyOf` branch
/// or an `if` and then thrown away, and rendering means printing the instance, which for a
/// manifest-sized object costs more than validating it.
struct Issue {
    /// The keyword jsonschema would name as `error.validator` (nil for the `false` schema).
    let keyword: String?
    let instancePath: [PathComponent]
    let schemaPath: [PathComponent]
    /// Whether the instance has a type the failing schema's `type` allows (`best_match`'s
    /// last tie-breaker); false when that schema has no `type`.
    let matchesType: Bool
    /// The branch failures of an `anyOf`/`oneOf` that no branch passed (`error.context`).
    var context: [Issue] = []
    let render: () -> String

    var failure: JSONSchemaFailure {
        JSONSchemaFailure(message: render(), instancePath: instancePath, schemaPath: schemaPath)
    }
}

/// Walks an instance through a compiled schema the way jsonschema's `iter_errors` does:
/// keywords in document order, subschemas depth first, each failure recorded with its instance
/// path and schema path.
struct Evaluator {
    let program: SchemaProgram
    let formats: FormatAssertion
    var instancePath: [PathComponent] = []
    var schemaPath: [PathComponent] = []
    /// Nested object schemas being evaluated (bounded by `JSONSchema.evaluationDepthMax`).
    var depth = 0
    /// `$ref` expansions since evaluation last stepped into a member or element: a schema that
    /// refers to itself without consuming the instance (`{"$ref": "#"}`) would never stop.
    var referencesWithoutDescent = 0
    /// Set when a bound is exceeded: evaluation stops and this becomes the only failure, so a
    /// `not` or an `if` cannot turn the cut-off branch into a pass (fail closed).
    var abort: Issue?

    init(program: SchemaProgram, formats: FormatAssertion) {
        self.program = program
        self.formats = formats
    }

    /// The failures of `instance` against the whole schema, at most `limit` of them.
    mutating func issues(of instance: JSONValue, limit: Int) -> [Issue] {
        var issues: [Issue] = []
        evaluate(program.root, instance, into: &issues, limit: limit)
        if let abort { return [abort] }
        return issues
    }

    /// jsonschema's `evolve(schema=…).is_valid(instance)`: stops at the first failure.
    @inline(never)
    mutating func isValid(_ node: Int, _ instance: JSONValue) -> Bool {
        var scratch: [Issue] = []
        evaluate(node, instance, into: &scratch, limit: 1)
        return scratch.isEmpty
    }

    /// How many failures a nested collection (an `anyOf` branch) keeps: one when the caller only
    /// asks whether the instance is valid, else the public bound.
    func branchLimit(_ limit: Int) -> Int { limit <= 1 ? 1 : JSONSchema.failureCountMax }

    @inline(never)
    mutating func evaluate(_ index: Int, _ instance: JSONValue, into issues: inout [Issue], limit: Int) {
        guard abort == nil else { return }
        let node = program.nodes[index]
        switch node.body {
        case .accept:
            return
        case .reject:
            issues.append(falseSchemaFailure(instance))
        case .keywords(let keywords):
            depth += 1
            defer { depth -= 1 }
            guard depth <= JSONSchema.evaluationDepthMax else {
                abort = depthFailure()
                return
            }
            for keyword in keywords {
                // jsonschema leaves `$ref` and `if` out of `schema_path` (`then`/`else` stand in for `if`).
                let named = keyword.name != "$ref" && keyword.name != "if"
                if named { schemaPath.append(.key(keyword.name)) }
                apply(keyword, of: node, to: instance, into: &issues, limit: limit)
                if named { schemaPath.removeLast() }
                if issues.count >= limit || abort != nil { return }
            }
        }
    }

    /// Evaluates a subschema one step down: into a member or element when `path` is given, and
    /// under `schemaStep` in the schema path (an index of `allOf`, a property name).
    @inline(never)
    mutating func descend(
        _ node: Int, _ instance: JSONValue, path: PathComponent? = nil, schemaStep: PathComponent? = nil,
        into issues: inout [Issue], limit: Int
    ) {
        if case .reject = program.nodes[node].body {
            // jsonschema's `descend` yields the false schema's error before it adds this step to
            // either path, so `{"properties": {"a": false}}` fails at "$", not "$.a". Mirrored:
            // `best_match` ranks by that path, and Hypha reports what it picks.
            issues.append(falseSchemaFailure(instance))
            return
        }
        if let schemaStep { schemaPath.append(schemaStep) }
        let savedReferences = referencesWithoutDescent
        if let path {
            instancePath.append(path)
            referencesWithoutDescent = 0
        }
        evaluate(node, instance, into: &issues, limit: limit)
        if path != nil {
            instancePath.removeLast()
            referencesWithoutDescent = savedReferences
        }
        if schemaStep != nil { schemaPath.removeLast() }
    }

    /// Follows a resolved `$ref`, refusing to expand more than `referenceExpansionDepthMax`
    /// references in a row without stepping into the instance.
    @inline(never)
    mutating func follow(_ target: Int, _ instance: JSONValue, into issues: inout [Issue], limit: Int) {
        referencesWithoutDescent += 1
        defer { referencesWithoutDescent -= 1 }
        guard referencesWithoutDescent <= JSONSchema.referenceExpansionDepthMax else {
            abort = referenceDepthFailure()
            return
        }
        evaluate(target, instance, into: &issues, limit: limit)
    }

    // The failures below are built out of line, keeping them off the frames of the recursion.

    @inline(never)
    private func falseSchemaFailure(_ instance: JSONValue) -> Issue {
        issue(nil, matchesType: false) { "False schema does not allow \(pythonRepr(instance))" }
    }

    /// Python would fail with a `RecursionError`; spore fails the instance instead.
    @inline(never)
    private func depthFailure() -> Issue {
        issue(nil, matchesType: false) { "Schema evaluation nested deeper than \(JSONSchema.evaluationDepthMax) levels" }
    }

    @inline(never)
    private func referenceDepthFailure() -> Issue {
        issue("$ref", matchesType: false) {
            "$ref expansion deeper than \(JSONSchema.referenceExpansionDepthMax) without descending into the instance"
        }
    }

    /// An issue at the current instance and schema paths.
    func issue(_ keyword: String?, matchesType: Bool, _ render: @escaping () -> String) -> Issue {
        Issue(keyword: keyword, instancePath: instancePath, schemaPath: schemaPath, matchesType: matchesType, render: render)
    }

    /// An issue raised by `keyword` of `node` against `instance`.
    func issue(_ keyword: String, _ node: SchemaNode, _ instance: JSONValue, _ render: @escaping () -> String) -> Issue {
        let matches = node.declaredTypes?.contains { JSONSemantics.isType(instance, $0) } ?? false
        return issue(keyword, matchesType: matches, render)
    }
}
