/// One rule of a bucket's lifecycle configuration, as spore evaluates it.
public struct LifecycleRule: Sendable, Equatable {
    /// Which keys a rule applies to.
    public struct Filter: Sendable, Equatable {
        /// How the filter was written, so that GetBucketLifecycleConfiguration gives it back the same way.
        public enum Form: UInt8, Sendable {
            /// `<Prefix>` directly in the rule (the original API).
            case legacyPrefix = 0
            /// `<Filter>` with at most one condition.
            case single = 1
            /// `<Filter><And>…</And></Filter>`.
            case and = 2
            /// `<Filter/>` or no filter at all.
            case empty = 3
        }

        public var form: Form
        public var prefix: String?
        public var tags: [(key: String, value: String)]
        public var sizeGreaterThan: Int64?
        public var sizeLessThan: Int64?

        public init(
            form: Form = .empty, prefix: String? = nil, tags: [(key: String, value: String)] = [], sizeGreaterThan: Int64? = nil,
            sizeLessThan: Int64? = nil
        ) {
            self.form = form
            self.prefix = prefix
            self.tags = tags
            self.sizeGreaterThan = sizeGreaterThan
            self.sizeLessThan = sizeLessThan
        }

        /// Whether an object with this key, tags and size is covered.
        public func matches(key: String, tags objectTags: [(name: String, value: String)], byteCount: Int64) -> Bool {
            if let prefix, !key.utf8.starts(with: prefix.utf8) { return false }
            for tag in tags where !objectTags.contains(where: { $0.name == tag.key && $0.value == tag.value }) { return false }
            if let minimum = sizeGreaterThan, byteCount <= minimum { return false }
            if let maximum = sizeLessThan, byteCount >= maximum { return false }
            return true
        }

        public static func == (lhs: Filter, rhs: Filter) -> Bool {
            lhs.form == rhs.form && lhs.prefix == rhs.prefix && lhs.sizeGreaterThan == rhs.sizeGreaterThan
                && lhs.sizeLessThan == rhs.sizeLessThan && lhs.tags.map { "\($0.key)=\($0.value)" } == rhs.tags.map { "\($0.key)=\($0.value)" }
        }
    }

    public var id: String
    public var isEnabled: Bool
    public var filter: Filter
    public var expirationDays: Int?
    /// Milliseconds since the epoch (midnight UTC of the given date).
    public var expirationDate: Int64?
    public var expiredObjectDeleteMarker: Bool?
    public var noncurrentDays: Int?
    public var newerNoncurrentVersions: Int?
    public var abortIncompleteUploadDays: Int?
    /// Transition elements are kept as given (spore has one storage class; nothing moves).
    public var transitionsXML: String?

    public init(
        id: String, isEnabled: Bool, filter: Filter, expirationDays: Int? = nil, expirationDate: Int64? = nil,
        expiredObjectDeleteMarker: Bool? = nil, noncurrentDays: Int? = nil, newerNoncurrentVersions: Int? = nil,
        abortIncompleteUploadDays: Int? = nil, transitionsXML: String? = nil
    ) {
        self.id = id
        self.isEnabled = isEnabled
        self.filter = filter
        self.expirationDays = expirationDays
        self.expirationDate = expirationDate
        self.expiredObjectDeleteMarker = expiredObjectDeleteMarker
        self.noncurrentDays = noncurrentDays
        self.newerNoncurrentVersions = newerNoncurrentVersions
        self.abortIncompleteUploadDays = abortIncompleteUploadDays
        self.transitionsXML = transitionsXML
    }
}

/// The rules of one bucket, and what they say about an object. A value type with no I/O.
public struct LifecyclePolicy: Sendable, Equatable {
    public let rules: [LifecycleRule]
    /// Length of a lifecycle "day" in milliseconds: 86 400 000, or less for tests and demos.
    public let dayMilliseconds: Int64

    public init(rules: [LifecycleRule], dayMilliseconds: Int64) {
        precondition(dayMilliseconds > 0, "a day lasts")
        self.rules = rules
        self.dayMilliseconds = dayMilliseconds
    }

    /// When a current version expires and by which rule: the earliest matching expiration.
    public func expiration(key: String, version: ObjectVersion) -> (atMilliseconds: Int64, ruleID: String)? {
        guard !version.isDeleteMarker else { return nil }
        var earliest: (atMilliseconds: Int64, ruleID: String)?
        for rule in rules where rule.isEnabled && rule.filter.matches(key: key, tags: version.tags, byteCount: version.byteCount) {
            var due: Int64?
            if let days = rule.expirationDays { due = after(version.lastModifiedMilliseconds, days: days) }
            if let date = rule.expirationDate { due = min(due ?? date, date) }
            if let due, due < earliest?.atMilliseconds ?? Int64.max { earliest = (due, rule.id) }
        }
        return earliest
    }

    /// When a version that became noncurrent at `since` expires, with the rule's version allowance.
    public func noncurrentExpiration(key: String, version: ObjectVersion, since: Int64) -> (atMilliseconds: Int64, keepNewest: Int)? {
        var earliest: (atMilliseconds: Int64, keepNewest: Int)?
        for rule in rules where rule.isEnabled && rule.filter.matches(key: key, tags: version.tags, byteCount: version.byteCount) {
            guard let days = rule.noncurrentDays else { continue }
            let due = after(since, days: days)
            if due < earliest?.atMilliseconds ?? Int64.max { earliest = (due, rule.newerNoncurrentVersions ?? 0) }
        }
        return earliest
    }

    /// When a delete marker that is the only version of its key goes: at once under
    /// `ExpiredObjectDeleteMarker`, or when an `Expiration` in days would have expired it.
    public func deleteMarkerExpiration(key: String, marker: ObjectVersion) -> Int64? {
        var earliest: Int64?
        for rule in rules where rule.isEnabled && rule.filter.matches(key: key, tags: [], byteCount: 0) {
            var due: Int64?
            if rule.expiredObjectDeleteMarker == true { due = marker.lastModifiedMilliseconds }
            if let days = rule.expirationDays { due = min(due ?? Int64.max, after(marker.lastModifiedMilliseconds, days: days)) }
            if let due, due < earliest ?? Int64.max { earliest = due }
        }
        return earliest
    }

    /// Days after which an incomplete upload of `key` is aborted, if a rule says so.
    public func abortDays(key: String) -> Int? {
        rules.filter { $0.isEnabled && $0.filter.prefix.map { key.utf8.starts(with: $0.utf8) } ?? true }
            .compactMap(\.abortIncompleteUploadDays).min()
    }

    /// `start` plus `days`. With real days S3 rounds up to the next midnight UTC; shortened days are exact.
    public func after(_ start: Int64, days: Int) -> Int64 {
        let due = start + Int64(days) * dayMilliseconds
        guard dayMilliseconds == 86_400_000 else { return due }
        let remainder = due % dayMilliseconds
        return remainder == 0 ? due : due - remainder + dayMilliseconds
    }
}

extension LifecycleRule {
    func encoded() -> [UInt8] {
        var writer = RecordWriter(format: 1)
        writer.field(1, id)
        writer.field(2, isEnabled)
        writer.field(3, UInt64(filter.form.rawValue))
        if let value = filter.prefix { writer.field(4, value) }
        for tag in filter.tags { writer.field(5, parts: [Array(tag.key.utf8), Array(tag.value.utf8)]) }
        if let value = filter.sizeGreaterThan { writer.field(6, value) }
        if let value = filter.sizeLessThan { writer.field(7, value) }
        if let value = expirationDays { writer.field(8, Int64(value)) }
        if let value = expirationDate { writer.field(9, value) }
        if let value = expiredObjectDeleteMarker { writer.field(10, value) }
        if let value = noncurrentDays { writer.field(11, Int64(value)) }
        if let value = newerNoncurrentVersions { writer.field(12, Int64(value)) }
        if let value = abortIncompleteUploadDays { writer.field(13, Int64(value)) }
        if let value = transitionsXML { writer.field(14, value) }
        return writer.bytes
    }

    init(decoding bytes: [UInt8]) throws(IndexError) {
        var reader = try RecordReader(bytes)
        var rule = LifecycleRule(id: "", isEnabled: false, filter: Filter())
        while let (tag, value) = try reader.next() {
            switch tag {
            case 1: rule.id = RecordReader.string(value)
            case 2: rule.isEnabled = RecordReader.bool(value)
            case 3: rule.filter.form = Filter.Form(rawValue: UInt8(truncatingIfNeeded: try RecordReader.uint64(value))) ?? .empty
            case 4: rule.filter.prefix = RecordReader.string(value)
            case 5:
                let pair = try ObjectVersion.pair(value)
                rule.filter.tags.append((pair.name, pair.value))
            case 6: rule.filter.sizeGreaterThan = try RecordReader.int64(value)
            case 7: rule.filter.sizeLessThan = try RecordReader.int64(value)
            case 8: rule.expirationDays = Int(try RecordReader.int64(value))
            case 9: rule.expirationDate = try RecordReader.int64(value)
            case 10: rule.expiredObjectDeleteMarker = RecordReader.bool(value)
            case 11: rule.noncurrentDays = Int(try RecordReader.int64(value))
            case 12: rule.newerNoncurrentVersions = Int(try RecordReader.int64(value))
            case 13: rule.abortIncompleteUploadDays = Int(try RecordReader.int64(value))
            case 14: rule.transitionsXML = RecordReader.string(value)
            default: continue
            }
        }
        self = rule
    }

    static func encode(_ rules: [LifecycleRule]) -> [UInt8] {
        var writer = RecordWriter(format: 1)
        for rule in rules { writer.field(1, bytes: rule.encoded()) }
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(IndexError) -> [LifecycleRule] {
        var reader = try RecordReader(bytes)
        var rules = [LifecycleRule]()
        while let (tag, value) = try reader.next() {
            if tag == 1 { rules.append(try LifecycleRule(decoding: Array(value))) }
        }
        return rules
    }
}
