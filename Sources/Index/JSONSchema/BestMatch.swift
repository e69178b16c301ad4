import SporeJSON

/// jsonschema's `best_match`, which `jsonschema.validate` raises and Hypha therefore reports.
///
/// The relevance of an error is the tuple `(-len(path), path, validator not in weak, validator in
/// strong, not matches_type)`: the best top-level error is the one with the greatest key (the
/// first on ties); then, while it has a context (`anyOf`/`oneOf`), the descent picks the
/// context error with the *least* key, unless the two least are tied, in which case the parent
/// stays.
enum BestMatch {
    static let weakKeywords: Set<String> = ["anyOf", "oneOf"]

    static func choose(_ issues: [Issue]) -> Issue? {
        guard var best = issues.first else { return nil }
        for candidate in issues.dropFirst() where compare(candidate, best) > 0 { best = candidate }
        while !best.context.isEmpty {
            let context = best.context
            // `heapq.nsmallest(2, …)`: the two least keys, earlier elements first on ties.
            var least = 0
            for index in context.indices.dropFirst() where compare(context[index], context[least]) < 0 { least = index }
            var second: Int?
            for index in context.indices where index != least {
                if let current = second {
                    if compare(context[index], context[current]) < 0 { second = index }
                } else {
                    second = index
                }
            }
            if let second, compare(context[least], context[second]) == 0 { return best }
            best = context[least]
        }
        return best
    }

    /// Compares relevance keys as Python compares tuples: -1, 0 or 1.
    static func compare(_ lhs: Issue, _ rhs: Issue) -> Int {
        // Shorter paths are more relevant: -len(path) is greater.
        if lhs.instancePath.count != rhs.instancePath.count { return lhs.instancePath.count < rhs.instancePath.count ? 1 : -1 }
        let pathOrder = comparePaths(lhs.instancePath, rhs.instancePath)
        if pathOrder != 0 { return pathOrder }
        let flags: [(Bool, Bool)] = [
            (!isWeak(lhs), !isWeak(rhs)),
            // `validator in strong`: jsonschema's default strong set is empty.
            (false, false),
            (!lhs.matchesType, !rhs.matchesType),
        ]
        for (left, right) in flags where left != right { return left ? 1 : -1 }
        return 0
    }

    private static func isWeak(_ issue: Issue) -> Bool { issue.keyword.map(weakKeywords.contains) ?? false }

    /// Python's comparison of two deques of path elements: element-wise, ints numerically,
    /// strings by code point. (Python cannot compare an int with a str; at equal prefixes the
    /// elements index the same container, so that case only arises between different
    /// containers, and ints are put first.)
    private static func comparePaths(_ lhs: [PathComponent], _ rhs: [PathComponent]) -> Int {
        for (left, right) in zip(lhs, rhs) {
            switch (left, right) {
            case (.index(let a), .index(let b)) where a != b: return a < b ? -1 : 1
            case (.key(let a), .key(let b)) where !a.unicodeScalars.elementsEqual(b.unicodeScalars):
                return PythonRepr.precedes(a, b) ? -1 : 1
            case (.index, .key): return -1
            case (.key, .index): return 1
            default: continue
            }
        }
        return lhs.count == rhs.count ? 0 : (lhs.count < rhs.count ? -1 : 1)
    }
}
