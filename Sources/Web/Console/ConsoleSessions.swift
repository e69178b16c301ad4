import Access
import BlobStore
import Crypto
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Logging
import NIOCore
import Objects
import SporeJSON
import Synchronization

/// How a console session proves who it is on each request: an access key (looked up again every
/// time, so a deleted or disabled key ends its sessions at once) or a Hypha-style token (verified
/// again every time, so a revoked or expired token does too).
enum ConsoleIdentity: Sendable, Equatable {
    case accessKey(String)
    case hyphaToken(String)
}

/// One signed-in session. `isCookie` sessions came from the sign-in page and need the CSRF token
/// on every change; bearer sessions came from `/api/auth/token` and are sent by scripts.
struct ConsoleSession: Sendable, Equatable {
    let identity: ConsoleIdentity
    let user: String
    let csrfToken: String
    let isCookie: Bool
    let createdAtMilliseconds: Int64
    let expiresAtMilliseconds: Int64
}

/// The sessions of the daemon, keyed by the SHA-256 of their secret (the cookie or bearer value is
/// never kept). A value type with the time passed in, so its rules are tested without I/O.
struct SessionTable: Sendable {
    /// Sessions kept at once; past it the oldest is dropped (it signs in again).
    static let sessionCountMax = 10_000
    /// Sessions of one user; past it the user's oldest goes (one key holder cannot push everyone
    /// else out of the table).
    static let sessionsPerUserMax = 100
    static let lifetimeMilliseconds: Int64 = 12 * 3600 * 1000

    private var sessions: [String: ConsoleSession] = [:]
    private var order: [(id: String, createdAt: Int64, user: String)] = []

    var count: Int { sessions.count }

    static func id(of secret: String) -> String { Hex.encode(Array(SHA256.hash(data: Array(secret.utf8)))) }

    mutating func insert(secret: String, _ session: ConsoleSession, nowMilliseconds: Int64) {
        prune(nowMilliseconds: nowMilliseconds)
        let mine = order.filter { $0.user == session.user }
        if mine.count >= Self.sessionsPerUserMax, let oldest = mine.first {
            order.removeAll { $0.id == oldest.id }
            sessions[oldest.id] = nil
        }
        while sessions.count >= Self.sessionCountMax, let oldest = order.first {
            order.removeFirst()
            sessions[oldest.id] = nil
        }
        let id = Self.id(of: secret)
        sessions[id] = session
        order.append((id, session.createdAtMilliseconds, session.user))
        assert(sessions.count <= Self.sessionCountMax, "the session table is bounded")
    }

    /// The live session for `secret`, or nil when there is none or it has expired.
    func session(secret: String, nowMilliseconds: Int64) -> ConsoleSession? {
        guard let session = sessions[Self.id(of: secret)], session.expiresAtMilliseconds > nowMilliseconds else { return nil }
        return session
    }

    @discardableResult
    mutating func remove(secret: String) -> Bool {
        let id = Self.id(of: secret)
        guard sessions.removeValue(forKey: id) != nil else { return false }
        order.removeAll { $0.id == id }
        return true
    }

    /// Drops expired sessions (they are refused anyway; this returns their memory).
    mutating func prune(nowMilliseconds: Int64) {
        guard let first = order.first, first.createdAt + Self.lifetimeMilliseconds <= nowMilliseconds else { return }
        order.removeAll { entry in
            guard let session = sessions[entry.id] else { return true }
            if session.expiresAtMilliseconds <= nowMilliseconds {
                sessions[entry.id] = nil
                return true
            }
            return false
        }
    }
}

/// One-time tickets for the upload-progress event stream (an `EventSource` cannot send headers).
struct TicketTable: Sendable {
    static let ticketCountMax = 10_000
    static let lifetimeMilliseconds: Int64 = 60_000

    struct Ticket: Sendable, Equatable {
        let user: String
        let resource: String
        let expiresAtMilliseconds: Int64
    }

    private var tickets: [String: Ticket] = [:]

    mutating func issue(_ secret: String, _ ticket: Ticket, nowMilliseconds: Int64) {
        if tickets.count >= Self.ticketCountMax { tickets = tickets.filter { $0.value.expiresAtMilliseconds > nowMilliseconds } }
        if tickets.count >= Self.ticketCountMax, let any = tickets.keys.first { tickets[any] = nil }
        tickets[SessionTable.id(of: secret)] = ticket
    }

    /// Takes the ticket: a second use finds nothing.
    mutating func redeem(_ secret: String, nowMilliseconds: Int64) -> Ticket? {
        guard let ticket = tickets.removeValue(forKey: SessionTable.id(of: secret)), ticket.expiresAtMilliseconds > nowMilliseconds else {
            return nil
        }
        return ticket
    }
}

/// At most `limit` events per `windowMilliseconds` for each subject (the `contains` search: five a
/// minute per user). Subjects are bounded too: past `subjectCountMax` idle ones are forgotten.
struct SlidingWindowLimiter: Sendable {
    static let subjectCountMax = 10_000

    let limit: Int
    let windowMilliseconds: Int64
    private var events: [String: [Int64]] = [:]

    init(limit: Int, windowMilliseconds: Int64) {
        precondition(limit > 0 && windowMilliseconds > 0, "a limit allows something in some time")
        self.limit = limit
        self.windowMilliseconds = windowMilliseconds
    }

    /// Records an event, or returns how many milliseconds until the subject may try again.
    mutating func admit(_ subject: String, nowMilliseconds: Int64) -> Int64? {
        var recent = (events[subject] ?? []).filter { $0 > nowMilliseconds - windowMilliseconds }
        if recent.count >= limit {
            events[subject] = recent
            return max(1, recent[0] + windowMilliseconds - nowMilliseconds)
        }
        recent.append(nowMilliseconds)
        if events[subject] == nil, events.count >= Self.subjectCountMax {
            events = events.filter { $0.value.last.map { $0 > nowMilliseconds - windowMilliseconds } ?? false }
            if events.count >= Self.subjectCountMax, let any = events.keys.first { events[any] = nil }
        }
        events[subject] = recent
        assert(recent.count <= limit, "a window holds at most the limit")
        return nil
    }
}
