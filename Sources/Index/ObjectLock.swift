/// S3 Object Lock: the retention modes a version can be under.
public enum RetentionMode: UInt8, Sendable, CaseIterable {
    /// Removable early only by a caller with `s3:BypassGovernanceRetention` who asks for it.
    case governance = 1
    /// Removable by no one, root included, until the date passes; the date can only move later.
    case compliance = 2

    /// The name S3 uses on the wire.
    public var name: String {
        switch self {
        case .governance: return "GOVERNANCE"
        case .compliance: return "COMPLIANCE"
        }
    }

    public init?(name: String) {
        switch name {
        case "GOVERNANCE": self = .governance
        case "COMPLIANCE": self = .compliance
        default: return nil
        }
    }
}

/// A version's retention: a mode and the moment it ends.
public struct Retention: Hashable, Sendable {
    public var mode: RetentionMode
    public var untilMilliseconds: Int64

    public init(mode: RetentionMode, untilMilliseconds: Int64) {
        self.mode = mode
        self.untilMilliseconds = untilMilliseconds
    }

    /// Whether it still protects the version at `now`.
    public func isActive(atMilliseconds nowMilliseconds: Int64) -> Bool { untilMilliseconds > nowMilliseconds }

    /// The parts of its record field (mode, then the date as a varint), shared by object versions
    /// and multipart uploads.
    var recordParts: [[UInt8]] {
        var until = [UInt8]()
        RecordWriter.appendVarint(UInt64(bitPattern: untilMilliseconds), to: &until)
        return [[mode.rawValue], until]
    }

    init(recordField value: ArraySlice<UInt8>) throws(IndexError) {
        let parts = try RecordReader.parts(value)
        guard parts.count == 2, let raw = parts[0].first, let mode = RetentionMode(rawValue: raw) else {
            throw IndexError.corrupt("retention field")
        }
        self.init(mode: mode, untilMilliseconds: Int64(bitPattern: try RecordReader.uint64(parts[1])))
    }
}

/// A bucket's Object Lock default: the retention every new version gets unless its request names
/// one.
public struct DefaultRetention: Hashable, Sendable {
    public enum Period: Hashable, Sendable {
        case days(Int)
        case years(Int)
    }

    public var mode: RetentionMode
    public var period: Period

    /// Longest default S3 accepts for days and years alike (AWS documents 100 years).
    public static let daysMax = 36_500
    public static let yearsMax = 100

    public init(mode: RetentionMode, period: Period) {
        self.mode = mode
        self.period = period
    }

    /// The retention a version written at `now` gets. A year counts 365 days, as AWS does.
    public func retention(fromMilliseconds nowMilliseconds: Int64) -> Retention {
        let days: Int64
        switch period {
        case .days(let count): days = Int64(count)
        case .years(let count): days = Int64(count) * 365
        }
        return Retention(mode: mode, untilMilliseconds: nowMilliseconds + days * 86_400_000)
    }
}

/// The Object Lock rules: which changes to a version's protection, and which removals of it, are
/// allowed. A value type without I/O so every transition is tested in a table; the catalog and
/// the faces ask it and carry out the answer.
public enum ObjectLockRules {
    /// Why a change or removal is refused.
    public enum Refusal: Error, Equatable, Sendable {
        /// Under COMPLIANCE retention that has not passed.
        case compliance
        /// Under GOVERNANCE retention and the caller did not (or may not) bypass it.
        case governance
        /// Under a legal hold.
        case legalHold
    }

    /// Whether a version may be removed for good (not hidden behind a delete marker, which locks
    /// never prevent) at `now`.
    public static func removal(
        retention: Retention?, legalHold: Bool, nowMilliseconds: Int64, bypassGovernance: Bool
    ) -> Refusal? {
        if legalHold { return .legalHold }
        guard let retention, retention.isActive(atMilliseconds: nowMilliseconds) else { return nil }
        switch retention.mode {
        case .compliance: return .compliance
        case .governance: return bypassGovernance ? nil : .governance
        }
    }

    /// Whether a version's retention may change from `current` to `proposed` (nil removes it).
    ///
    /// A later date in the same mode is always allowed. COMPLIANCE that has not passed can be
    /// neither shortened, removed, nor changed to GOVERNANCE, by anyone; GOVERNANCE that has not
    /// passed can be shortened, removed or changed to another mode (COMPLIANCE included) only with
    /// a bypass, as AWS and ceph/s3-tests expect. A retention that has passed protects nothing.
    public static func change(
        from current: Retention?, to proposed: Retention?, nowMilliseconds: Int64, bypassGovernance: Bool
    ) -> Refusal? {
        guard let current, current.isActive(atMilliseconds: nowMilliseconds) else { return nil }
        let keepsOrExtends = proposed.map { $0.untilMilliseconds >= current.untilMilliseconds } ?? false
        switch current.mode {
        case .compliance:
            guard let proposed, proposed.mode == .compliance, keepsOrExtends else { return .compliance }
            return nil
        case .governance:
            if let proposed, proposed.mode == .governance, keepsOrExtends { return nil }
            return bypassGovernance ? nil : .governance
        }
    }
}

extension ObjectVersion {
    /// Why this version may not be removed at `now`, or nil when it may.
    public func removalRefusal(nowMilliseconds: Int64, bypassGovernance: Bool) -> ObjectLockRules.Refusal? {
        ObjectLockRules.removal(retention: retention, legalHold: legalHold, nowMilliseconds: nowMilliseconds, bypassGovernance: bypassGovernance)
    }

    /// Whether a retention or legal hold protects the version at `now`.
    public func isLocked(atMilliseconds nowMilliseconds: Int64) -> Bool {
        legalHold || (retention?.isActive(atMilliseconds: nowMilliseconds) ?? false)
    }
}
