import JSONSchema
import SporeJSON
import Testing

/// One failure as Python jsonschema reports it: `error.message`, `error.json_path` and
/// `error.absolute_schema_path`.
struct Expected: Sendable {
    let message: String
    let jsonPath: String
    let schemaPath: [String]

    init(_ message: String, _ jsonPath: String, _ schemaPath: [String]) {
        self.message = message
        self.jsonPath = jsonPath
        self.schemaPath = schemaPath
    }
}

/// A schema, an instance, and what Python's `iter_errors` and `best_match` say about them.
struct ParityCase: Sendable, CustomTestStringConvertible {
    let name: String
    let schema: String
    let instance: String
    let formats: Bool
    let failures: [Expected]
    let best: Expected?

    init(name: String, schema: String, instance: String, formats: Bool = false, failures: [Expected], best: Expected?) {
        self.name = name
        self.schema = schema
        self.instance = instance
        self.formats = formats
        self.failures = failures
        self.best = best
    }

    var testDescription: String { name }
}

/// A schema and the `SchemaError` Python's `check_schema` raises for it (nil: accepted).
struct SchemaCheckCase: Sendable, CustomTestStringConvertible {
    let name: String
    let schema: String
    let message: String?
    let path: [String]

    var testDescription: String { name }
}

/// Joins the pieces of a long generated literal (kept under the line-length limit).
func joined(_ parts: String...) -> String { parts.joined() }

@Suite("Parity with Python jsonschema")
struct PythonParityTests {
    static let validationCases: [ParityCase] = ParityCase.validationGroups.flatMap { $0 }
    static let checkCases: [SchemaCheckCase] = ParityCase.checkGroups.flatMap { $0 }

    @Test("iter_errors and best_match", arguments: validationCases)
    func failuresMatchPython(_ parity: ParityCase) throws {
        let schema = try JSONSchema(try JSONValue(parsing: parity.schema), checkingFormats: parity.formats)
        let instance = try JSONValue(parsing: parity.instance)
        let failures = schema.validate(instance)
        #expect(failures.map(\.message) == parity.failures.map(\.message))
        #expect(failures.map(\.jsonPath) == parity.failures.map(\.jsonPath))
        #expect(failures.map(\.schemaPath) == parity.failures.map(\.schemaPath))
        let best = schema.firstFailure(instance)
        #expect(best?.message == parity.best?.message)
        #expect(best?.jsonPath == parity.best?.jsonPath)
        #expect(best?.schemaPath == parity.best?.schemaPath)
        #expect(schema.isValid(instance) == parity.failures.isEmpty)
    }

    @Test("check_schema", arguments: checkCases)
    func schemaCheckMatchesPython(_ check: SchemaCheckCase) throws {
        let value = try JSONValue(parsing: check.schema)
        do {
            _ = try JSONSchema(value)
            #expect(check.message == nil, "accepted a schema Python refuses")
        } catch {
            #expect(error.message == check.message)
            #expect(error.schemaPath == check.path)
        }
    }
}
