import SporeJSON

/// A JSON Schema (draft 7 or 2020-12), checked and compiled once, then used to validate many
/// instances.
///
/// Spore needs this for artifact collections: a collection's `config.collection_schema` is
/// checked when the collection is created and every child manifest is validated against it at
/// commit. Hypha does both with Python's `jsonschema` package (`Draft7Validator.check_schema` at
/// create, `jsonschema.validate` at commit) and reports `ValidationError: <message>`; this type
/// reproduces jsonschema 4.x's decisions and its message wording, including which error
/// `jsonschema.validate` picks (`best_match`) when there are several.
///
/// One deliberate difference: Python's `jsonschema.validate` does not assert `format` (it is an
/// annotation unless a `FormatChecker` is passed). Spore asserts the common formats by default,
/// because a collection that declares `"format": "date-time"` expects dates; pass
/// `checkingFormats: false` for Python's behaviour.
public struct JSONSchema: Sendable {
    /// The most `$ref`s expanded in a row without stepping into a member or element of the
    /// instance. A schema such as `{"$ref": "#"}` refers to itself without consuming anything
    /// and would otherwise recurse forever (Python hits its recursion limit); a recursive tree
    /// schema consumes one level of the instance per expansion and is not limited by this.
    public static let referenceExpansionDepthMax = 32

    /// The most object schemas nested in one evaluation: bounds the stack a hostile pairing of
    /// a deep instance and a recursive schema can use.
    public static let evaluationDepthMax = 256

    /// The most failures `validate` returns (and `firstFailure` chooses among); evaluation
    /// stops there, so a huge invalid manifest costs no more than this many messages.
    public static let failureCountMax = 100

    /// The deepest nesting of arrays and objects a schema document may have. Collection schemas
    /// are a few levels deep; the bound keeps every walk over the schema (meta-schema check,
    /// compilation, printing it in a message) shallow.
    public static let schemaNestingDepthMax = 64

    /// The draft the schema's `$schema` selects (2020-12 when absent or unknown).
    public let draft: JSONSchemaDraft
    /// Whether `format` is asserted (see the type's documentation).
    public let checkingFormats: Bool
    private let program: SchemaProgram

    /// Checks `schema` and compiles it.
    ///
    /// The check refuses what jsonschema's `check_schema` refuses, with its message: keywords of
    /// the wrong type (`"type": 5`, `"required": "x"`), negative lengths, regexes that do not
    /// compile. Every schema is checked against draft 7's meta-schema (Hypha's create-time
    /// check); a 2020-12 schema is also checked against 2020-12's (the check `jsonschema.validate`
    /// makes at commit, which would otherwise fail every commit). Compilation then refuses a
    /// `$ref` that does not resolve, which Python only discovers while validating.
    public init(_ schema: JSONValue, checkingFormats: Bool = true) throws(JSONSchemaError) {
        if let location = Self.locationDeeperThanLimit(in: schema) {
            throw JSONSchemaError(message: "Schema nesting is deeper than \(Self.schemaNestingDepthMax) levels", schemaPath: location)
        }
        let draft = JSONSchemaDraft.of(schema)
        if let error = MetaSchemas.check(schema, against: MetaSchemas.draft7) { throw error }
        if draft == .draft2020_12, let error = MetaSchemas.check(schema, against: MetaSchemas.draft2020) { throw error }
        self.program = try SchemaCompiler.compile(schema, draft: draft)
        self.draft = draft
        self.checkingFormats = checkingFormats
    }

    /// Every failure of `instance`, in the order jsonschema's `iter_errors` yields them (keywords
    /// in schema order, depth first), at most `failureCountMax`; empty when the instance is valid.
    public func validate(_ instance: JSONValue) -> [JSONSchemaFailure] {
        var evaluator = makeEvaluator()
        return evaluator.issues(of: instance, limit: Self.failureCountMax).map(\.failure)
    }

    /// The failure Hypha reports: `jsonschema.validate` raises `best_match(iter_errors(…))`,
    /// which prefers failures nearest the root, then descends into the branch failures of an
    /// `anyOf`/`oneOf` when one of them is clearly most relevant. Nil when the instance is valid.
    public func firstFailure(_ instance: JSONValue) -> JSONSchemaFailure? {
        var evaluator = makeEvaluator()
        return BestMatch.choose(evaluator.issues(of: instance, limit: Self.failureCountMax))?.failure
    }

    /// Whether `instance` is valid; stops at the first failure and renders no message.
    public func isValid(_ instance: JSONValue) -> Bool {
        var evaluator = makeEvaluator()
        return evaluator.issues(of: instance, limit: 1).isEmpty
    }

    private func makeEvaluator() -> Evaluator {
        Evaluator(program: program, formats: checkingFormats ? .all : .none)
    }

    /// The first location nested deeper than `schemaNestingDepthMax`, found without recursion
    /// (the value may have been built in code, unbounded by the parser's limit).
    static func locationDeeperThanLimit(in schema: JSONValue) -> [String]? {
        var pending: [(value: JSONValue, location: [String])] = [(schema, [])]
        while let (value, location) = pending.popLast() {
            switch value {
            case .array(let items):
                guard location.count < schemaNestingDepthMax else { return location }
                for (index, item) in items.enumerated().reversed() { pending.append((item, location + [String(index)])) }
            case .object(let object):
                guard location.count < schemaNestingDepthMax else { return location }
                for (key, member) in object.pairs.reversed() { pending.append((member, location + [key])) }
            default:
                continue
            }
        }
        return nil
    }
}
