import Access
import BlobStore
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

/// `/api/auth/…`: signing in and out, the session, one-time tickets for event streams.
struct AuthRoutes {
    let face: ConsoleFace

    func register(on router: Router<SporeRequestContext>) {
        router.post("/api/auth/login") { request, context in try await signIn(request, context, cookie: true) }
        router.post("/api/auth/token") { request, context in try await signIn(request, context, cookie: false) }
        router.get("/api/auth/session") { request, context in try session(request, context) }
        router.post("/api/auth/logout") { request, context in try signOut(request, context) }
        router.post("/api/auth/sse-ticket") { request, context in try await ticket(request, context) }
    }

    /// Checks the key and secret (or the token) and opens a session: a cookie for the browser, or
    /// a bearer token for scripts. A wrong secret and an unknown key get the same answer.
    private func signIn(_ request: Request, _ context: SporeRequestContext, cookie: Bool) async throws -> Response {
        context.labels.set(operation: cookie ? "console.login" : "console.token", resource: "-")
        // A sign-in form posted from another site must not sign the browser in (login CSRF).
        try ConsoleFace.checkOrigin(request)
        let body = try await ConsoleRequest.jsonObject(request)
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        let claimedKey = body["accessKey"]?.stringValue.map { "key:\($0.prefix(128))@\(address)" }
        let subjects = ["ip:" + address] + (claimedKey.map { [$0] } ?? [])
        if let wait = face.throttle.refusal(subjects) { throw Self.tooManyAttempts(wait) }
        let identity: ConsoleIdentity
        let user: String
        var expiresAt = face.now + SessionTable.lifetimeMilliseconds
        if let token = body["token"]?.stringValue {
            guard token.utf8.count <= Limits.hyphaTokenByteCountMax, let claims = face.verifyToken?(token) else {
                try await failed(subjects)
                throw ConsoleError.unauthorized("The token is unknown, expired or revoked.")
            }
            identity = .hyphaToken(token)
            user = claims.user
            expiresAt = min(expiresAt, claims.expiresAtSeconds * 1000)
        } else {
            guard let accessKey = body["accessKey"]?.stringValue, let secret = body["secretKey"]?.stringValue else {
                throw ConsoleError.invalid("Send {\"accessKey\", \"secretKey\"} or {\"token\"}.")
            }
            guard let credential = face.credentials.credential(forAccessKey: accessKey),
                ConsoleFace.constantTimeEqual(secret, credential.secretKey)
            else {
                face.logger.notice("console: sign-in refused", metadata: ["access-key": "\(accessKey.prefix(32))"])
                try await failed(subjects)
                throw ConsoleError.unauthorized("The access key or the secret is wrong.")
            }
            identity = .accessKey(accessKey)
            user = credential.user
        }
        face.throttle.succeeded(subjects)
        let secret = RandomText.make(length: 43, alphabet: RandomText.secretAlphabet)
        let session = ConsoleSession(
            identity: identity, user: user, csrfToken: RandomText.make(length: 32, alphabet: RandomText.secretAlphabet), isCookie: cookie,
            createdAtMilliseconds: face.now, expiresAtMilliseconds: expiresAt
        )
        face.sessions.withLock { $0.insert(secret: secret, session, nowMilliseconds: face.now) }
        let caller = try face.resolve(identity, session: session, sourceIP: context.remoteAddress?.ipAddress)
        if cookie {
            var response = JSONResponse.make(describe(caller, session), headers: [.setCookie: setCookie(secret, session)])
            response.headers[.cacheControl] = "no-store"
            return response
        }
        return JSONResponse.make([
            "token": .string(secret), "user": .string(user), "expiresAt": .string(Timestamp.iso8601(milliseconds: session.expiresAtMilliseconds)),
        ])
    }

    /// Counts a failed sign-in; its answer is slowed once there are many, and refused past the limit.
    private func failed(_ subjects: [String]) async throws {
        let verdict = face.throttle.failed(subjects, kind: "console-sign-in")
        await AuthThrottle.pause(verdict)
        if case .refuse(let wait) = verdict { throw Self.tooManyAttempts(wait) }
    }

    static func tooManyAttempts(_ waitMilliseconds: Int64) -> ConsoleError {
        var error = ConsoleError(.tooManyRequests, "TooManyRequests", "Too many failed sign-ins; try again later.")
        error.headers[.retryAfter] = String(max(1, (waitMilliseconds + 999) / 1000))
        return error
    }

    private func session(_ request: Request, _ context: SporeRequestContext) throws -> Response {
        let caller = try face.caller(request, context: context)
        guard let session = caller.session else {
            return JSONResponse.make(["user": .string(caller.user), "isRoot": .bool(caller.principal.isRoot), "via": "token"])
        }
        return JSONResponse.make(describe(caller, session))
    }

    private func signOut(_ request: Request, _ context: SporeRequestContext) throws -> Response {
        _ = try face.caller(request, context: context)
        if let cookie = ConsoleFace.cookie(request) { face.sessions.withLock { _ = $0.remove(secret: cookie) } }
        if let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer ") {
            let secret = authorization.dropFirst(7).trimmingSpaces()
            face.sessions.withLock { _ = $0.remove(secret: secret) }
        }
        let clear = "\(ConsoleFace.cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (face.configuration.secureCookies ? "; Secure" : "")
        return JSONResponse.make(["message": "Signed out"], headers: [.setCookie: clear])
    }

    private func ticket(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let caller = try face.caller(request, context: context)
        let body = try await ConsoleRequest.jsonObject(request)
        guard let resource = body["resource"]?.stringValue, !resource.isEmpty, resource.utf8.count <= 2048 else {
            throw ConsoleError.invalid("Send {\"resource\": \"<encodedKey>\", \"resourceType\": \"upload\"}.")
        }
        let type = body["resourceType"]?.stringValue ?? "upload"
        guard type == "upload" else { throw ConsoleError.invalid("resourceType must be upload.") }
        let secret = RandomText.make(length: 32, alphabet: RandomText.secretAlphabet)
        let expiry = face.now + TicketTable.lifetimeMilliseconds
        face.tickets.withLock {
            $0.issue(secret, TicketTable.Ticket(user: caller.user, resource: resource, expiresAtMilliseconds: expiry), nowMilliseconds: face.now)
        }
        return JSONResponse.make(["ticket": .string(secret), "expiresAt": .string(Timestamp.iso8601(milliseconds: expiry))])
    }

    private func describe(_ caller: ConsoleCaller, _ session: ConsoleSession) -> JSONValue {
        let via: String
        switch session.identity {
        case .accessKey: via = "key"
        case .hyphaToken: via = "token"
        }
        return [
            "user": .string(caller.user), "isRoot": .bool(caller.principal.isRoot), "csrfToken": .string(session.csrfToken),
            "expiresAt": .string(Timestamp.iso8601(milliseconds: session.expiresAtMilliseconds)), "via": .string(via),
            "readOnly": .bool(caller.principal.isReadOnly),
        ]
    }

    private func setCookie(_ secret: String, _ session: ConsoleSession) -> String {
        // From the session's own times, not the clock again: a millisecond later it would say 43199.
        let seconds = max(0, (session.expiresAtMilliseconds - session.createdAtMilliseconds) / 1000)
        return "\(ConsoleFace.cookieName)=\(secret); Path=/; Max-Age=\(seconds); HttpOnly; SameSite=Strict"
            + (face.configuration.secureCookies ? "; Secure" : "")
    }
}
