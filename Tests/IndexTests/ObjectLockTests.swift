import BlobStore
import SporeTestSupport
import Testing

@testable import Index

@Suite struct ObjectLockRulesTests {
    static let now: Int64 = 1_000_000
    static let later = now + 60_000
    static let sooner = now + 1_000
    static let past = now - 1

    /// (current, proposed, bypass, expected refusal) for every kind of change.
    static let changes: [(Retention?, Retention?, Bool, ObjectLockRules.Refusal?)] = [
        // Nothing, or a retention that has passed, protects nothing.
        (nil, Retention(mode: .compliance, untilMilliseconds: later), false, nil),
        (Retention(mode: .compliance, untilMilliseconds: past), nil, false, nil),
        (Retention(mode: .compliance, untilMilliseconds: past), Retention(mode: .governance, untilMilliseconds: sooner), false, nil),
        // COMPLIANCE: only the same mode with the same or a later date, bypass or not.
        (Retention(mode: .compliance, untilMilliseconds: sooner), Retention(mode: .compliance, untilMilliseconds: later), false, nil),
        (Retention(mode: .compliance, untilMilliseconds: sooner), Retention(mode: .compliance, untilMilliseconds: sooner), false, nil),
        (Retention(mode: .compliance, untilMilliseconds: later), Retention(mode: .compliance, untilMilliseconds: sooner), true, .compliance),
        (Retention(mode: .compliance, untilMilliseconds: later), Retention(mode: .governance, untilMilliseconds: later), true, .compliance),
        (Retention(mode: .compliance, untilMilliseconds: later), nil, true, .compliance),
        // GOVERNANCE: extending is free; shortening, removing or changing the mode needs the bypass.
        (Retention(mode: .governance, untilMilliseconds: sooner), Retention(mode: .governance, untilMilliseconds: later), false, nil),
        (Retention(mode: .governance, untilMilliseconds: later), Retention(mode: .governance, untilMilliseconds: sooner), false, .governance),
        (Retention(mode: .governance, untilMilliseconds: later), Retention(mode: .governance, untilMilliseconds: sooner), true, nil),
        (Retention(mode: .governance, untilMilliseconds: later), nil, false, .governance),
        (Retention(mode: .governance, untilMilliseconds: later), nil, true, nil),
        (Retention(mode: .governance, untilMilliseconds: later), Retention(mode: .compliance, untilMilliseconds: later), false, .governance),
        (Retention(mode: .governance, untilMilliseconds: later), Retention(mode: .compliance, untilMilliseconds: later), true, nil),
    ]

    @Test(arguments: changes.indices)
    func retentionChanges(_ index: Int) {
        let (current, proposed, bypass, expected) = Self.changes[index]
        #expect(ObjectLockRules.change(from: current, to: proposed, nowMilliseconds: Self.now, bypassGovernance: bypass) == expected)
    }

    @Test func removals() {
        let compliance = Retention(mode: .compliance, untilMilliseconds: Self.later)
        let governance = Retention(mode: .governance, untilMilliseconds: Self.later)
        let table: [(Retention?, Bool, Bool, ObjectLockRules.Refusal?)] = [
            (nil, false, false, nil),
            (compliance, false, true, .compliance),
            (governance, false, false, .governance),
            (governance, false, true, nil),
            (nil, true, true, .legalHold),
            (governance, true, true, .legalHold),
            (Retention(mode: .compliance, untilMilliseconds: Self.now), false, false, nil),
        ]
        for (retention, hold, bypass, expected) in table {
            #expect(ObjectLockRules.removal(retention: retention, legalHold: hold, nowMilliseconds: Self.now, bypassGovernance: bypass) == expected)
        }
    }

    @Test func defaultRetentionCountsDaysAndYears() {
        #expect(DefaultRetention(mode: .governance, period: .days(2)).retention(fromMilliseconds: 0).untilMilliseconds == 2 * 86_400_000)
        #expect(DefaultRetention(mode: .compliance, period: .years(1)).retention(fromMilliseconds: 0).untilMilliseconds == 365 * 86_400_000)
    }

    @Test func recordsKeepLockAndEncryption() throws {
        var version = ObjectVersion(byteCount: 3, etag: "e", lastModifiedMilliseconds: 1, body: .inline([1, 2, 3]), owner: "o")
        version.retention = Retention(mode: .compliance, untilMilliseconds: 1_234_567_890_123)
        version.legalHold = true
        version.encryption = ObjectEncryption(
            kind: .kms, masterKeyID: "k1", masterKeyVersion: 3, sealedDataKey: [9, 9], context: "e30=", bucketKeyEnabled: true)
        let decoded = try ObjectVersion(decoding: version.encoded())
        #expect(decoded.retention == version.retention && decoded.legalHold && decoded.encryption == version.encryption)
    }
}

@Suite struct ObjectLockCatalogTests {
    let directory = TemporaryDirectory()
    let now: Int64 = 1_700_000_000_000

    @Test func lockedVersionsSurviveDeletesSweepsAndBypassAttempts() async throws {
        let catalog = try Catalog(directory: directory.path, lifecycleDayMilliseconds: 1000)
        let name = try #require(BucketName(validating: "vault"))
        _ = try await catalog.buckets.createBucket(name, owner: "alice", location: nil, objectLockEnabled: true, nowMilliseconds: now)
        let key = try #require(ObjectKey(validating: "k"))
        var version = ObjectVersion(byteCount: 1, etag: "e", lastModifiedMilliseconds: now, body: .inline([7]), owner: "alice")
        version.retention = Retention(mode: .compliance, untilMilliseconds: now + 10_000)
        version.expiresAtMilliseconds = now + 1
        let stored = try await catalog.objects.putObject(bucket: "vault", key: key, version: version, nowMilliseconds: now)
        await #expect(throws: IndexError.objectLocked(.compliance)) {
            _ = try await catalog.objects.deleteObject(
                bucket: "vault", key: key, versionID: stored.versionID, owner: "alice", bypassGovernance: true, nowMilliseconds: now)
        }
        // The TTL has passed, but the version stays (and stays visible) while locked.
        #expect(try await catalog.sweepExpired(nowMilliseconds: now + 5_000, limit: 10) == 0)
        let (_, lookup) = try catalog.objects.lookup(bucket: "vault", key: key, versionID: stored.versionID, nowMilliseconds: now + 5_000)
        guard case .found = lookup else {
            Issue.record("a locked version disappeared")
            return
        }
        // Shortening is refused; once the date passes the sweep takes it.
        await #expect(throws: IndexError.objectLocked(.compliance)) {
            _ = try await catalog.objects.setRetention(
                bucket: "vault", key: key, versionID: stored.versionID, retention: nil, bypassGovernance: true, nowMilliseconds: now)
        }
        #expect(try await catalog.sweepExpired(nowMilliseconds: now + 10_002, limit: 10) == 1)
        await catalog.close()
    }
}
