import JSONSchema
import SporeJSON
import Testing

/// The bounds that keep hostile schemas and instances from looping, exhausting the stack or
/// producing unbounded output.
@Suite("Bounds")
struct SchemaBoundsTests {
    private func schema(_ text: String) throws -> JSONSchema { try JSONSchema(try JSONValue(parsing: text)) }

    private let loopMessage = "$ref expansion deeper than \(JSONSchema.referenceExpansionDepthMax) without descending into the instance"

    @Test(arguments: [
        ##"{"$ref": "#"}"##,
        ##"{"anyOf": [{"$ref": "#"}]}"##,
        ##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"}"##,
        ##"{"$schema": "http://json-schema.org/draft-07/schema#", "definitions": {"a": {"$ref": "#/definitions/a"}}, "$ref": "#/definitions/a"}"##,
        ##"{"not": {"$ref": "#"}}"##,
        ##"{"if": {"$ref": "#"}, "then": true}"##,
    ])
    func selfReferenceWithoutProgressFailsInsteadOfLooping(_ text: String) throws {
        let looping = try schema(text)
        // The bound aborts the whole evaluation: even under `not` or `if` the instance fails.
        #expect(looping.validate(["a": 1]).map(\.message) == [loopMessage])
        #expect(looping.firstFailure(1)?.message == loopMessage)
        #expect(!looping.isValid(1))
    }

    @Test func unevaluatedPropertiesWithSelfReferenceTerminates() throws {
        let looping = try schema(##"{"$ref": "#", "unevaluatedProperties": false}"##)
        #expect(!looping.isValid(["a": 1]))
    }

    @Test func recursiveTreeSchemaFollowsTheInstanceAsDeepAsItGoes() throws {
        let tree = try schema(
            ##"""
            {"$defs": {"node": {"type": "object", "required": ["name"],
              "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
             "$ref": "#/$defs/node"}
            """##)
        var valid: JSONValue = ["name": "leaf"]
        var invalid: JSONValue = ["name": 7]
        for level in 0..<40 {
            valid = ["name": .string("level \(level)"), "children": [valid, ["name": "sibling"]]]
            invalid = ["name": .string("level \(level)"), "children": [["name": "sibling"], invalid]]
        }
        #expect(tree.validate(valid).isEmpty)
        let failure = try #require(tree.firstFailure(invalid))
        #expect(failure.message == "7 is not of type 'string'")
        #expect(failure.instancePath.count == 40 * 2 + 1)
        #expect(failure.jsonPath.hasPrefix("$.children[1].children[1]"))
    }

    @Test func evaluationDepthIsBounded() throws {
        let nested = try schema(##"{"type": "object", "additionalProperties": {"$ref": "#"}}"##)
        var deep: JSONValue = [:]
        for _ in 0..<(JSONSchema.evaluationDepthMax + 10) { deep = ["a": deep] }
        let failures = nested.validate(deep)
        #expect(failures.map(\.message) == ["Schema evaluation nested deeper than \(JSONSchema.evaluationDepthMax) levels"])
        var shallow: JSONValue = [:]
        for _ in 0..<100 { shallow = ["a": shallow] }
        #expect(nested.isValid(shallow))
    }

    @Test func failuresAreCapped() throws {
        let integers = try schema(##"{"items": {"type": "integer"}}"##)
        let instance = JSONValue.array((0..<(JSONSchema.failureCountMax * 3)).map { .string("s\($0)") })
        let failures = integers.validate(instance)
        #expect(failures.count == JSONSchema.failureCountMax)
        #expect(failures.last?.jsonPath == "$[\(JSONSchema.failureCountMax - 1)]")
        // best_match picks the last sibling; with more failures than the cap, the last one kept.
        #expect(integers.firstFailure(instance)?.jsonPath == "$[\(JSONSchema.failureCountMax - 1)]")

        let names = (0..<150).map { "\"k\($0)\"" }.joined(separator: ",")
        let required = try schema(##"{"required": ["## + names + "]}")
        #expect(required.validate([:]).count == JSONSchema.failureCountMax)
    }

    @Test func anyOfContextIsCapped() throws {
        let branches = (0..<5).map { _ in ##"{"items": {"type": "integer"}}"## }.joined(separator: ",")
        let choice = try schema("{\"anyOf\": [\(branches)]}")
        let instance = JSONValue.array((0..<300).map { .string("s\($0)") })
        #expect(choice.validate(instance).count == 1)
        #expect(choice.firstFailure(instance) != nil)
    }

    @Test func schemaNestingIsBounded() throws {
        var deep: JSONValue = ["type": "string"]
        for _ in 0..<JSONSchema.schemaNestingDepthMax { deep = ["not": deep] }
        let error = try #require(throws: JSONSchemaError.self) { try JSONSchema(deep) }
        #expect(error.message == "Schema nesting is deeper than \(JSONSchema.schemaNestingDepthMax) levels")
        #expect(error.schemaPath == Array(repeating: "not", count: JSONSchema.schemaNestingDepthMax))

        var fits: JSONValue = ["type": "string"]
        for _ in 0..<(JSONSchema.schemaNestingDepthMax - 2) { fits = ["not": fits] }
        _ = try JSONSchema(fits)
    }

    @Test func deepSchemaBuiltInCodeIsRefusedBeforeAnyRecursion() throws {
        // Deep enough that a recursive walk of it in a debug build would exhaust the stack.
        var deep: JSONValue = true
        for _ in 0..<2_000 { deep = .array([deep]) }
        #expect(throws: JSONSchemaError.self) { try JSONSchema(["allOf": deep]) }
    }

    @Test func uniqueItemsHandlesLargeArrays() throws {
        let unique = try schema(##"{"uniqueItems": true}"##)
        var items = (0..<20_000).map { JSONValue.int($0) }
        #expect(unique.isValid(.array(items)))
        items.append(.double(19_999))
        #expect(!unique.isValid(.array(items)))
    }

    @Test func largeIntegersCompareExactly() throws {
        let bounded = try schema(##"{"maximum": 9223372036854775807, "minimum": -9223372036854775808, "multipleOf": 1}"##)
        #expect(bounded.isValid(.int(Int64.max)))
        #expect(bounded.isValid(.int(Int64.min)))
        #expect(!bounded.isValid(.double(9.3e18)))
        #expect(!bounded.isValid(.double(-9.3e18)))
        #expect(!bounded.isValid(.double(0.5)))
    }
}
