/// A ListObjects request, in bytes so that comparisons follow S3's byte order.
public struct ListQuery: Sendable {
    /// Most entries (keys plus common prefixes) one page may hold.
    public static let pageEntryCountMax = 1000

    public var prefix: [UInt8]
    /// Rolls keys up into common prefixes; nil or empty means no delimiter.
    public var delimiter: [UInt8]?
    /// Only entries strictly after this (a key or a common prefix) are listed.
    public var after: [UInt8]?
    public var maxEntries: Int

    public init(prefix: [UInt8] = [], delimiter: [UInt8]? = nil, after: [UInt8]? = nil, maxEntries: Int = ListQuery.pageEntryCountMax) {
        precondition(maxEntries >= 0, "a page holds zero or more entries")
        self.prefix = prefix
        self.delimiter = delimiter?.isEmpty == true ? nil : delimiter
        self.after = after
        self.maxEntries = min(maxEntries, Self.pageEntryCountMax)
    }
}

/// One page of a listing.
public struct ListPage: Sendable {
    public struct Entry: Sendable {
        public let key: String
        public let version: ObjectVersion
    }

    public var entries: [Entry] = []
    public var commonPrefixes: [String] = []
    public var isTruncated = false
    /// The last key or common prefix on the page: where the next page starts after.
    public var lastItem: [UInt8]?
}

extension ObjectStore {
    /// Lists the current, visible (not deleted, not expired) versions of a bucket's keys.
    public func listObjects(bucket name: String, query: ListQuery, nowMilliseconds: Int64) throws -> (BucketRecord, ListPage) {
        try read { transaction in
            let bucket = try catalog.requireBucket(transaction, named: name)
            var page = ListPage()
            // S3 answers max-keys=0 with an empty, untruncated page.
            guard query.maxEntries > 0 else { return (bucket, page) }
            var start = query.prefix
            if let after = query.after, !after.lexicographicallyPrecedes(query.prefix) {
                start = after
            }
            try catalog.keyTree.scan(transaction, root: bucket.id, from: start) { key, payload in
                guard key.starts(with: query.prefix) else { return .stop }
                if let after = query.after, !after.lexicographicallyPrecedes(key) { return .next }
                if let delimiter = query.delimiter, let end = Catalog.delimiterEnd(in: key, after: query.prefix.count, delimiter) {
                    let commonPrefix = Array(key[..<end])
                    let skip = KeyTreeSeek.past(commonPrefix)
                    if let after = query.after, !after.lexicographicallyPrecedes(commonPrefix) { return .seek(skip) }
                    // The prefix counts only if a visible key rolls into it; this one is checked below.
                    guard try Catalog.isVisible(payload, nowMilliseconds) else { return .next }
                    if page.entries.count + page.commonPrefixes.count == query.maxEntries {
                        page.isTruncated = true
                        return .stop
                    }
                    page.commonPrefixes.append(String(decoding: commonPrefix, as: UTF8.self))
                    page.lastItem = commonPrefix
                    return .seek(skip)
                }
                let entry = try ObjectEntry(decoding: payload)
                guard !entry.current.isDeleteMarker, !entry.current.isExpired(atMilliseconds: nowMilliseconds) else { return .next }
                if page.entries.count + page.commonPrefixes.count == query.maxEntries {
                    page.isTruncated = true
                    return .stop
                }
                page.entries.append(ListPage.Entry(key: String(decoding: key, as: UTF8.self), version: entry.current))
                page.lastItem = key
                return .next
            }
            return (bucket, page)
        }
    }
}

extension Catalog {
    static func isVisible(_ payload: ArraySlice<UInt8>, _ nowMilliseconds: Int64) throws -> Bool {
        let entry = try ObjectEntry(decoding: payload)
        return !entry.current.isDeleteMarker && !entry.current.isExpired(atMilliseconds: nowMilliseconds)
    }

    /// The index just past the first `delimiter` at or after `start` in `key`, or nil.
    static func delimiterEnd(in key: [UInt8], after start: Int, _ delimiter: [UInt8]) -> Int? {
        guard !delimiter.isEmpty, key.count - start >= delimiter.count else { return nil }
        var index = start
        while index + delimiter.count <= key.count {
            if key[index] == delimiter[0], key[index..<(index + delimiter.count)].elementsEqual(delimiter) {
                return index + delimiter.count
            }
            index += 1
        }
        return nil
    }
}

/// Seek targets for key-tree scans.
public enum KeyTreeSeek {
    /// The smallest byte string greater than every key that starts with `prefix`: valid UTF-8 never
    /// holds `0xFF`, so appending it is enough.
    public static func past(_ prefix: [UInt8]) -> [UInt8] { prefix + [KeyTree.branchMarker] }
}
