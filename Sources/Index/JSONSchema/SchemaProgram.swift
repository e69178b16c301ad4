import SporeJSON

/// The dialect a schema is read in, chosen by its `$schema` as jsonschema's `validator_for`
/// chooses a validator class.
public enum JSONSchemaDraft: Sendable, Equatable {
    /// Draft 7, also used for the draft-04 and draft-06 URIs (spore applies draft-07 semantics
    /// to them; they differ only in corners collection schemas do not use).
    case draft7
    /// Draft 2020-12: jsonschema's default for a schema without (or with an unknown) `$schema`.
    case draft2020_12

    /// The draft named by a schema's `$schema`. An empty `#` fragment is ignored, as jsonschema's
    /// URI normalisation ignores it.
    static func of(_ schema: JSONValue) -> JSONSchemaDraft {
        guard var uri = schema["$schema"]?.stringValue else { return .draft2020_12 }
        if uri.hasSuffix("#") { uri.removeLast() }
        switch uri {
        case "http://json-schema.org/draft-07/schema", "http://json-schema.org/draft-06/schema",
            "http://json-schema.org/draft-04/schema", "http://json-schema.org/draft-03/schema":
            return .draft7
        default:
            return .draft2020_12
        }
    }
}

/// A schema compiled for validation: every subschema becomes a node, `$ref` becomes a node index,
/// regexes are compiled once. Nodes live in one array so recursive schemas (a `$ref` back to an
/// ancestor) need no reference cycles.
struct SchemaProgram: Sendable {
    var nodes: [SchemaNode]
    var root: Int
    let draft: JSONSchemaDraft
}

/// One subschema.
struct SchemaNode: Sendable {
    enum Body: Sendable {
        /// The `true` schema.
        case accept
        /// The `false` schema: "False schema does not allow …".
        case reject
        /// An object schema: its keywords in document order, the order jsonschema applies them.
        case keywords([SchemaKeyword])
    }

    var body: Body
    /// The node's own position in `SchemaProgram.nodes` (`unevaluated*` re-examine their schema).
    let index: Int
    /// The schema as written, for messages that print it (`not`, `oneOf`).
    let raw: JSONValue
    /// The types `type` names, for `best_match`'s preference for errors whose schema at least
    /// matches the instance's type; nil without `type`.
    let declaredTypes: [String]?

    var isFalseSchema: Bool { if case .bool(false) = raw { return true } else { return false } }
}

/// A keyword as applied: its name (the schema-path component and the name `best_match` weighs)
/// and what it checks.
struct SchemaKeyword: Sendable {
    let name: String
    var rule: KeywordRule
}

/// A subschema under a member name: `properties`, `dependentSchemas`.
struct NamedNode: Sendable {
    let name: String
    let node: Int
}

/// A `patternProperties` member.
struct PatternNode: Sendable {
    let regex: SchemaRegex
    let node: Int
}

/// A `dependencies` / `dependentRequired` / `dependentSchemas` member: required names or a schema.
struct Dependency: Sendable {
    let name: String
    let requiredNames: [String]?
    let node: Int?
}

/// `additionalProperties` with what its siblings already cover.
struct AdditionalProperties: Sendable {
    let node: Int
    /// Written as `false`, which jsonschema reports with its own message.
    let isFalse: Bool
    let declared: Set<String>
    let patterns: [SchemaRegex]
    /// Whether the schema has `patternProperties` (it changes the message, even when empty).
    let hasPatternProperties: Bool
}

enum NumericBound: Sendable {
    case minimum, maximum, exclusiveMinimum, exclusiveMaximum
}

/// What a keyword checks, with everything it needs precomputed.
enum KeywordRule: Sendable {
    case reference(Int)
    case types([String])
    case enumeration([JSONValue])
    case constant(JSONValue)
    case required([String])
    case properties([NamedNode])
    case patternProperties([PatternNode])
    case additionalProperties(AdditionalProperties)
    case propertyNames(Int)
    case minProperties(Double)
    case maxProperties(Double)
    case dependencies([Dependency])
    case bound(NumericBound, JSONValue)
    case multipleOf(JSONValue)
    case minLength(Double)
    case maxLength(Double)
    case pattern(SchemaRegex)
    case format(String)
    /// Draft 7 `items` as one schema for every element.
    case itemsEach(Int)
    /// Draft 7 `items` as an array: one schema per position.
    case itemsTuple([Int])
    /// Draft 7 `additionalItems` next to an array-form `items` covering `after` positions.
    case additionalItems(node: Int, after: Int)
    case prefixItems([Int])
    /// 2020-12 `items`: the elements after `prefixItems`.
    case itemsAfterPrefix(node: Int, prefix: Int)
    /// Draft 7 `contains`: at least one element.
    case containsAny(Int)
    /// 2020-12 `contains` with its `minContains` / `maxContains` siblings.
    case contains(node: Int, minimum: JSONValue?, maximum: JSONValue?)
    case minItems(Double)
    case maxItems(Double)
    case uniqueItems
    case allOf([Int])
    case anyOf([Int])
    case oneOf([Int])
    case not(Int)
    case conditional(condition: Int, then: Int?, otherwise: Int?)
    case unevaluatedProperties(Int)
    case unevaluatedItems(Int)
}
