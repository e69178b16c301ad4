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

/// Who a console request acts for: the session (if any) and the S3 principal it resolves to now.
struct ConsoleCaller: Sendable {
    let principal: Principal
    let session: ConsoleSession?
    /// The access key's secret, when the caller signed in with a key (presigned URLs are signed with it).
    let keyPair: AccessKeyPair?
    let sourceIP: String?

    var user: String { principal.user }
}

extension ConsoleFace {
    /// Resolves the caller of a request: `Authorization: Bearer` (a console token or a Hypha-style
    /// token) or the session cookie, which needs `X-CSRF-Token` on every state-changing request and
    /// a same-origin `Origin` when the browser sends one.
    func caller(_ request: Request, context: SporeRequestContext) throws -> ConsoleCaller {
        let ip = context.remoteAddress?.ipAddress
        if let authorization = request.headers[.authorization] {
            guard authorization.hasPrefix("Bearer "), case let secret = authorization.dropFirst(7).trimmingSpaces(), !secret.isEmpty else {
                throw ConsoleError.unauthorized("Authorization must be `Bearer <token>`.")
            }
            if let session = sessions.withLock({ $0.session(secret: secret, nowMilliseconds: now) }), !session.isCookie {
                return try resolve(session.identity, session: session, sourceIP: ip)
            }
            if verifyToken != nil, secret.utf8.count <= Limits.hyphaTokenByteCountMax {
                return try resolve(.hyphaToken(secret), session: nil, sourceIP: ip)
            }
            throw ConsoleError.unauthorized("The token is unknown, expired or revoked.")
        }
        guard let secret = Self.cookie(request) else { throw ConsoleError.unauthorized() }
        guard let session = sessions.withLock({ $0.session(secret: secret, nowMilliseconds: now) }), session.isCookie else {
            throw ConsoleError.unauthorized("The session has ended; sign in again.")
        }
        if Self.changesState(request.method) {
            try Self.checkOrigin(request)
            guard let sent = request.headers[Self.csrfField], Self.constantTimeEqual(sent, session.csrfToken) else { throw ConsoleError.csrf }
        }
        return try resolve(session.identity, session: session, sourceIP: ip)
    }

    /// The principal an identity stands for at this moment.
    func resolve(_ identity: ConsoleIdentity, session: ConsoleSession?, sourceIP: String?) throws -> ConsoleCaller {
        switch identity {
        case .accessKey(let accessKey):
            guard let credential = credentials.credential(forAccessKey: accessKey) else {
                throw ConsoleError.unauthorized("The access key of this session no longer works; sign in again.")
            }
            return ConsoleCaller(principal: credential.principal, session: session, keyPair: credential.keyPair, sourceIP: sourceIP)
        case .hyphaToken(let text):
            guard let claims = verifyToken?(text) else { throw ConsoleError.unauthorized("The token is unknown, expired or revoked.") }
            return ConsoleCaller(principal: principal(for: claims), session: session, keyPair: nil, sourceIP: sourceIP)
        }
    }

    /// A user's own token speaks for the S3 user of the same name when there is one; any other
    /// token (one minted with `generate_token` for a collaborator, say) only for its workspaces'
    /// folders in the workspace bucket (read-only when it may only read them).
    func principal(for claims: ConsoleTokenClaims) -> Principal {
        let marker = "hypha-token"
        let isUser = credentials.credential(forUser: claims.user) != nil || ((try? catalog.identity.user(named: claims.user)) ?? nil) != nil
        if isUser, claims.speaksForUser, claims.user != configuration.rootUser {
            return Principal(user: claims.user, isRoot: false, accessKey: marker)
        }
        let writable = claims.workspaces.filter { !$0.readOnly }
        let chosen = writable.isEmpty ? claims.workspaces : writable
        let scopes = chosen.map { KeyScope(bucket: configuration.workspaceBucket, prefix: $0.name == "*" ? "" : $0.name + "/") }
        // A token without workspaces gets a scope no key can match: it may see nothing.
        let bounded = scopes.isEmpty ? [KeyScope(bucket: configuration.workspaceBucket, prefix: "\u{0}")] : scopes
        return Principal(user: claims.user, isRoot: false, accessKey: marker, scopes: bounded, isReadOnly: writable.isEmpty)
    }

    static func changesState(_ method: HTTPRequest.Method) -> Bool {
        method == .post || method == .put || method == .delete || method == .patch
    }

    /// A browser's `Origin` must be this listener's own (scheme and host as the request addressed it).
    static func checkOrigin(_ request: Request) throws {
        guard let origin = request.headers[.origin] else { return }
        let host = request.head.authority ?? ""
        guard origin == "http://" + host || origin == "https://" + host else {
            throw ConsoleError(.forbidden, "CSRFTokenInvalid", "Cross-origin requests cannot change anything here.")
        }
    }

    static func cookie(_ request: Request) -> String? {
        for field in request.headers[values: .cookie] {
            for item in field.split(separator: ";") {
                let pair = item.trimmingSpaces()
                if pair.hasPrefix(cookieName + "=") { return String(pair.dropFirst(cookieName.count + 1)) }
            }
        }
        return nil
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    // MARK: Access

    /// The bucket, if the caller may perform `action` on it (and on `key`).
    func authorizedBucket(_ caller: ConsoleCaller, _ name: String, action: String, key: String? = nil, prefix: String? = nil) throws -> BucketRecord {
        guard let bucket = try catalog.buckets.bucket(named: name) else { throw ConsoleError.noSuchBucket(name) }
        try authorize(caller, bucket, action: action, key: key, prefix: prefix)
        return bucket
    }

    func allows(
        _ caller: ConsoleCaller, _ bucket: BucketRecord, action: String, key: String? = nil, prefix: String? = nil, object: ObjectVersion? = nil
    )
        -> Bool
    {
        var query = AccessDecider.Query(principal: caller.principal, action: action, bucket: bucket, key: key)
        query.objectACL = object?.acl
        query.objectOwner = object?.owner
        if let ip = caller.sourceIP { query.context["aws:sourceip"] = ip }
        if !caller.principal.isAnonymous { query.context["aws:username"] = caller.principal.user }
        if let prefix { query.context["s3:prefix"] = prefix }
        if action.hasPrefix("s3:ListBucket"), query.context["s3:prefix"] == nil { query.context["s3:prefix"] = "" }
        for (name, value) in object?.tags ?? [] { query.context["s3:existingobjecttag/" + name.lowercased()] = value }
        return access.allows(query)
    }

    func authorize(
        _ caller: ConsoleCaller, _ bucket: BucketRecord, action: String, key: String? = nil, prefix: String? = nil, object: ObjectVersion? = nil
    ) throws {
        guard allows(caller, bucket, action: action, key: key, prefix: prefix, object: object) else { throw ConsoleError.denied() }
    }

    /// For actions no ACL or policy grants (creating buckets): a signed, unscoped, writable principal.
    func requireFullKey(_ caller: ConsoleCaller) throws {
        if !caller.principal.scopes.isEmpty || caller.principal.isReadOnly {
            throw ConsoleError.denied("This key is limited to some buckets or to reading.")
        }
    }

    func requireRoot(_ caller: ConsoleCaller) throws {
        guard caller.principal.isRoot else { throw ConsoleError.denied("Only the root user may do this.") }
    }
}
