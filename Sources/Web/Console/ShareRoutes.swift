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

/// Share links (`/share/<token>`, any lifetime, revocable) and presigned URLs.
struct ShareRoutes {
    let face: ConsoleFace

    static let shareLifetimeSecondsMax: Int64 = 10 * 365 * 86_400
    static let passwordByteCountMax = 256
    static let shareTokenLength = 32
    static let shareSaltByteCount = 16

    func register(on router: Router<SporeRequestContext>) {
        router.post("/api/share/presign") { request, context in try await presign(request, context) }
        router.get("/api/shares") { request, context in try list(request, context) }
        router.post("/api/shares") { request, context in try await create(request, context) }
        router.delete("/api/shares/:token") { request, context in try await revoke(request, context) }
    }

    /// A presigned GET URL signed with the caller's own key: it can do no more than the caller.
    private func presign(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let caller = try face.caller(request, context: context)
        let body = try await ConsoleRequest.jsonObject(request)
        guard let bucket = body["bucket"]?.stringValue, let key = body["key"]?.stringValue else {
            throw ConsoleError.invalid("Send {\"bucket\", \"key\", \"expiresIn\"}.")
        }
        context.labels.set(operation: "console.Presign", resource: bucket + "/" + key)
        let seconds = try ConsoleRequest.int(body["expiresIn"], name: "expiresIn", range: 1...Int64(Limits.presignExpirySecondsMax)) ?? 3600
        guard let keyPair = caller.keyPair else {
            throw ConsoleError.invalid("Presigned URLs are signed with an access key; sign in with one, or create a share link.")
        }
        _ = try ObjectRoutes(face: face).readableVersion(caller, bucket: bucket, key: key, versionID: nil)
        let url = try PresignedURL.make(
            base: face.configuration.s3PublicURL, method: "GET", bucket: bucket, key: key, credential: keyPair, region: face.configuration.region,
            nowMilliseconds: face.now, expiresSeconds: seconds)
        return JSONResponse.make(["url": .string(url), "expiresAt": .string(Timestamp.iso8601(milliseconds: face.now + seconds * 1000))])
    }

    private func list(_ request: Request, _ context: SporeRequestContext) throws -> Response {
        let caller = try face.caller(request, context: context)
        context.labels.set(operation: "console.ListShares", resource: "-")
        let shares = try face.catalog.identity.shares().filter { caller.principal.isRoot || $0.createdBy == caller.user }
        return JSONResponse.make(["shares": .array(shares.map { describe($0, request) })])
    }

    private func create(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let caller = try face.caller(request, context: context)
        let body = try await ConsoleRequest.jsonObject(request)
        guard let bucket = body["bucket"]?.stringValue, let key = body["key"]?.stringValue else {
            throw ConsoleError.invalid("Send {\"bucket\", \"key\"} and optionally expiresIn, maxDownloads, password.")
        }
        context.labels.set(operation: "console.CreateShare", resource: bucket + "/" + key)
        let expiresIn = try ConsoleRequest.int(body["expiresIn"], name: "expiresIn", range: 1...Self.shareLifetimeSecondsMax)
        let downloads = try ConsoleRequest.int(body["maxDownloads"], name: "maxDownloads", range: 1...Int64.max)
        // Only what the caller may read can be shared, and a read-only key shares nothing new: a
        // share link is a write to the index.
        _ = try ObjectRoutes(face: face).readableVersion(caller, bucket: bucket, key: key, versionID: nil)
        guard !caller.principal.isReadOnly else { throw ConsoleError.denied("A read-only session cannot create share links.") }
        var digest: [UInt8]?
        var salt: [UInt8]?
        if let password = body["password"]?.stringValue, !password.isEmpty {
            guard password.utf8.count <= Self.passwordByteCountMax else { throw ConsoleError.invalid("The password is too long.") }
            let newSalt = (0..<Self.shareSaltByteCount).map { _ in UInt8.random(in: 0...255) }
            salt = newSalt
            digest = face.sealer.passwordDigest(password, salt: newSalt)
        }
        let now = face.now
        let record = ShareRecord(
            token: RandomText.make(length: Self.shareTokenLength, alphabet: RandomText.tokenAlphabet), bucket: bucket, key: key,
            createdBy: caller.user, createdAtMilliseconds: now, expiresAtMilliseconds: expiresIn.map { now + $0 * 1000 },
            passwordDigest: digest, passwordSalt: salt, downloadsMax: downloads
        )
        try await face.catalog.identity.createShare(record)
        return JSONResponse.make(describe(record, request), status: .created)
    }

    private func revoke(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let caller = try face.caller(request, context: context)
        let token = try ConsoleRequest.parameter(context, "token")
        context.labels.set(operation: "console.RevokeShare", resource: "-")
        guard let share = try face.catalog.identity.share(token), caller.principal.isRoot || share.createdBy == caller.user else {
            throw ConsoleError.notFound("No such share link of yours.")
        }
        try await face.catalog.identity.revokeShare(token)
        return JSONResponse.make(["message": "Share link revoked", "token": .string(token)])
    }

    private func describe(_ share: ShareRecord, _ request: Request) -> JSONValue {
        let base = face.configuration.httpPublicURL ?? "http://" + (request.head.authority ?? "127.0.0.1")
        var result: JSONObject = [
            "token": .string(share.token), "bucket": .string(share.bucket), "key": .string(share.key),
            "url": .string(base + "/share/" + share.token), "createdBy": .string(share.createdBy),
            "createdAt": .string(Timestamp.iso8601(milliseconds: share.createdAtMilliseconds)), "downloads": .int(share.downloadCount),
            "revoked": .bool(share.isRevoked), "hasPassword": .bool(share.passwordDigest != nil),
            "usable": .bool(share.isUsable(atMilliseconds: face.now)),
        ]
        result["expiresAt"] = share.expiresAtMilliseconds.map { .string(Timestamp.iso8601(milliseconds: $0)) } ?? .null
        result["maxDownloads"] = share.downloadsMax.map { .int($0) } ?? .null
        return .object(result)
    }
}
