import JSONSchema
import SporeJSON
import Testing

/// The public API as spore's collection code uses it.
@Suite("JSONSchema")
struct JSONSchemaTests {
    /// The collection schema from Hypha's artifact-manager documentation.
    static let hyphaCollectionSchema = ##"""
        {"type": "object",
         "properties": {"name": {"type": "string"}, "description": {"type": "string"},
                        "record_type": {"type": "string", "enum": ["dataset", "model", "application"]}},
         "required": ["name", "description", "record_type"]}
        """##

    private func schema(_ text: String, checkingFormats: Bool = true) throws -> JSONSchema {
        try JSONSchema(try JSONValue(parsing: text), checkingFormats: checkingFormats)
    }

    @Test func hyphaDocumentationExample() throws {
        let collection = try schema(Self.hyphaCollectionSchema)
        #expect(collection.draft == .draft2020_12)
        let valid: JSONValue = ["name": "Cells", "description": "Microscopy images", "record_type": "dataset"]
        #expect(collection.validate(valid).isEmpty)
        #expect(collection.firstFailure(valid) == nil)
        #expect(collection.isValid(valid))

        let missing: JSONValue = ["name": "Cells", "description": "Microscopy images"]
        #expect(collection.firstFailure(missing)?.message == "'record_type' is a required property")
        #expect(collection.firstFailure(missing)?.jsonPath == "$")

        let wrongKind: JSONValue = ["name": "Cells", "description": "Microscopy images", "record_type": "notebook"]
        let failure = try #require(collection.firstFailure(wrongKind))
        #expect(failure.message == "'notebook' is not one of ['dataset', 'model', 'application']")
        #expect(failure.instancePath == ["record_type"])
        #expect(failure.schemaPath == ["properties", "record_type", "enum"])
        #expect(failure.jsonPath == "$.record_type")
        #expect(failure.description == "$.record_type: 'notebook' is not one of ['dataset', 'model', 'application']")

        let wrongTypes: JSONValue = ["name": 1, "description": ["x"], "record_type": "model"]
        #expect(collection.validate(wrongTypes).map(\.message) == ["1 is not of type 'string'", "['x'] is not of type 'string'"])
        // Between siblings at the same depth best_match takes the greatest path ('name' > 'description').
        #expect(collection.firstFailure(wrongTypes)?.jsonPath == "$.name")
    }

    @Test func draftFollowsDollarSchema() throws {
        let uris = [
            "http://json-schema.org/draft-07/schema#": JSONSchemaDraft.draft7,
            "http://json-schema.org/draft-07/schema": .draft7,
            "http://json-schema.org/draft-06/schema#": .draft7,
            "http://json-schema.org/draft-04/schema#": .draft7,
            "https://json-schema.org/draft/2020-12/schema": .draft2020_12,
            "https://example.com/my-meta-schema": .draft2020_12,
        ]
        for (uri, draft) in uris {
            #expect(try JSONSchema(["$schema": .string(uri)]).draft == draft, "\(uri)")
        }
        #expect(try JSONSchema([:]).draft == .draft2020_12)
        #expect(try JSONSchema(true).draft == .draft2020_12)
    }

    @Test func formatCheckingIsOnByDefaultAndCanBeTurnedOff() throws {
        let text = ##"{"properties": {"email": {"format": "email"}, "when": {"format": "date-time"}}}"##
        let instance: JSONValue = ["email": "nobody", "when": "yesterday"]
        #expect(try schema(text).validate(instance).map(\.message) == ["'nobody' is not a 'email'", "'yesterday' is not a 'date-time'"])
        // Python's jsonschema.validate does not assert formats; this is that behaviour.
        #expect(try schema(text, checkingFormats: false).validate(instance).isEmpty)
        #expect(try schema(text, checkingFormats: false).checkingFormats == false)
    }

    @Test func jsonPathQuotesNamesThatAreNotIdentifiers() throws {
        let text = ##"{"additionalProperties": {"type": "string"}}"##
        let instance: JSONValue = ["plain_1": 1, "with space": 2, "it's": 3, "back\\slash": 4, "0": 5, "_x": 6, "é": 7, "line\n": 8]
        let paths = try schema(text).validate(instance).map(\.jsonPath)
        #expect(paths == ["$.plain_1", "$['with space']", "$['it\\'s']", "$['back\\\\slash']", "$['0']", "$['_x']", "$['é']", "$.line\n"])
    }

    @Test func instancePathKeepsIndicesApartFromNames() throws {
        let text = ##"{"properties": {"0": {"items": {"type": "string"}}}}"##
        let failure = try #require(try schema(text).firstFailure(["0": [1]]))
        #expect(failure.instancePath == ["0", "0"])
        #expect(failure.jsonPath == "$['0'][0]")
    }

    @Test func refSchemaPathsFollowTheEvaluationLikePython() throws {
        let text = ##"{"$defs": {"name": {"type": "string"}}, "properties": {"n": {"$ref": "#/$defs/name"}}}"##
        let failure = try #require(try schema(text).firstFailure(["n": 5]))
        // jsonschema leaves `$ref` out of the schema path and continues inside the target.
        #expect(failure.schemaPath == ["properties", "n", "type"])
    }

    @Test func oneCompiledSchemaValidatesConcurrently() async throws {
        let collection = try schema(Self.hyphaCollectionSchema)
        let counts = await withTaskGroup(of: Int.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let manifest: JSONValue = ["name": .int(index), "description": "d", "record_type": "model"]
                    return collection.validate(manifest).count
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 1, count: 16))
    }

    @Test func validatesManyManifestsWithOneSchema() throws {
        let collection = try schema(Self.hyphaCollectionSchema)
        for index in 0..<500 {
            let kind = ["dataset", "model", "application", "other"][index % 4]
            let manifest: JSONValue = ["name": .string("item \(index)"), "description": "d", "record_type": .string(kind)]
            #expect(collection.isValid(manifest) == (kind != "other"))
        }
    }

    @Test func schemaErrorDescribesTheLocation() throws {
        let error = try #require(throws: JSONSchemaError.self) { try schema(##"{"properties": {"a": {"type": 5}}}"##) }
        #expect(error.message == "5 is not valid under any of the given schemas")
        #expect(error.schemaPath == ["properties", "a", "type"])
        #expect(error.description == "5 is not valid under any of the given schemas (at schema['properties']['a']['type'])")
    }

    @Test func draft7CheckAppliesToEverySchemaAsHyphaChecksAtCreate() throws {
        // `additionalItems` means nothing in 2020-12, but Hypha's create-time Draft7 check refuses it.
        let error = try #require(throws: JSONSchemaError.self) { try schema(##"{"additionalItems": 5}"##) }
        #expect(error.message == "5 is not of type 'object', 'boolean'")
        #expect(error.schemaPath == ["additionalItems"])
    }
}
