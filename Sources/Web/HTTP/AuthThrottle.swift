import Logging
import Metrics
import Synchronization

/// Failed authentications per subject (`ip:<address>`, `key:<access key>`, `share:<token>`): each
/// failure adds one; a success by the subject clears its count (never a refusal already given);
/// the count decays by one every `decayMilliseconds`. From `delayAfter` failures on, each answer
/// is slowed (exponentially, capped); at `refuseAfter` the subject is refused for
/// `refusalMilliseconds`. A value type with the time passed in, so its rules are tested without I/O.
public struct AuthFailureScores: Sendable {
    public enum Verdict: Sendable, Equatable {
        case allow
        case delay(milliseconds: Int64)
        case refuse(retryAfterMilliseconds: Int64)
    }

    public struct Policy: Sendable, Equatable {
        public var refuseAfter: Int
        public var delayAfter: Int
        public var refusalMilliseconds: Int64 = 300_000
        public var decayMilliseconds: Int64 = 10_000
        public var firstDelayMilliseconds: Int64 = 100
        public var delayMaxMilliseconds: Int64 = 2_000
        /// Subjects remembered; past it the quietest are forgotten.
        public static let subjectCountMax = 100_000

        /// Refuse after `refuseAfter` failures; slow down from two fifths of that on.
        public init(refuseAfter: Int = 25) {
            precondition(refuseAfter >= 2, "a refusal comes after failures")
            self.refuseAfter = refuseAfter
            self.delayAfter = max(1, refuseAfter * 2 / 5)
        }
    }

    struct Entry: Sendable {
        var score: Int
        var updatedAt: Int64
        var refusedUntil: Int64?
    }

    public let policy: Policy
    private var entries: [String: Entry] = [:]

    public init(policy: Policy) { self.policy = policy }

    public var subjectCount: Int { entries.count }

    private func decayed(_ entry: Entry, now: Int64) -> Entry {
        var entry = entry
        let steps = (now - entry.updatedAt) / policy.decayMilliseconds
        if steps > 0 {
            entry.score = max(0, entry.score - Int(min(steps, Int64(Int32.max))))
            entry.updatedAt += steps * policy.decayMilliseconds
        }
        if let until = entry.refusedUntil, until <= now { entry.refusedUntil = nil }
        return entry
    }

    /// Whether the subject is refused now (checked before any work is done).
    public func refusal(_ subject: String, now: Int64) -> Int64? {
        guard let entry = entries[subject], let until = entry.refusedUntil, until > now else { return nil }
        return until - now
    }

    /// Records a failure and says how to answer it. `becameRefused` is true once per refusal.
    public mutating func failure(_ subject: String, now: Int64) -> (verdict: Verdict, becameRefused: Bool) {
        if entries[subject] == nil, entries.count >= Policy.subjectCountMax { evict(now: now) }
        var entry = entries[subject].map { decayed($0, now: now) } ?? Entry(score: 0, updatedAt: now, refusedUntil: nil)
        if let until = entry.refusedUntil {
            entries[subject] = entry
            return (.refuse(retryAfterMilliseconds: until - now), false)
        }
        entry.score += 1
        entry.updatedAt = now
        var verdict = Verdict.allow
        var became = false
        if entry.score >= policy.refuseAfter {
            entry.refusedUntil = now + policy.refusalMilliseconds
            verdict = .refuse(retryAfterMilliseconds: policy.refusalMilliseconds)
            became = true
        } else if entry.score >= policy.delayAfter {
            let doublings = min(entry.score - policy.delayAfter, 20)
            verdict = .delay(milliseconds: min(policy.delayMaxMilliseconds, policy.firstDelayMilliseconds << doublings))
        }
        entries[subject] = entry
        assert(entries.count <= Policy.subjectCountMax, "the table is bounded")
        return (verdict, became)
    }

    /// A success clears the subject's count; a refusal stays until it ends.
    public mutating func success(_ subject: String, now: Int64) {
        guard let entry = entries[subject] else { return }
        if let until = entry.refusedUntil, until > now {
            entries[subject]?.score = 0
        } else {
            entries[subject] = nil
        }
    }

    private mutating func evict(now: Int64) {
        entries = entries.filter { _, entry in
            let current = decayed(entry, now: now)
            return current.score > 0 || current.refusedUntil != nil
        }
        // Still full of live subjects: drop the quietest tenth at once, so the next evictions are
        // thousands of insertions away (one sort, not a scan per new subject).
        if entries.count >= Policy.subjectCountMax {
            let quietest = entries.sorted { $0.value.updatedAt < $1.value.updatedAt }.prefix(Policy.subjectCountMax / 10)
            for (subject, _) in quietest { entries[subject] = nil }
        }
    }
}

/// The daemon's authentication-failure throttle, shared by every face: S3 signatures, share-link
/// passwords, console sign-ins and admin calls. Failures are counted per client address and per
/// credential; a legitimate client's successes clear its counts, so a heavy user with a few
/// mistakes is never caught, while a guessing loop is slowed and then refused.
public final class AuthThrottle: Sendable {
    public typealias Verdict = AuthFailureScores.Verdict

    private let scores: Mutex<AuthFailureScores>
    private let clock: @Sendable () -> Int64
    private let logger: Logger
    /// One counter per kind of failure (`s3-signature`, `share-password`, `console-sign-in`, `admin`).
    private let failures = Mutex<[String: Counter]>([:])
    private let refusals: Counter

    public init(policy: AuthFailureScores.Policy = .init(), logger: Logger, clock: @escaping @Sendable () -> Int64) {
        scores = Mutex(AuthFailureScores(policy: policy))
        self.clock = clock
        self.logger = logger
        refusals = Counter(label: "spore_auth_refusals_total")
    }

    public static func addressSubject(_ address: String?) -> String? { address.map { "ip:" + $0 } }

    /// Milliseconds until the first refused subject may try again, or nil.
    public func refusal(_ subjects: [String]) -> Int64? {
        let now = clock()
        let waits = scores.withLock { scores in subjects.compactMap { scores.refusal($0, now: now) } }
        guard let wait = waits.max() else { return nil }
        refusals.increment()
        return wait
    }

    /// Records a failure for every subject and returns the strictest verdict.
    public func failed(_ subjects: [String], kind: String) -> Verdict {
        let now = clock()
        failures.withLock { counters in
            if counters[kind] == nil { counters[kind] = Counter(label: "spore_auth_failures_total", dimensions: [("kind", kind)]) }
            counters[kind]?.increment()
        }
        var strictest = Verdict.allow
        var newlyRefused = [String]()
        scores.withLock { scores in
            for subject in subjects {
                let (verdict, became) = scores.failure(subject, now: now)
                if became { newlyRefused.append(subject) }
                strictest = Self.stricter(strictest, verdict)
            }
        }
        for subject in newlyRefused {
            // Logged once per refusal window, not once per attempt.
            logger.warning("authentication failures: refusing for a while", metadata: ["subject": "\(subject)", "kind": "\(kind)"])
        }
        if case .refuse = strictest { refusals.increment() }
        return strictest
    }

    public func succeeded(_ subjects: [String]) {
        let now = clock()
        scores.withLock { scores in
            for subject in subjects { scores.success(subject, now: now) }
        }
    }

    static func stricter(_ a: Verdict, _ b: Verdict) -> Verdict {
        switch (a, b) {
        case (.refuse(let x), .refuse(let y)): return .refuse(retryAfterMilliseconds: max(x, y))
        case (.refuse, _): return a
        case (_, .refuse): return b
        case (.delay(let x), .delay(let y)): return .delay(milliseconds: max(x, y))
        case (.delay, _): return a
        case (_, .delay): return b
        default: return .allow
        }
    }

    /// Waits out a delay verdict (the failed answer goes out late, holding no thread).
    public static func pause(_ verdict: Verdict) async {
        if case .delay(let milliseconds) = verdict { try? await Task.sleep(for: .milliseconds(milliseconds)) }
    }
}
