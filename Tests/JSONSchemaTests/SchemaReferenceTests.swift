import JSONSchema
import SporeJSON
import Testing

/// `$ref` resolution: what resolves, and the refusals (worded as Python's `referencing`
/// package words them when `jsonschema.validate` trips over the reference).
@Suite("References")
struct SchemaReferenceTests {
    private func schema(_ text: String) throws -> JSONSchema { try JSONSchema(try JSONValue(parsing: text)) }

    private func refusal(_ text: String) throws -> JSONSchemaError {
        try #require(throws: JSONSchemaError.self) { try schema(text) }
    }

    @Test func missingPointerIsRefusedAtCompile() throws {
        let error = try refusal(##"{"properties": {"a": {"$ref": "#/definitions/missing"}}}"##)
        #expect(
            error.message == "PointerToNowhere: '/definitions/missing' does not exist within "
                + "{'properties': {'a': {'$ref': '#/definitions/missing'}}}")
        #expect(error.schemaPath == ["properties", "a", "$ref"])
    }

    @Test func missingAnchorIsRefused() throws {
        let error = try refusal(##"{"$ref": "#foo"}"##)
        #expect(error.message == "NoSuchAnchor: 'foo' does not exist within {'$ref': '#foo'}")
        #expect(error.schemaPath == ["$ref"])
    }

    @Test func otherDocumentsAreUnresolvable() throws {
        #expect(try refusal(##"{"$ref": "http://x.com/y#/a"}"##).message == "Unresolvable: http://x.com/y#/a")
        #expect(try refusal(##"{"$ref": "other.json"}"##).message == "Unresolvable: other.json")
        let relative = try refusal(##"{"$id": "https://example.com/dir/root.json", "$ref": "item.json"}"##)
        #expect(relative.message == "Unresolvable: https://example.com/dir/item.json")
    }

    @Test func referenceToANonSchemaValueIsRefused() throws {
        let error = try refusal(##"{"$defs": {"x": {"enum": [1, 2]}}, "$ref": "#/$defs/x/enum/0"}"##)
        #expect(error.message == "1 is not of type 'object', 'boolean'")
        #expect(error.schemaPath == ["$defs", "x", "enum", "0"])
    }

    @Test func referenceTypeIsChecked() throws {
        let error = try refusal(##"{"$ref": 5}"##)
        #expect(error.message == "5 is not of type 'string'")
        #expect(error.schemaPath == ["$ref"])
    }

    @Test func arrayIndicesMustBeCanonical() throws {
        _ = try schema(##"{"allOf": [{"type": "string"}], "properties": {"a": {"$ref": "#/allOf/0"}}}"##)
        #expect(throws: JSONSchemaError.self) { try schema(##"{"allOf": [{"type": "string"}], "properties": {"a": {"$ref": "#/allOf/00"}}}"##) }
    }

    @Test func forwardAndMutualReferencesResolve() throws {
        let pair = try schema(
            ##"""
            {"$defs": {"a": {"type": "object", "properties": {"b": {"$ref": "#/$defs/b"}}},
                       "b": {"type": "object", "properties": {"a": {"$ref": "#/$defs/a"}, "leaf": {"type": "integer"}}}},
             "$ref": "#/$defs/a"}
            """##)
        #expect(pair.isValid(["b": ["a": ["b": ["leaf": 1]]]]))
        #expect(pair.firstFailure(["b": ["a": ["b": ["leaf": "x"]]]])?.jsonPath == "$.b.a.b.leaf")
    }

    @Test func referenceIntoAnUnknownKeywordCompilesTheTarget() throws {
        let custom = try schema(##"{"x-shapes": {"point": {"required": ["x", "y"]}}, "$ref": "#/x-shapes/point"}"##)
        #expect(custom.firstFailure(["x": 1])?.message == "'y' is a required property")
    }

    @Test func dynamicAnchorsResolveStatically() throws {
        let tree = try schema(
            ##"""
            {"$dynamicAnchor": "node", "type": "object",
             "properties": {"children": {"type": "array", "items": {"$dynamicRef": "#node"}}, "id": {"type": "integer"}}}
            """##)
        #expect(tree.isValid(["children": [["id": 1, "children": []]]]))
        #expect(tree.firstFailure(["children": [["id": "x"]]])?.jsonPath == "$.children[0].id")
    }

    @Test func draft7IgnoresSiblingsOfRefButStillFindsDefinitions() throws {
        let aliased = try schema(
            ##"""
            {"$schema": "http://json-schema.org/draft-07/schema#", "$ref": "#/definitions/name",
             "definitions": {"name": {"type": "string", "maxLength": 3}}, "type": "integer"}
            """##)
        #expect(aliased.isValid("abc"))
        #expect(aliased.firstFailure("abcd")?.message == "'abcd' is too long")
    }
}
