import HTTPSupport
import Testing

/// The failure throttle's rules, with the time passed in.
@Suite struct AuthThrottleTests {
    @Test func failuresAreSlowedThenRefusedAndSuccessesClear() {
        var scores = AuthFailureScores(policy: .init(refuseAfter: 10))
        #expect(scores.policy.delayAfter == 4)
        for attempt in 1...3 { #expect(scores.failure("ip:a", now: Int64(attempt)).verdict == .allow) }
        #expect(scores.failure("ip:a", now: 4).verdict == .delay(milliseconds: 100))
        #expect(scores.failure("ip:a", now: 5).verdict == .delay(milliseconds: 200))
        // A success clears the count: a heavy user with a few mistakes is never caught.
        scores.success("ip:a", now: 6)
        #expect(scores.failure("ip:a", now: 7).verdict == .allow)
        for attempt in 8...15 { _ = scores.failure("ip:a", now: Int64(attempt)) }
        let (verdict, became) = scores.failure("ip:a", now: 16)
        #expect(verdict == .refuse(retryAfterMilliseconds: 300_000) && became)
        #expect(scores.refusal("ip:a", now: 17) == 299_999)
        // A refusal outlasts a success and ends on time; another subject is not affected.
        scores.success("ip:a", now: 18)
        #expect(scores.refusal("ip:a", now: 19) != nil)
        #expect(scores.refusal("ip:b", now: 19) == nil)
        #expect(scores.refusal("ip:a", now: 16 + 300_000) == nil)
        #expect(scores.failure("ip:a", now: 16 + 300_000).verdict == .allow)
    }

    @Test func delaysAreCappedAndCountsDecay() {
        var scores = AuthFailureScores(policy: .init(refuseAfter: 100))
        var last = AuthFailureScores.Verdict.allow
        for attempt in 1...90 { last = scores.failure("k", now: Int64(attempt)).verdict }
        #expect(last == .delay(milliseconds: 2_000))
        // Ten quiet seconds forgive one failure; a long pause forgives all.
        #expect(scores.failure("k", now: 1_000_000).verdict == .allow)
    }

    @Test func theTableIsBounded() {
        var scores = AuthFailureScores(policy: .init())
        for index in 0..<(AuthFailureScores.Policy.subjectCountMax + 10) { _ = scores.failure("ip:\(index)", now: Int64(index)) }
        #expect(scores.subjectCount <= AuthFailureScores.Policy.subjectCountMax)
    }

    @Test func aTableFullOfLiveSubjectsDropsTheQuietestTenth() {
        var scores = AuthFailureScores(policy: .init())
        let count = AuthFailureScores.Policy.subjectCountMax
        for index in 0..<count { _ = scores.failure("ip:\(index)", now: 1) }
        #expect(scores.subjectCount == count)
        _ = scores.failure("ip:new", now: 1)
        #expect(scores.subjectCount == count - count / 10 + 1)
        // The newcomer is counted, and a failure far in the table's quiet end was forgotten.
        #expect(scores.failure("ip:new", now: 2).verdict == .allow)
    }
}
