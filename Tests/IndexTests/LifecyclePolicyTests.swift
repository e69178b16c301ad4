import Testing

@testable import Index

@Suite struct LifecyclePolicyTests {
    let day: Int64 = 86_400_000

    func version(_ modified: Int64, size: Int64 = 10, tags: [(name: String, value: String)] = []) -> ObjectVersion {
        ObjectVersion(byteCount: size, etag: "e", lastModifiedMilliseconds: modified, body: .inline([]), tags: tags, owner: "o")
    }

    @Test func realDaysRoundUpToTheNextMidnightUTC() {
        let policy = LifecyclePolicy(
            rules: [LifecycleRule(id: "r", isEnabled: true, filter: .init(form: .empty), expirationDays: 1)], dayMilliseconds: day)
        let noon = 20_000 * day + day / 2
        let due = policy.expiration(key: "k", version: version(noon))
        #expect(due?.atMilliseconds == 20_002 * day)
        #expect(due?.ruleID == "r")
    }

    @Test func shortenedDaysAreExact() {
        let policy = LifecyclePolicy(
            rules: [LifecycleRule(id: "r", isEnabled: true, filter: .init(form: .empty), expirationDays: 3)], dayMilliseconds: 10_000)
        #expect(policy.expiration(key: "k", version: version(5_000))?.atMilliseconds == 35_000)
    }

    @Test func filtersMatchPrefixTagsAndSize() {
        let filter = LifecycleRule.Filter(form: .and, prefix: "logs/", tags: [("env", "dev")], sizeGreaterThan: 100, sizeLessThan: 1000)
        #expect(filter.matches(key: "logs/a", tags: [("env", "dev"), ("x", "y")], byteCount: 500))
        #expect(!filter.matches(key: "data/a", tags: [("env", "dev")], byteCount: 500))
        #expect(!filter.matches(key: "logs/a", tags: [("env", "prod")], byteCount: 500))
        #expect(!filter.matches(key: "logs/a", tags: [("env", "dev")], byteCount: 100))
        #expect(!filter.matches(key: "logs/a", tags: [("env", "dev")], byteCount: 1000))
    }

    @Test func disabledRulesDoNothingAndTheEarliestRuleWins() {
        let rules = [
            LifecycleRule(id: "off", isEnabled: false, filter: .init(form: .empty), expirationDays: 1),
            LifecycleRule(id: "late", isEnabled: true, filter: .init(form: .empty), expirationDays: 9),
            LifecycleRule(id: "date", isEnabled: true, filter: .init(form: .empty), expirationDate: 4 * day),
        ]
        let policy = LifecyclePolicy(rules: rules, dayMilliseconds: day)
        #expect(policy.expiration(key: "k", version: version(0))?.ruleID == "date")
    }

    @Test func deleteMarkersAndNoncurrentVersions() {
        let rules = [
            LifecycleRule(
                id: "marker", isEnabled: true, filter: .init(form: .empty), expiredObjectDeleteMarker: true, noncurrentDays: 2,
                newerNoncurrentVersions: 3)
        ]
        let policy = LifecyclePolicy(rules: rules, dayMilliseconds: 1000)
        let marker = ObjectVersion.deleteMarker(sequence: 1, isNullVersion: false, owner: "o", nowMilliseconds: 7000)
        #expect(policy.deleteMarkerExpiration(key: "k", marker: marker) == 7000)
        let noncurrent = policy.noncurrentExpiration(key: "k", version: version(0), since: 5000)
        #expect(noncurrent?.atMilliseconds == 7000 && noncurrent?.keepNewest == 3)
    }

    @Test func rulesRoundTripThroughTheirRecord() throws {
        let rules = [
            LifecycleRule(
                id: "a", isEnabled: true, filter: .init(form: .and, prefix: "p", tags: [("k", "v")], sizeGreaterThan: 1, sizeLessThan: 9),
                expirationDays: 3, noncurrentDays: 4, newerNoncurrentVersions: 2, abortIncompleteUploadDays: 5, transitionsXML: "<Transition/>"),
            LifecycleRule(
                id: "b", isEnabled: false, filter: .init(form: .legacyPrefix, prefix: ""), expirationDate: 86_400_000,
                expiredObjectDeleteMarker: false),
        ]
        #expect(try LifecycleRule.decode(LifecycleRule.encode(rules)) == rules)
    }
}
