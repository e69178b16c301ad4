import SporeJSON

/// The keyword arguments of an artifact function, read with the types and errors the Python
/// function's parameters give (a missing optional argument is absent or JSON null).
public struct ArtifactArguments: Sendable {
    public let values: JSONObject

    public init(_ values: JSONObject) { self.values = values }

    /// The value, nil when absent or null.
    public subscript(name: String) -> JSONValue? {
        guard let value = values[name], !value.isNull else { return nil }
        return value
    }

    func string(_ name: String) throws -> String? {
        guard let value = self[name] else { return nil }
        guard let text = value.stringValue else { throw ArtifactError(.typeError, "\(name) must be a string") }
        return text
    }

    func requiredString(_ name: String) throws -> String {
        guard let text = try string(name) else { throw ArtifactError(.typeError, "missing required argument: '\(name)'") }
        return text
    }

    /// Python truthiness, with `"true"`/`"false"` strings (query forms) read as booleans.
    func flag(_ name: String, default fallback: Bool = false) -> Bool {
        switch self[name] {
        case nil: return fallback
        case .bool(let value)?: return value
        case .string(let text)?:
            switch text.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no", "": return false
            default: return true
            }
        case .int(let number)?: return number != 0
        case .double(let number)?: return number != 0
        case .array(let items)?: return !items.isEmpty
        case .object(let object)?: return !object.isEmpty
        case .null?: return false
        }
    }

    func int(_ name: String, default fallback: Int) throws -> Int {
        guard let value = self[name] else { return fallback }
        if let number = value.intValue { return Int(number) }
        if let text = value.stringValue, let number = Int(text) { return number }
        throw ArtifactError(.typeError, "\(name) must be an integer")
    }

    func double(_ name: String, default fallback: Double) throws -> Double {
        guard let value = self[name] else { return fallback }
        if let number = value.doubleValue { return number }
        if let text = value.stringValue, let number = Double(text) { return number }
        throw ArtifactError(.typeError, "\(name) must be a number")
    }

    func object(_ name: String) throws -> JSONObject? {
        guard let value = self[name] else { return nil }
        guard let object = value.objectValue else { throw ArtifactError(.typeError, "\(name) must be a dict") }
        return object
    }

    /// A path, or a list of paths (batch forms of put_file/get_file).
    func paths(_ name: String) throws -> (paths: [String], isList: Bool) {
        switch self[name] {
        case .string(let path)?: return ([path], false)
        case .array(let items)?:
            let paths = items.compactMap(\.stringValue)
            guard paths.count == items.count else { throw ArtifactError(.typeError, "\(name) must be a string or a list of strings") }
            return (paths, true)
        default: throw ArtifactError(.typeError, "\(name) must be a string or a list of strings")
        }
    }
}
