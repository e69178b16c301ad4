import Access
import Foundation
import HTTPSupport
import HyphaAPI
import Index
import Objects
import S3API
import SporeJSON

/// Users, access keys and share links through the admin API. Secrets appear once, in the answer
/// to the call that creates them.
extension AdminService {
    /// Longest user name.
    static let userNameByteCountMax = 64
    /// Longest a managed key or share link may live (10 years); nil expiry means forever.
    static let lifetimeSecondsMax: Int64 = 10 * 365 * 86_400

    func handleIdentity(_ request: AdminRequest) async throws -> AdminResponse? {
        switch (request.method, request.command) {
        case ("GET", "users"):
            let users = try catalog.identity.users().map { user -> JSONValue in
                [
                    "created": .string(Timestamp.iso8601(milliseconds: user.createdAtMilliseconds)), "disabled": .bool(user.isDisabled),
                    "name": .string(user.name),
                ]
            }
            return Self.json(["users": .array(users)])
        case ("POST", "users"):
            let name = try Self.required(request, "name")
            guard Self.isValidUserName(name) else { return Self.failure(400, "user names are 1-64 letters, digits, '.', '_' or '-'") }
            guard credentials.credential(forUser: name) == nil else { return Self.failure(409, "\(name) is a built-in user") }
            let user = try await catalog.identity.createUser(name, nowMilliseconds: clock.nowMilliseconds())
            return Self.json(["created": .string(Timestamp.iso8601(milliseconds: user.createdAtMilliseconds)), "name": .string(user.name)])
        case ("POST", "users/disable"), ("POST", "users/enable"):
            let name = try Self.required(request, "name")
            try await catalog.identity.setUserDisabled(name, request.command == "users/disable")
            return Self.json(["disabled": .bool(request.command == "users/disable"), "name": .string(name)])
        case ("DELETE", "users"):
            let name = try Self.required(request, "name")
            try await catalog.identity.deleteUser(name)
            return Self.json(["deleted": .string(name)])
        case ("GET", "keys"):
            let keys = try catalog.identity.accessKeys(user: request.query["user"]).map { Self.describe($0) }
            return Self.json(["keys": .array(keys)])
        case ("POST", "keys"):
            return try await createKey(request)
        case ("POST", "keys/disable"), ("POST", "keys/enable"):
            let key = try Self.required(request, "access_key")
            try await catalog.identity.setAccessKeyDisabled(key, request.command == "keys/disable")
            return Self.json(["access_key": .string(key), "disabled": .bool(request.command == "keys/disable")])
        case ("DELETE", "keys"):
            let key = try Self.required(request, "access_key")
            try await catalog.identity.deleteAccessKey(key)
            return Self.json(["deleted": .string(key)])
        case ("GET", "workspaces"):
            let records = try catalog.workspaces.list().map { record -> JSONValue in
                [
                    "description": .string(record.description), "name": .string(record.name), "owners": Self.strings(record.owners),
                    "read_only": .bool(record.isReadOnly),
                ]
            }
            return Self.json(["workspaces": .array(records)])
        case ("POST", "workspaces"):
            let name = try Self.required(request, "name")
            guard WorkspaceRecord.isValidName(name), !name.hasPrefix("ws-user-"), name != "public" else {
                return Self.failure(400, "invalid workspace name \(name) (ws-user-… and public exist already)")
            }
            let owners = (request.query["owners"] ?? "").split(separator: ",").map(String.init)
            let record = WorkspaceRecord(
                name: name, owners: owners, isReadOnly: request.query["read_only"] == "true", description: request.query["description"] ?? ""
            )
            try await catalog.workspaces.create(record)
            return Self.json(["name": .string(name), "owners": Self.strings(owners), "read_only": .bool(record.isReadOnly)])
        case ("DELETE", "workspaces"):
            let name = try Self.required(request, "name")
            guard try catalog.workspaces.record(name) != nil else { return Self.failure(404, "no workspace \(name)") }
            try await catalog.workspaces.delete(name)
            return Self.json(["deleted": .string(name)])
        case ("GET", "shares"):
            return Self.json(["shares": .array(try catalog.identity.shares().map { describe($0) })])
        case ("POST", "shares"):
            return try await createShare(request)
        case ("POST", "tokens/revoke"):
            // By token (its text: the id is its hash) or every token of a user issued so far.
            let now = clock.nowMilliseconds() / 1000
            if let token = request.query["token"], !token.isEmpty {
                let id = HyphaToken.identifier(of: token)
                try await catalog.identity.revokeToken(id: id, expiresAtSeconds: now + Limits.hyphaTokenLifetimeSecondsMax, nowSeconds: now)
                return Self.json(["revoked_token": .string(id)])
            }
            let user = try Self.required(request, "user")
            try await catalog.identity.revokeTokens(user: user, issuedUpToSeconds: now)
            return Self.json(["revoked_tokens_of": .string(user), "issued_up_to": .int(now)])
        case ("DELETE", "shares"):
            let token = try Self.required(request, "token")
            try await catalog.identity.revokeShare(token)
            return Self.json(["revoked": .string(token)])
        default:
            return nil
        }
    }

    private func createKey(_ request: AdminRequest) async throws -> AdminResponse {
        let user = try Self.required(request, "user")
        guard try credentials.credential(forUser: user) != nil || catalog.identity.user(named: user) != nil else {
            return Self.failure(404, "no user \(user)")
        }
        var scopes = [KeyScope]()
        if let bucket = request.query["bucket"] {
            guard BucketName(validating: bucket) != nil else { return Self.failure(400, "invalid bucket name \(bucket)") }
            scopes.append(KeyScope(bucket: bucket, prefix: request.query["prefix"] ?? ""))
        } else if request.query["prefix"] != nil {
            return Self.failure(400, "a prefix needs a bucket")
        }
        let now = clock.nowMilliseconds()
        let expiry = try Self.expiry(request, now: now)
        let accessKey = RandomText.make(length: 20, alphabet: RandomText.accessKeyAlphabet)
        let secret = RandomText.make(length: 40, alphabet: RandomText.secretAlphabet)
        let record = AccessKeyRecord(
            accessKey: accessKey, user: user, sealedSecret: try sealer.seal(secret), scopes: scopes,
            isReadOnly: request.query["read_only"] == "true", expiresAtMilliseconds: expiry, createdAtMilliseconds: now,
            label: request.query["label"]
        )
        try await catalog.identity.createAccessKey(record)
        return Self.json(Self.describe(record, secret: secret))
    }

    private func createShare(_ request: AdminRequest) async throws -> AdminResponse {
        let bucket = try Self.required(request, "bucket")
        let key = try Self.required(request, "key")
        guard let objectKey = ObjectKey(validating: key) else { return Self.failure(400, "invalid key") }
        let now = clock.nowMilliseconds()
        let (_, lookup) = try catalog.objects.lookup(bucket: bucket, key: objectKey, versionID: nil, nowMilliseconds: now)
        guard case .found = lookup else { return Self.failure(404, "no object \(bucket)/\(key)") }
        let expiry = try Self.expiry(request, now: now)
        var digest: [UInt8]?
        var salt: [UInt8]?
        if let password = request.query["password"], !password.isEmpty {
            let newSalt = (0..<16).map { _ in UInt8.random(in: 0...255) }
            salt = newSalt
            digest = sealer.passwordDigest(password, salt: newSalt)
        }
        var downloads: Int64?
        if let text = request.query["max_downloads"] {
            guard let value = Int64(text), value > 0 else { return Self.failure(400, "max_downloads must be a positive number") }
            downloads = value
        }
        let record = ShareRecord(
            token: RandomText.make(length: 32, alphabet: RandomText.tokenAlphabet), bucket: bucket, key: key,
            createdBy: request.query["as"] ?? rootUser,
            createdAtMilliseconds: now, expiresAtMilliseconds: expiry, passwordDigest: digest, passwordSalt: salt, downloadsMax: downloads
        )
        try await catalog.identity.createShare(record)
        return Self.json(describe(record))
    }

    /// A share link's answer; keys in sorted order, as the CLI and scripts have always seen them.
    private func describe(_ share: ShareRecord) -> JSONValue {
        var result: JSONObject = [
            "bucket": .string(share.bucket), "created": .string(Timestamp.iso8601(milliseconds: share.createdAtMilliseconds)),
            "downloads": .int(share.downloadCount),
        ]
        if let expiry = share.expiresAtMilliseconds { result["expires"] = .string(Timestamp.iso8601(milliseconds: expiry)) }
        result["key"] = .string(share.key)
        if let max = share.downloadsMax { result["max_downloads"] = .int(max) }
        result["password"] = .bool(share.passwordDigest != nil)
        result["path"] = .string(ShareResponder.pathPrefix + share.token)
        result["revoked"] = .bool(share.isRevoked)
        result["token"] = .string(share.token)
        if let base = httpPublicURL { result["url"] = .string(base + ShareResponder.pathPrefix + share.token) }
        return .object(result)
    }

    /// An access key's answer (with its secret only when just created); keys in sorted order.
    static func describe(_ key: AccessKeyRecord, secret: String? = nil) -> JSONValue {
        var result: JSONObject = [
            "access_key": .string(key.accessKey), "created": .string(Timestamp.iso8601(milliseconds: key.createdAtMilliseconds)),
            "disabled": .bool(key.isDisabled),
        ]
        if let expiry = key.expiresAtMilliseconds { result["expires"] = .string(Timestamp.iso8601(milliseconds: expiry)) }
        if let label = key.label { result["label"] = .string(label) }
        result["read_only"] = .bool(key.isReadOnly)
        result["scopes"] = .array(key.scopes.map { ["bucket": .string($0.bucket), "prefix": .string($0.prefix)] })
        if let secret { result["secret_key"] = .string(secret) }
        result["user"] = .string(key.user)
        return .object(result)
    }

    static func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }

    static func expiry(_ request: AdminRequest, now: Int64) throws -> Int64? {
        guard let text = request.query["expires_in"] else { return nil }
        guard let seconds = Int64(text), seconds > 0, seconds <= lifetimeSecondsMax else {
            throw AdminFailure(status: 400, message: "expires_in must be between 1 and \(lifetimeSecondsMax) seconds")
        }
        return now + seconds * 1000
    }

    static func isValidUserName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= userNameByteCountMax
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
    }

    static func required(_ request: AdminRequest, _ name: String) throws -> String {
        guard let value = request.query[name], !value.isEmpty else { throw AdminFailure(status: 400, message: "missing parameter \(name)") }
        return value
    }

    /// An answer: the value's compact JSON text. Objects keep the order they are built in: the
    /// identity answers above build theirs with keys sorted, as they have always come; the
    /// operations answers (stats, gc, debug hooks) keep the order they have always been written in.
    static func json(_ value: JSONValue, status: Int = 200) -> AdminResponse {
        AdminResponse(status: status, json: value.jsonText)
    }

    static func failure(_ status: Int, _ message: String) -> AdminResponse {
        json(["error": .string(message)], status: status)
    }
}

/// An admin call that cannot be answered as asked.
struct AdminFailure: Error {
    let status: Int
    let message: String
}
