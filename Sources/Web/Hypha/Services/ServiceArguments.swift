import Objects
import SporeJSON

/// The keyword arguments of a service call, read with the types and errors a Python function's
/// parameters would give.
struct ServiceArguments: Sendable {
    /// Keywords Hypha's HTTP proxy removes from calls (so `create(workspace=…)` cannot be used).
    static let reservedNames: Set<String> = ["workspace", "service_id", "function_key", "_mode"]

    private(set) var values: JSONObject

    init(_ values: JSONObject) { self.values = values }

    /// Arguments as Hypha's HTTP proxy builds them: a JSON object of keywords, or a list (or a
    /// single value) of positional ones, named after the function's parameters in order; missing
    /// optional parameters take their defaults, and unknown keywords are refused when asked.
    init(call body: JSONValue?, function: ServiceFunction, rejectingUnknown: Bool) throws {
        var given = JSONObject()
        switch body {
        case nil: break
        case .object(let object)?: given = object
        case .array(let items)?: for (index, item) in items.enumerated() { given[String(index)] = item }
        case let value?: given["0"] = value
        }
        for (index, parameter) in function.parameters.enumerated() {
            if let value = given[String(index)] {
                given[String(index)] = nil
                given[parameter.name] = value
            }
        }
        if rejectingUnknown, !function.acceptsAnyArguments {
            // Hypha's HTTP proxy drops these keywords from every call before the function sees them.
            for name in Self.reservedNames { given[name] = nil }
            let known = Set(function.parameters.map(\.name))
            if let unknown = given.keys.first(where: { !known.contains($0) }) {
                throw PythonException.type("\(function.name)() got an unexpected keyword argument '\(unknown)'")
            }
        }
        for parameter in function.parameters where given[parameter.name] == nil {
            guard let fallback = parameter.defaultValue else {
                throw PythonException.type("\(function.name)() missing 1 required positional argument: '\(parameter.name)'")
            }
            given[parameter.name] = fallback
        }
        values = given
    }

    /// Query parameters as keyword arguments: numbers become numbers and `{…}` becomes JSON, as
    /// Hypha's `normalize` does; everything else stays a string.
    static func fromQuery(_ query: HyphaQuery) -> JSONValue {
        var object = JSONObject()
        for (name, value) in query.pairs where name != "token" && !reservedNames.contains(name) { object[name] = normalize(value) }
        return .object(object)
    }

    static func normalize(_ value: String) -> JSONValue {
        if let integer = Int64(value) { return .int(integer) }
        if value.contains("."), let number = Double(value) { return .double(number) }
        if value.hasPrefix("{"), let object = try? JSONValue(parsing: value) { return object }
        return .string(value)
    }

    subscript(name: String) -> JSONValue? {
        guard let value = values[name], !value.isNull else { return nil }
        return value
    }

    func raw(_ name: String) -> JSONValue { values[name] ?? .null }

    func string(_ name: String) throws -> String? {
        guard let value = self[name] else { return nil }
        guard let text = value.stringValue else { throw PythonException.value("\(name) must be a string") }
        return text
    }

    func requiredString(_ name: String, message: String? = nil) throws -> String {
        guard let text = try string(name) else { throw PythonException.value(message ?? "\(name) is required") }
        return text
    }

    /// A flag; `"true"`/`"false"` strings (from query strings) count as booleans.
    func bool(_ name: String) -> Bool? {
        switch self[name] {
        case .bool(let flag)?: return flag
        case .string(let text)?: return text.lowercased() == "true" ? true : (text.lowercased() == "false" ? false : nil)
        case .int(let number)?: return number != 0
        default: return nil
        }
    }

    func optionalInt(_ name: String) throws -> Int? {
        switch self[name] {
        case nil: return nil
        case .string(let text)?:
            guard let parsed = Int(text) ?? Double(text).flatMap({ $0.isFinite && abs($0) < 9e18 ? Int($0) : nil }) else {
                throw PythonException.value("\(name) must be a number")
            }
            return parsed
        case let value?:
            guard let number = value.doubleValue, number.isFinite, abs(number) < 9e18 else { throw PythonException.value("\(name) must be a number") }
            return Int(number)
        }
    }

    func int(_ name: String, default fallback: Int, minimum: Int = 1) throws -> Int {
        let parsed = try optionalInt(name) ?? fallback
        guard parsed >= minimum else { throw PythonException.value("\(name) must be at least \(minimum)") }
        return parsed
    }
}
