import SporeJSON

/// One condition of a query, as the SQL Hypha's `search` builds would test it. `.all([])`/`.any([])` are SQLAlchemy's
/// empty `and_()`/`or_()`: they vanish from the WHERE clause rather than being true or false.
indirect enum QueryCondition: Sendable {
    /// SQL TRUE (a range filter with both ends null).
    case always
    /// Never true (a comparison with NULL).
    case never
    /// `json_extract(manifest, '$') LIKE '%kw%' ESCAPE '\'`.
    case keyword(String)
    /// `json_extract(manifest, path) = value`.
    case manifestEquals(SQLiteJSONPath, SQLValue)
    /// `json_extract(manifest, path) LIKE pattern`.
    case manifestLike(SQLiteJSONPath, String)
    /// `json_extract(config, '$.permissions') ->> key = value`.
    case permissionEquals(SQLiteJSONPath, SQLValue)
    /// `column = value` on a text column; nil value is `column IS NULL`.
    case textEquals(TextColumn, SQLValue?)
    case atLeast(NumberColumn, SQLValue)
    case atMost(NumberColumn, SQLValue)
    /// `parent_id IS NULL` (nil), or the parent's `ws/alias`.
    case parent(String?)
    case all([QueryCondition])
    case any([QueryCondition])

    enum TextColumn: Sendable {
        case type, alias, workspace, createdBy
    }

    enum NumberColumn: Sendable {
        case createdAt, lastModified, downloadCount, viewCount
    }
}

/// Turns `filters` into conditions, as the filter loop of Hypha's `search` and `_process_manifest_filter` /
/// `_build_manifest_condition` (SQLite branch) do, in the filters' order so the first bad key is the one reported.
struct FilterCompiler {
    let contextWorkspace: String?

    private static let textColumns: [String: QueryCondition.TextColumn] = [
        "type": .type, "alias": .alias, "workspace": .workspace, "created_by": .createdBy,
    ]
    private static let numberColumns: [String: QueryCondition.NumberColumn] = [
        "created_at": .createdAt, "last_modified": .lastModified, "download_count": .downloadCount, "view_count": .viewCount,
    ]

    func compile(_ filters: JSONObject, stage: inout StageArgument) throws(ArtifactQueryError) -> [QueryCondition] {
        var conditions: [QueryCondition] = []
        for (key, value) in filters {
            switch (key, value) {
            case ("version", _):
                stage = try Self.applyVersion(value, to: stage)
            case ("manifest", .object(let manifest)):
                if let condition = try manifestFilter(manifest) { conditions.append(condition) }
            case ("config", .object(let config)):
                for (configKey, configValue) in config where configKey == "permissions" {
                    guard case .object(let permissions) = configValue else { continue }
                    for (userKey, code) in permissions {
                        conditions.append(.permissionEquals(try Self.arrowPath(userKey), try SQLValue(binding: code)))
                    }
                }
            case ("parent_id", .null):
                conditions.append(.parent(nil))
            case ("parent_id", _):
                conditions.append(.parent(try ArtifactQuery.artifactReference(value, contextWorkspace: contextWorkspace)))
            default:
                if let column = Self.textColumns[key] {
                    conditions.append(.textEquals(column, value.isNull ? nil : try SQLValue(binding: value).withTextAffinity))
                } else if let column = Self.numberColumns[key] {
                    conditions.append(try Self.range(column, value))
                } else {
                    throw ArtifactQueryError(.valueError, "Invalid filter key: \(key)")
                }
            }
        }
        return conditions
    }

    /// The `version` filter: `stage` (needs a stage argument other than "all") or `latest`/`committed` (refused with
    /// `stage: true`) replace the stage argument.
    private static func applyVersion(_ value: JSONValue, to stage: StageArgument) throws(ArtifactQueryError) -> StageArgument {
        switch value.stringValue {
        case "stage":
            guard !stage.isNone else {
                throw ArtifactQueryError(.assertionError, "Stage parameter cannot be used with version filter.")
            }
            return .true
        case "latest", "committed":
            guard !stage.equalsTrue else {
                throw ArtifactQueryError(.assertionError, "Stage parameter cannot be used with version filter.")
            }
            return .false
        default:
            throw ArtifactQueryError(.assertionError, "Invalid version value, it should be 'stage', 'latest' or 'committed'.")
        }
    }

    /// A range filter: a scalar is `>=`; a list `[min, max]` is both, a null end is no bound (both null: SQL TRUE).
    /// SQLAlchemy refuses `>=`/`<=` against None, True or False before SQLite sees them.
    private static func range(_ column: QueryCondition.NumberColumn, _ value: JSONValue) throws(ArtifactQueryError) -> QueryCondition {
        func bound(_ value: JSONValue) throws(ArtifactQueryError) -> SQLValue {
            if value.isNull || value.boolValue != nil {
                throw ArtifactQueryError(
                    .argumentError,
                    "Only '=', '!=', 'is_()', 'is_not()', 'is_distinct_from()', 'is_not_distinct_from()' operators can be used "
                        + "with None/True/False"
                )
            }
            return try SQLValue(binding: value).withNumericAffinity
        }
        guard case .array(let ends) = value else { return .atLeast(column, try bound(value)) }
        guard ends.count >= 2 else { throw ArtifactQueryError(.indexError, "list index out of range") }
        let lower: QueryCondition = ends[0].isNull ? .always : .atLeast(column, try bound(ends[0]))
        let upper: QueryCondition = ends[1].isNull ? .always : .atMost(column, try bound(ends[1]))
        return .all([lower, upper])
    }

    /// The path SQLite's `->>` operator reads from its right operand: a `$` path as is, `[N]` as `$[N]`, anything else
    /// as `$.label`, so a key with a dot (an email) walks into nested objects.
    private static func arrowPath(_ key: String) throws(ArtifactQueryError) -> SQLiteJSONPath {
        if key.hasPrefix("$") { return try SQLiteJSONPath(key) }
        if key.hasPrefix("[") { return try SQLiteJSONPath("$" + key) }
        return try SQLiteJSONPath(key: key)
    }

    /// `_process_manifest_filter`: each key a condition (several AND-ed, even in OR mode); `$and`/`$or` lists of
    /// nested filters; an operator object keeps only `$like`, `$in` and `$all` (others such as `$gt` are ignored); a
    /// list means `$all`, a string with `*` means `$like`, anything else equality. Nil when nothing applies.
    func manifestFilter(_ filter: JSONObject) throws(ArtifactQueryError) -> QueryCondition? {
        var conditions: [QueryCondition] = []
        for (key, value) in filter {
            if key == "$and" || key == "$or" {
                var nested: [QueryCondition] = []
                for item in try Self.iterate(value) {
                    guard case .object(let object) = item, let condition = try manifestFilter(object) else { continue }
                    nested.append(condition)
                }
                conditions.append(key == "$and" ? .all(nested) : .any(nested))
                continue
            }
            switch value {
            case .object(let operators):
                for (op, operand) in operators where ["$like", "$in", "$all"].contains(op) {
                    conditions.append(try manifestCondition(key, op, operand))
                }
            case .array: conditions.append(try manifestCondition(key, "$all", value))
            case .string(let text) where text.contains("*"): conditions.append(try manifestCondition(key, "$like", value))
            default: conditions.append(try manifestCondition(key, "=", value))
            }
        }
        return conditions.count > 1 ? .all(conditions) : conditions.first
    }

    /// `_build_manifest_condition`, SQLite branch. `$like` and `*` turn `*` into `%` (`_` stays a LIKE wildcard);
    /// `$in` is a substring LIKE per value, OR-ed (`"a"` matches `"cat"`); `$all` is a LIKE on
    /// each value's `json.dumps` (Hypha LIKEs the whole list's text, which never matches two or more values); equality compares SQLite values (true equals 1, a null never matches).
    private func manifestCondition(_ key: String, _ op: String, _ value: JSONValue) throws(ArtifactQueryError) -> QueryCondition {
        let path = try SQLiteJSONPath(key: key)
        switch op {
        case "$like":
            guard case .string(let pattern) = value else {
                throw ArtifactQueryError(.attributeError, "'\(PythonText.typeName(value))' object has no attribute 'replace'")
            }
            return .manifestLike(path, pattern.replacingStars())
        case "$in":
            return .any(try Self.iterate(value).map { .manifestLike(path, "%" + PythonText.str($0) + "%") })
        case "$all":
            // Hypha LIKEs `json.dumps(list)[1:-1]` against SQLite's compact text, so two or more
            // values never match; spore asks for each value on its own, which is what `$all` means.
            guard case .array(let items) = value else {
                let text = PythonText.jsonDumps(value, compact: false)
                return .manifestLike(path, "%" + String(text.dropFirst().dropLast()) + "%")
            }
            return .all(items.map { .manifestLike(path, "%" + PythonText.jsonDumps($0, compact: false) + "%") })
        default:
            if case .string(let pattern) = value, pattern.contains("*") { return .manifestLike(path, pattern.replacingStars()) }
            let bound = try SQLValue(binding: value)
            return bound.isNull ? .never : .manifestEquals(path, bound)
        }
    }

    /// Python's iteration of a value: list items, a string's code points, a dict's keys; numbers are not iterable.
    private static func iterate(_ value: JSONValue) throws(ArtifactQueryError) -> [JSONValue] {
        switch value {
        case .array(let items): return items
        case .string(let text): return text.unicodeScalars.map { .string(String($0)) }
        case .object(let object): return object.keys.map(JSONValue.string)
        default: throw ArtifactQueryError(.typeError, "'\(PythonText.typeName(value))' object is not iterable")
        }
    }
}

extension String {
    fileprivate func replacingStars() -> String { String(map { $0 == "*" ? "%" : $0 }) }
}
