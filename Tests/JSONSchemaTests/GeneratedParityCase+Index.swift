// Generated with the case files beside it; lists them so the tests need no editing when cases move between files.

extension ParityCase {
    static let validationGroups: [[ParityCase]] = [values1, values2, objects, arrays, combinators, references, formats1, formats2, unevaluated]
    static let checkGroups: [[SchemaCheckCase]] = [checks]
}
