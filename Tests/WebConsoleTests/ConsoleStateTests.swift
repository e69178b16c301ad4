import SporeJSON
import Testing

@testable import WebConsole

/// The console's state machines and parsers, without I/O: sessions, tickets, the search limit,
/// base64url keys, previews' text cutting, import jobs and hub inputs.
@Suite struct ConsoleStateTests {
    func session(expiresAt: Int64, cookie: Bool = true, created: Int64 = 0, user: String = "u") -> ConsoleSession {
        ConsoleSession(
            identity: .accessKey("AK"), user: user, csrfToken: "c", isCookie: cookie, createdAtMilliseconds: created,
            expiresAtMilliseconds: expiresAt)
    }

    @Test func sessionsExpireAndEndOnRemoval() {
        var table = SessionTable()
        table.insert(secret: "s1", session(expiresAt: 1000), nowMilliseconds: 0)
        #expect(table.session(secret: "s1", nowMilliseconds: 999) != nil)
        #expect(table.session(secret: "s1", nowMilliseconds: 1000) == nil)
        #expect(table.session(secret: "other", nowMilliseconds: 0) == nil)
        table.insert(secret: "s2", session(expiresAt: 5000), nowMilliseconds: 0)
        let removed = table.remove(secret: "s2")
        let removedAgain = table.remove(secret: "s2")
        #expect(removed && !removedAgain)
        #expect(table.session(secret: "s2", nowMilliseconds: 1) == nil)
    }

    @Test func theSessionTableIsBoundedOldestFirst() {
        var table = SessionTable()
        let far = Int64(1) << 50
        for index in 0...SessionTable.sessionCountMax {
            table.insert(secret: "s\(index)", session(expiresAt: far, created: Int64(index), user: "u\(index)"), nowMilliseconds: Int64(index))
        }
        #expect(table.count == SessionTable.sessionCountMax)
        #expect(table.session(secret: "s0", nowMilliseconds: 0) == nil)
        #expect(table.session(secret: "s\(SessionTable.sessionCountMax)", nowMilliseconds: 0) != nil)
    }

    @Test func pruningForgetsExpiredSessions() {
        var table = SessionTable()
        table.insert(secret: "old", session(expiresAt: 10, created: 0), nowMilliseconds: 0)
        table.insert(secret: "new", session(expiresAt: SessionTable.lifetimeMilliseconds * 3, created: 5), nowMilliseconds: 5)
        table.prune(nowMilliseconds: SessionTable.lifetimeMilliseconds * 2)
        #expect(table.count == 1)
        #expect(table.session(secret: "new", nowMilliseconds: SessionTable.lifetimeMilliseconds * 2) != nil)
    }

    @Test func ticketsWorkOnceAndExpire() {
        var table = TicketTable()
        table.issue("t", .init(user: "u", resource: "r", expiresAtMilliseconds: 100), nowMilliseconds: 0)
        #expect(table.redeem("t", nowMilliseconds: 50)?.resource == "r")
        #expect(table.redeem("t", nowMilliseconds: 50) == nil)
        table.issue("late", .init(user: "u", resource: "r", expiresAtMilliseconds: 100), nowMilliseconds: 0)
        #expect(table.redeem("late", nowMilliseconds: 100) == nil)
    }

    @Test func theSearchLimitAllowsFiveAMinutePerUser() {
        var limiter = SlidingWindowLimiter(limit: 5, windowMilliseconds: 60_000)
        for second in 0..<5 { #expect(limiter.admit("ann", nowMilliseconds: Int64(second) * 1000) == nil) }
        #expect(limiter.admit("ann", nowMilliseconds: 10_000) == 50_000)
        #expect(limiter.admit("bob", nowMilliseconds: 10_000) == nil)
        // The first search leaves the window after a minute; then one more fits.
        #expect(limiter.admit("ann", nowMilliseconds: 60_001) == nil)
        #expect(limiter.admit("ann", nowMilliseconds: 60_002) != nil)
    }

    @Test func base64URLKeysRoundTripAndRejectOtherText() throws {
        for text in ["models/llama-2-7b/config.json", "a", "ab", "ünï/cödé ?&", ""] {
            #expect(Base64URL.decode(Base64URL.encode(text)).map { String(decoding: $0, as: UTF8.self) } == text)
        }
        #expect(Base64URL.encode("models/llama-2-7b/config.json") == "bW9kZWxzL2xsYW1hLTItN2IvY29uZmlnLmpzb24")
        #expect(Base64URL.decode("not*base64") == nil)
        #expect(Base64URL.decode("a") == nil)
        #expect(throws: ConsoleError.self) { try ConsoleRequest.decodeKey("") }
        #expect(try ConsoleRequest.decodeKey("", allowEmpty: true) == "")
        // Valid base64 of bytes that are not UTF-8 is refused.
        #expect(throws: ConsoleError.self) { try ConsoleRequest.decodeKey(Base64URL.encode([0xFF, 0xFE])) }
    }

    @Test func previewsCutTextAtACharacterBoundary() {
        let text = Array("aé€😀".utf8)
        for cut in 0...text.count {
            let trimmed = ObjectRoutes.trimPartialCharacter(Array(text[..<cut]))
            #expect(String(validating: trimmed, as: UTF8.self) != nil, "cut at \(cut)")
            #expect(trimmed.count >= cut - 3)
        }
    }

    @Test func prettyJSONMatchesPythonsIndentTwo() throws {
        let value = try JSONValue(parsing: Array(#"{"b":[1,2],"a":{},"c":[],"d":"x"}"#.utf8))
        #expect(PrettyJSON.text(value) == "{\n  \"b\": [\n    1,\n    2\n  ],\n  \"a\": {},\n  \"c\": [],\n  \"d\": \"x\"\n}")
    }

    @Test func onlyHarmlessTypesAreShownInline() {
        #expect(ObjectRoutes.isSafeInline("image/png"))
        #expect(ObjectRoutes.isSafeInline("application/pdf"))
        #expect(ObjectRoutes.isSafeInline("text/plain; charset=utf-8"))
        #expect(!ObjectRoutes.isSafeInline("text/html"))
        #expect(!ObjectRoutes.isSafeInline("image/svg+xml"))
        #expect(!ObjectRoutes.isSafeInline("application/javascript"))
    }

    @Test func importJobsEndFailedWhenAFileFailedAndCancelledWhenStopped() {
        func job(_ statuses: [ImportJob.Status]) -> ImportJob {
            var job = ImportJob(
                id: "j", user: "u", bucket: "b", prefix: "", repo: "a/b", repoType: .model, revision: "main", createdAtMilliseconds: 0,
                files: statuses.indices.map { ImportJob.File(path: "f\($0)", key: "f\($0)", size: 10) })
            for (index, status) in statuses.enumerated() { job.files[index].status = status }
            return job
        }
        var done = job([.completed, .completed])
        done.finish(nowMilliseconds: 5, cancelled: false)
        #expect(done.status == .completed && done.finishedAtMilliseconds == 5)
        var partial = job([.completed, .failed])
        partial.finish(nowMilliseconds: 5, cancelled: false)
        #expect(partial.status == .failed)
        var stopped = job([.completed, .running, .queued])
        stopped.finish(nowMilliseconds: 5, cancelled: true)
        #expect(stopped.status == .cancelled && stopped.files.map(\.status) == [.completed, .cancelled, .cancelled])
    }

    @Test func hubInputsAreChecked() {
        #expect(HubImporter.isValidRepoID("meta-llama/Llama-2-7b-hf"))
        #expect(HubImporter.isValidRepoID("gpt2"))
        for bad in ["", "../etc", "a/../b", "a/b/c", "a b/c", "a/.", "a/..x"] { #expect(!HubImporter.isValidRepoID(bad), "\(bad)") }
        #expect(HubImporter.isValidRevision("main") && HubImporter.isValidRevision("refs/pr/1"))
        #expect(!HubImporter.isValidRevision("a?b") && !HubImporter.isValidRevision("../x") && !HubImporter.isValidRevision(""))
        #expect(HubImporter.nextLink(#"<https://hub/api/x?cursor=2>; rel="next""#) == "https://hub/api/x?cursor=2")
        #expect(HubImporter.nextLink(#"<https://hub/a>; rel="prev""#) == nil)
        #expect(HubSettings(endpoint: "http://hub:8/", token: "").endpoint == "http://hub:8" && HubSettings(endpoint: nil, token: "").token == nil)
        #expect(HubSettings(endpoint: nil, token: nil).endpoint == HubSettings.defaultEndpoint)
    }

    @Test func byteCountsReadForPeople() {
        #expect(ByteText.describe(20 << 30) == "20 GiB")
        #expect(ByteText.describe(1536 << 10) == "1.5 MiB")
        #expect(ByteText.describe(12) == "12 bytes")
    }

    @Test func assetNamesCannotLeaveTheirDirectory() {
        #expect(ConsoleAssets.isValidName("app.js"))
        for bad in ["", "../x", "a/b", ".hidden", "a\\b", "x%2F"] { #expect(!ConsoleAssets.isValidName(bad), "\(bad)") }
        #expect(ConsoleAssets.embedded["index.html"] != nil)
    }
}

@Suite struct SessionFairnessTests {
    @Test func oneUserCannotPushOthersOut() {
        var table = SessionTable()
        let far = Int64(1) << 50
        table.insert(
            secret: "bob",
            ConsoleSession(
                identity: .accessKey("B"), user: "bob", csrfToken: "c", isCookie: true, createdAtMilliseconds: 0, expiresAtMilliseconds: far),
            nowMilliseconds: 0)
        for index in 1...(SessionTable.sessionsPerUserMax + 5) {
            table.insert(
                secret: "m\(index)",
                ConsoleSession(
                    identity: .accessKey("M"), user: "mallory", csrfToken: "c", isCookie: true, createdAtMilliseconds: Int64(index),
                    expiresAtMilliseconds: far),
                nowMilliseconds: Int64(index))
        }
        #expect(table.count == SessionTable.sessionsPerUserMax + 1)
        #expect(table.session(secret: "bob", nowMilliseconds: 1) != nil)
        #expect(table.session(secret: "m1", nowMilliseconds: 1) == nil)
    }
}
