import SporeJSON

/// One page of a query's results, with what `pagination: true` reports beside the items.
public struct ArtifactQueryPage: Sendable {
    /// The documents of the page, in order.
    public let items: [ArtifactSearchDocument]
    /// How many candidates matched, before offset and limit (Hypha's count query).
    public let total: Int
    /// The query's offset, echoed as `pagination` reports it.
    public let offset: Int
    /// The query's limit, echoed as `pagination` reports it.
    public let limit: Int
}

extension ArtifactQuery {
    /// Whether `document` is selected: the stage condition, AND the keyword/filter conditions combined by `mode`, AND
    /// the recipient scope. In OR mode every keyword and every filter condition is one alternative, including the
    /// `parent_id: null` that `list()` adds, so `list(keywords: […], mode: "OR")` also returns non-root artifacts
    /// matching a keyword; the keys of one `manifest` filter stay AND-ed among themselves.
    public func matches(_ document: ArtifactSearchDocument) -> Bool {
        switch stage {
        case .committed: guard document.versionCount > 0 else { return false }
        case .staged: guard document.isStaged else { return false }
        case .all: break
        }
        var context = EvaluationContext(document: document)
        if let condition, context.evaluate(condition) == false { return false }
        if let recipientCondition, context.evaluate(recipientCondition) == false { return false }
        return true
    }

    /// `documents` in `order_by` order. Ties (and everything Hypha's SQL leaves unordered) fall back to ascending
    /// `internalID`, which is creation order and what SQLite's table scan gives in practice.
    ///
    /// `manifest.k`/`config.k` sort as SQLite runs Hypha's two CASE keys: ascending puts missing and null values first,
    /// then text (strings, and arrays/objects as JSON text) by bytes, then numbers (true/false as 1/0); descending is
    /// the exact reverse (numbers first). So "numbers before text" holds only descending.
    public func ordered(_ documents: [ArtifactSearchDocument]) -> [ArtifactSearchDocument] {
        if order.field == .id {
            // The common case: candidates come from the indexes in internal-id order already.
            let precedes: (ArtifactSearchDocument, ArtifactSearchDocument) -> Bool = { lhs, rhs in
                if lhs.internalID != rhs.internalID { return lhs.internalID.utf8.lexicographicallyPrecedes(rhs.internalID.utf8) }
                return lhs.id.utf8.lexicographicallyPrecedes(rhs.id.utf8)
            }
            let before: (ArtifactSearchDocument, ArtifactSearchDocument) -> Bool =
                order.ascending ? precedes : { lhs, rhs in lhs.internalID != rhs.internalID ? precedes(rhs, lhs) : precedes(lhs, rhs) }
            let candidates = order.ascending ? documents : documents.reversed()
            if zip(candidates, candidates.dropFirst()).allSatisfy({ !before($1, $0) }) { return candidates }
            return documents.sorted(by: before)
        }
        let keyed = documents.map { (document: $0, key: sortKey($0)) }
        return keyed.sorted { lhs, rhs in
            for (left, right) in zip(lhs.key, rhs.key) {
                let comparison = SQLValue.order(left, right)
                if comparison != 0 { return order.ascending ? comparison < 0 : comparison > 0 }
            }
            if lhs.document.internalID != rhs.document.internalID {
                return lhs.document.internalID.utf8.lexicographicallyPrecedes(rhs.document.internalID.utf8)
            }
            return lhs.document.id.utf8.lexicographicallyPrecedes(rhs.document.id.utf8)
        }.map(\.document)
    }

    /// The `offset`/`limit` window of already ordered results.
    public func window(_ ordered: [ArtifactSearchDocument]) -> [ArtifactSearchDocument] {
        Array(ordered.dropFirst(offset).prefix(limit))
    }

    /// The whole query over `candidates`: filter, order, window, and the total for `pagination`.
    public func page(_ candidates: [ArtifactSearchDocument]) -> ArtifactQueryPage {
        let matching = candidates.filter(matches)
        return ArtifactQueryPage(items: window(ordered(matching)), total: matching.count, offset: offset, limit: limit)
    }

    private func sortKey(_ document: ArtifactSearchDocument) -> [SQLValue] {
        func split(_ root: JSONValue, _ key: String) -> [SQLValue] {
            let value = SQLValue(extracting: (try? SQLiteJSONPath(key: key))?.extract(from: root))
            return value.isNumeric ? [value, .null] : [.null, value]
        }
        switch order.field {
        case .id: return [.text(document.internalID)]
        case .viewCount: return [.real(document.viewCount)]
        case .downloadCount: return [.real(document.downloadCount)]
        case .lastModified: return [.integer(document.lastModified)]
        case .createdAt: return [.integer(document.createdAt)]
        case .manifest(let key): return split(document.manifest, key)
        case .config(let key): return split(document.config, key)
        }
    }
}

/// Evaluates conditions against one document, keeping the manifest's JSON text once computed.
private struct EvaluationContext {
    let document: ArtifactSearchDocument
    private var manifestText: [UInt8]??

    init(document: ArtifactSearchDocument) { self.document = document }

    /// True or false, or nil for an empty `and_()`/`or_()` that drops out of the clause around it.
    mutating func evaluate(_ condition: QueryCondition) -> Bool? {
        switch condition {
        case .always: return true
        case .never: return false
        case .all(let items):
            var result: Bool?
            for item in items {
                guard let value = evaluate(item) else { continue }
                result = (result ?? true) && value
            }
            return result
        case .any(let items):
            var result: Bool?
            for item in items {
                guard let value = evaluate(item) else { continue }
                result = (result ?? false) || value
            }
            return result
        case .keyword(let keyword):
            guard let text = manifestBytes() else { return false }
            return SQLLike.contains(text, keyword)
        case .manifestEquals(let path, let value):
            return SQLValue.compare(SQLValue(extracting: path.extract(from: document.manifest)), value) == 0
        case .manifestLike(let path, let pattern):
            guard let text = SQLValue(extracting: path.extract(from: document.manifest)).textValue else { return false }
            return SQLLike.matches(text, pattern: pattern)
        case .permissionEquals(let path, let value):
            guard let permissions = document.config["permissions"], permissions.arrayValue != nil || permissions.objectValue != nil
            else { return false }
            return SQLValue.compare(SQLValue(extracting: path.extract(from: permissions)), value) == 0
        case .textEquals(let column, let value):
            let cell = textCell(column)
            guard let value else { return cell == nil }
            return SQLValue.compare(cell.map(SQLValue.text) ?? .null, value) == 0
        case .atLeast(let column, let value): return SQLValue.compare(numberCell(column), value).map { $0 >= 0 } ?? false
        case .atMost(let column, let value): return SQLValue.compare(numberCell(column), value).map { $0 <= 0 } ?? false
        case .parent(let parent): return document.parentID == parent
        }
    }

    /// `json_extract(manifest, '$')` as text: SQLite's minified copy of what Python stored (ASCII-escaped), or nil.
    private mutating func manifestBytes() -> [UInt8]? {
        if let manifestText { return manifestText }
        let text = SQLValue(extracting: document.manifest).textValue.map { Array($0.utf8) }
        manifestText = .some(text)
        return text
    }

    private func textCell(_ column: QueryCondition.TextColumn) -> String? {
        switch column {
        case .type: return document.type
        case .alias: return document.alias
        case .workspace: return document.workspace
        case .createdBy: return document.createdBy
        }
    }

    private func numberCell(_ column: QueryCondition.NumberColumn) -> SQLValue {
        switch column {
        case .createdAt: return .integer(document.createdAt)
        case .lastModified: return .integer(document.lastModified)
        case .downloadCount: return .real(document.downloadCount)
        case .viewCount: return .real(document.viewCount)
        }
    }
}

extension QueryCondition {
    /// Calls `body` with every `parent_id` filter value.
    func visitParents(_ body: (String?) -> Void) {
        switch self {
        case .parent(let parent): body(parent)
        case .all(let items), .any(let items): for item in items { item.visitParents(body) }
        default: break
        }
    }

    /// The condition with every non-null `parent_id` filter value replaced.
    func mapParents<Failure: Error>(_ transform: (String) throws(Failure) -> String) throws(Failure) -> QueryCondition {
        switch self {
        case .parent(let parent?): return .parent(try transform(parent))
        case .all(let items):
            var mapped: [QueryCondition] = []
            for item in items { mapped.append(try item.mapParents(transform)) }
            return .all(mapped)
        case .any(let items):
            var mapped: [QueryCondition] = []
            for item in items { mapped.append(try item.mapParents(transform)) }
            return .any(mapped)
        default: return self
        }
    }
}
