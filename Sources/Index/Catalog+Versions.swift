/// One page of ListObjectVersions.
public struct VersionPage: Sendable {
    public struct Entry: Sendable {
        public let key: String
        public let version: ObjectVersion
        public let isLatest: Bool
    }

    public var entries: [Entry] = []
    public var commonPrefixes: [String] = []
    public var isTruncated = false
    public var nextKeyMarker: String?
    public var nextVersionIDMarker: String?
}

extension ObjectStore {
    /// Lists every version and delete marker, by key and then newest first. A page ends after
    /// `limit` entries; `keyMarker`/`versionIDMarker` continue after the given version (or after all
    /// of the key's versions when there is no version marker).
    public func listVersions(
        bucket name: String, prefix: [UInt8], delimiter: [UInt8]?, keyMarker: String?, versionIDMarker: VersionID?,
        limit: Int, nowMilliseconds: Int64
    ) throws -> (BucketRecord, VersionPage) {
        try read { transaction in
            let bucket = try catalog.requireBucket(transaction, named: name)
            var page = VersionPage()
            guard limit > 0 else { return (bucket, page) }
            let markerKey = keyMarker.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
            var start = prefix
            if let markerKey, !markerKey.lexicographicallyPrecedes(start) { start = markerKey }
            var count = 0
            try catalog.keyTree.scan(transaction, root: bucket.id, from: start) { key, payload in
                guard key.starts(with: prefix) else { return .stop }
                if let markerKey, key.lexicographicallyPrecedes(markerKey) { return .next }
                if let markerKey, key == markerKey, versionIDMarker == nil { return .next }
                if let delimiter, let end = Catalog.delimiterEnd(in: key, after: prefix.count, delimiter) {
                    let commonPrefix = Array(key[..<end])
                    if let markerKey, !markerKey.lexicographicallyPrecedes(commonPrefix) { return .seek(KeyTreeSeek.past(commonPrefix)) }
                    if count == limit {
                        page.isTruncated = true
                        return .stop
                    }
                    count += 1
                    page.commonPrefixes.append(String(decoding: commonPrefix, as: UTF8.self))
                    page.nextKeyMarker = String(decoding: commonPrefix, as: UTF8.self)
                    page.nextVersionIDMarker = nil
                    return .seek(KeyTreeSeek.past(commonPrefix))
                }
                let entry = try ObjectEntry(decoding: payload)
                let keyText = String(decoding: key, as: UTF8.self)
                var versions = [entry.current] + (try catalog.noncurrentVersions(transaction, keyID: entry.keyID))
                if let markerKey, key == markerKey, let marker = versionIDMarker {
                    guard let index = versions.firstIndex(where: { $0.versionID == marker }) else { return .next }
                    versions = Array(versions[(index + 1)...])
                }
                for version in versions where !version.isExpired(atMilliseconds: nowMilliseconds) {
                    if count == limit {
                        page.isTruncated = true
                        return .stop
                    }
                    count += 1
                    page.entries.append(VersionPage.Entry(key: keyText, version: version, isLatest: version.sequence == entry.current.sequence))
                    page.nextKeyMarker = keyText
                    page.nextVersionIDMarker = version.versionID.rawValue
                }
                return .next
            }
            return (bucket, page)
        }
    }
}
