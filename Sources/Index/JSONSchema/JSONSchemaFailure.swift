/// One way an instance fails its schema: what Python jsonschema's `ValidationError` carries and
/// Hypha reports (`ValueError("ValidationError: <message>")`).
public struct JSONSchemaFailure: Sendable, Equatable, CustomStringConvertible {
    /// jsonschema's `error.message`, word for word: `'name' is a required property`.
    public let message: String
    /// Where in the instance the failure is (`error.path`): member names, and array indices in
    /// decimal. Use `jsonPath` to tell an index from a member named "0".
    public let instancePath: [String]
    /// The keywords and member names leading to the failing keyword (`error.schema_path`); like
    /// Python's, it follows `$ref` without naming it, so it is a path through the evaluation,
    /// not necessarily a location in the schema document.
    public let schemaPath: [String]
    /// Which instance-path components are array indices, so `jsonPath` brackets them.
    private let indexComponents: [Bool]

    init(message: String, instancePath: [PathComponent], schemaPath: [PathComponent]) {
        self.message = message
        self.instancePath = instancePath.map(\.text)
        self.schemaPath = schemaPath.map(\.text)
        self.indexComponents = instancePath.map(\.isIndex)
    }

    /// The instance path as jsonschema's `error.json_path` writes it: `$.authors[0].name`, with
    /// names that are not identifiers quoted (`$['first name']`).
    public var jsonPath: String {
        var path = "$"
        for (component, isIndex) in zip(instancePath, indexComponents) {
            if isIndex {
                path += "[" + component + "]"
            } else if Self.isIdentifier(component) {
                path += "." + component
            } else {
                path += "['" + component.replacingBackslashesAndQuotes() + "']"
            }
        }
        return path
    }

    public var description: String { "\(jsonPath): \(message)" }

    /// jsonschema's `^[a-zA-Z][a-zA-Z0-9_]*$`, including the quirk that Python's `$` also
    /// matches before a final newline.
    private static func isIdentifier(_ name: String) -> Bool {
        var scalars = Array(name.unicodeScalars)
        if scalars.last == "\n" { scalars.removeLast() }
        guard let first = scalars.first, first.isASCII, first.properties.isAlphabetic else { return false }
        return scalars.dropFirst().allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }
}

/// Why a schema was refused when it was compiled: the analogue of jsonschema's `SchemaError`
/// from `check_schema`, or a reference that does not resolve.
public struct JSONSchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// jsonschema's wording where it has one (`5 is not valid under any of the given schemas`).
    public let message: String
    /// Where in the schema document the problem is (member names, array indices in decimal):
    /// `["properties", "name", "type"]`.
    public let schemaPath: [String]

    public init(message: String, schemaPath: [String]) {
        self.message = message
        self.schemaPath = schemaPath
    }

    public var description: String {
        schemaPath.isEmpty ? message : "\(message) (at schema['\(schemaPath.joined(separator: "']['"))'])"
    }
}

/// A step into an object member or an array element.
enum PathComponent: Sendable, Hashable {
    case key(String)
    case index(Int)

    var text: String {
        switch self {
        case .key(let name): return name
        case .index(let position): return String(position)
        }
    }

    var isIndex: Bool { if case .index = self { return true } else { return false } }
}

extension String {
    /// jsonschema's escaping inside `['…']` in a JSON path.
    fileprivate func replacingBackslashesAndQuotes() -> String {
        var output = ""
        // By code point: a backslash followed by a combining mark is one Character but still a backslash to Python.
        for scalar in unicodeScalars {
            switch scalar {
            case "\\": output += "\\\\"
            case "'": output += "\\'"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
