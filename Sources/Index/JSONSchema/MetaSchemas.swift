import SporeJSON

/// The meta-schemas a schema is checked against before it is compiled: jsonschema's
/// `check_schema`, run by spore's own validator over the published meta-schemas so the refusals
/// (and their wording) are the ones Python gives.
enum MetaSchemas {
    /// Compiled once per process; every collection schema is checked against them.
    static let draft7 = compileEmbedded(draft7Text, draft: .draft7)
    static let draft2020 = compileEmbedded(draft2020Text, draft: .draft2020_12)

    private static func compileEmbedded(_ text: String, draft: JSONSchemaDraft) -> SchemaProgram {
        do {
            return try SchemaCompiler.compile(try JSONValue(parsing: text), draft: draft)
        } catch {
            // The texts are constants of this module and a test compiles them; failing here is a build defect.
            preconditionFailure("embedded meta-schema does not compile: \(error)")
        }
    }

    /// jsonschema's `check_schema`: the first meta-schema error in evaluation order (not the
    /// `best_match`), naming where in the schema it is. Only the `regex` format is asserted,
    /// as Python asserts only the formats whose optional packages are installed and `regex`
    /// needs none.
    static func check(_ schema: JSONValue, against metaSchema: SchemaProgram) -> JSONSchemaError? {
        var evaluator = Evaluator(program: metaSchema, formats: .regexOnly)
        guard let first = evaluator.issues(of: schema, limit: 1).first else { return nil }
        return JSONSchemaError(message: first.render(), schemaPath: first.instancePath.map(\.text))
    }
}
