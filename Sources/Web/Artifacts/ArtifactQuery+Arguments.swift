import SporeJSON

/// The `stage` argument as `search` holds it while reading filters: Python's None, or a value with its truth and
/// whether it equals `True` (the `version` filter asserts on both).
struct StageArgument {
    var isNone: Bool
    var isTruthy: Bool
    var equalsTrue: Bool

    static let none = StageArgument(isNone: true, isTruthy: false, equalsTrue: false)
    static let `false` = StageArgument(isNone: false, isTruthy: false, equalsTrue: false)
    static let `true` = StageArgument(isNone: false, isTruthy: true, equalsTrue: true)

    var selection: ArtifactQuery.Stage { isNone ? .all : (isTruthy ? .staged : .committed) }
}

extension ArtifactQuery {
    /// `keywords`: a list of strings, or one comma-separated string (the HTTP routes split it; spore splits it for the
    /// service call too, where Hypha would iterate the string's characters). A falsy value is no keywords.
    static func parseKeywords(_ value: JSONValue?) throws(ArtifactQueryError) -> [String] {
        guard let value, PythonText.isTruthy(value) else { return [] }
        switch value {
        case .string(let text): return text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        case .array(let items):
            var keywords: [String] = []
            for item in items {
                guard case .string(let keyword) = item else {
                    throw ArtifactQueryError(.attributeError, "'\(PythonText.typeName(item))' object has no attribute 'replace'")
                }
                keywords.append(keyword)
            }
            return keywords
        case .object(let object): return object.keys
        default: throw ArtifactQueryError(.typeError, "'\(PythonText.typeName(value))' object is not iterable")
        }
    }

    /// `filters`: an object; the HTTP routes pass it as JSON text. A falsy value is no filters.
    static func parseFilters(_ value: JSONValue?, source: Source) throws(ArtifactQueryError) -> JSONObject? {
        guard let value, PythonText.isTruthy(value) else { return nil }
        switch value {
        case .object(let object): return object
        case .string(let text) where source == .httpQuery:
            let parsed: JSONValue
            do {
                parsed = try JSONValue(parsing: text)
            } catch {
                throw ArtifactQueryError(.jsonDecodeError, error.description)
            }
            return try parseFilters(parsed, source: .serviceCall)
        default: throw ArtifactQueryError(.attributeError, "'\(PythonText.typeName(value))' object has no attribute 'items'")
        }
    }

    /// `stage`. The service call takes true/false/"all" and, as Python does, reads null as "all" and other values by
    /// truth, except the strings "true"/"false", read as the booleans they spell. The HTTP routes map "true", "false"
    /// and "all" and read anything else as false.
    static func parseStage(_ value: JSONValue?, source: Source) -> StageArgument {
        switch (source, value) {
        case (_, nil), (.httpQuery, .null?): return .false
        case (_, .bool(let flag)?): return flag ? .true : .false
        case (_, .string("all")?), (.serviceCall, .null?): return .none
        case (.httpQuery, .string("true")?): return .true
        case (.httpQuery, _): return .false
        case (.serviceCall, .string(let text)?):
            switch text.lowercased() {
            case "false", "": return .false
            default: return StageArgument(isNone: false, isTruthy: true, equalsTrue: false)
            }
        case (.serviceCall, let value?):
            return StageArgument(isNone: false, isTruthy: PythonText.isTruthy(value), equalsTrue: value.doubleValue == 1)
        }
    }

    /// `order_by`: `field`, `field<` (ascending) or `field>` (descending); empty means `id`. A `manifest.`/`config.`
    /// key is checked as Hypha checks it; any other unknown field sorts by id (so `-download_count` sorts by id).
    static func parseOrder(_ value: JSONValue?) throws(ArtifactQueryError) -> Order {
        guard let value, PythonText.isTruthy(value) else { return Order(field: .id, ascending: true) }
        guard case .string(let text) = value else {
            if value.arrayValue != nil || value.objectValue != nil {
                throw ArtifactQueryError(.attributeError, "'\(PythonText.typeName(value))' object has no attribute 'startswith'")
            }
            throw ArtifactQueryError(.typeError, "argument of type '\(PythonText.typeName(value))' is not iterable")
        }
        let name: Substring
        let ascending: Bool
        if let marker = text.firstIndex(of: "<") {
            (name, ascending) = (text[..<marker], true)
        } else if let marker = text.firstIndex(of: ">") {
            (name, ascending) = (text[..<marker], false)
        } else {
            (name, ascending) = (text[...], true)
        }
        for prefix in ["manifest.", "config."] where name.hasPrefix(prefix) {
            let key = String(name.dropFirst(prefix.count))
            let allowed = key.unicodeScalars.allSatisfy { scalar in
                ("0"..."9").contains(scalar) || ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar)
                    || scalar == "_" || scalar == "." || scalar == "-"
            }
            guard !key.isEmpty, allowed else {
                throw ArtifactQueryError(
                    .valueError,
                    "Invalid order_by field '\(name)': the JSON key may only contain letters, digits, '_', '.', and '-'."
                )
            }
            _ = try SQLiteJSONPath(key: key)  // a key malformed at its first step fails the statement
            return Order(field: prefix == "manifest." ? .manifest(key) : .config(key), ascending: ascending)
        }
        let fields: [Substring: OrderField] = [
            "id": .id, "view_count": .viewCount, "download_count": .downloadCount, "last_modified": .lastModified,
            "created_at": .createdAt,
        ]
        return Order(field: fields[name] ?? .id, ascending: ascending)
    }

    /// `offset`/`limit`: an integer, or its decimal text (query strings); missing or null is the default.
    static func parseInteger(_ value: JSONValue?, name: String, default defaultValue: Int) throws(ArtifactQueryError) -> Int {
        switch value {
        case nil, .null?: return defaultValue
        case .int(let number)?:
            if let result = Int(exactly: number) { return result }
        case .double(let number)?:
            if let integral = JSONValue.double(number).intValue, let result = Int(exactly: integral) { return result }
        case .string(let text)?:
            if let result = Int(text.trimmingSpaces()) { return result }
        default: break
        }
        throw ArtifactQueryError(.typeError, "\(name) must be an integer, got \(value.map(PythonText.repr) ?? "None")")
    }

    /// `pagination`: a boolean, or its spelling as FastAPI reads query strings (true/false, 1/0, yes/no, on/off).
    /// Other strings are true for the service call (Python's truth) and refused over HTTP (FastAPI's 422).
    static func parseFlag(_ value: JSONValue?, name: String, source: Source) throws(ArtifactQueryError) -> Bool {
        guard let value else { return false }
        guard case .string(let text) = value else { return PythonText.isTruthy(value) }
        switch text.lowercased() {
        case "true", "1", "yes", "on", "t", "y": return true
        case "false", "0", "no", "off", "f", "n", "": return false
        default:
            if source == .serviceCall { return true }
            throw ArtifactQueryError(.valueError, "\(name) must be a boolean, got '\(text)'")
        }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
