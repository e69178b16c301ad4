import Access
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import NIOCore
import Objects
import SporeJSON

/// Serves share links, `/share/<token>` on the HTTP listener: read access to one object for anyone
/// holding the link, until it expires, is revoked or runs out of downloads, optionally behind a
/// password (HTTP Basic, any user name, or `?password=`). Works long after any SigV4 presigned URL
/// (at most 7 days) would have expired.
public struct ShareResponder: Sendable {
    public static let pathPrefix = "/share/"

    let s3: S3Service
    let sealer: SecretSealer

    public init(s3: S3Service, sealer: SecretSealer) {
        self.s3 = s3
        self.sealer = sealer
    }

    public func respond(to request: Request, route: String, context: SporeRequestContext) async -> Response {
        context.labels.set(operation: "share." + request.method.rawValue, resource: "-")
        guard request.method == .get || request.method == .head else {
            return Self.json(.methodNotAllowed, "Share links only answer GET and HEAD.")
        }
        let token = String(route.dropFirst(Self.pathPrefix.count))
        guard !token.isEmpty, token.utf8.count <= Limits.shareTokenByteCountMax, let share = try? s3.catalog.identity.share(token) else {
            return Self.json(.notFound, "No such share link.")
        }
        context.labels.set(operation: "share." + request.method.rawValue, resource: "\(share.bucket)/\(share.key)")
        let now = s3.clock.nowMilliseconds()
        guard share.isUsable(atMilliseconds: now) else { return Self.json(.gone, "This share link has expired or was revoked.") }
        if let digest = share.passwordDigest, let salt = share.passwordSalt {
            // Password guessing is counted per link and per address: slowed, then refused a while.
            // Per address (and per link from it), never per link alone: a guesser must not get
            // the link refused for the people who know its password.
            let address = context.remoteAddress?.ipAddress ?? "unknown"
            let subjects = ["ip:" + address, "share:\(token)@\(address)"]
            if let wait = s3.throttle.refusal(subjects) { return Self.tooManyAttempts(wait) }
            guard let password = Self.password(request), sealer.passwordMatches(password, digest: digest, salt: salt) else {
                let verdict = s3.throttle.failed(subjects, kind: "share-password")
                await AuthThrottle.pause(verdict)
                if case .refuse(let wait) = verdict { return Self.tooManyAttempts(wait) }
                var response = Self.json(.unauthorized, "This share link needs its password.")
                response.headers[.wwwAuthenticate] = "Basic realm=\"spore share\", charset=\"UTF-8\""
                return response
            }
            s3.throttle.succeeded(subjects)
        }
        // A download is counted for GETs of the whole object or its first bytes, so a player that
        // seeks with many ranges uses one download, not hundreds.
        let counts = request.method == .get && Self.startsAtZero(request.headers[.range])
        if counts {
            guard (try? await s3.catalog.identity.consumeShare(token, nowMilliseconds: now)) ?? nil != nil else {
                return Self.json(.gone, "This share link has expired or was revoked.")
            }
        }
        return await s3.serveShared(share, request: request, eventLoop: context.channel.eventLoop)
    }

    static func startsAtZero(_ range: String?) -> Bool {
        guard let range else { return true }
        return range.replacingOccurrences(of: " ", with: "").hasPrefix("bytes=0-")
    }

    static func password(_ request: Request) -> String? {
        if let password = RequestFields.basicPassword(request.headers[.authorization]) { return password }
        let query = (request.head.path ?? "").split(separator: "?", maxSplits: 1).dropFirst().first ?? ""
        for item in query.split(separator: "&") where item.hasPrefix("password=") {
            return PercentEncoding.decodeString(item.dropFirst("password=".count), plusIsSpace: true)
        }
        return nil
    }

    static func tooManyAttempts(_ waitMilliseconds: Int64) -> Response {
        var response = json(.tooManyRequests, "Too many wrong passwords; try again later.")
        response.headers[.retryAfter] = String(max(1, (waitMilliseconds + 999) / 1000))
        return response
    }

    static func json(_ status: HTTPResponse.Status, _ detail: String) -> Response {
        JSONResponse.make(["detail": .string(detail)], status: status)
    }
}

extension S3Service {
    /// Streams a shared object: the current version of exactly the shared key, read through the
    /// object service (no S3 request is made up for it), with the standard conditions and ranges.
    func serveShared(_ share: ShareRecord, request: Request, eventLoop: any EventLoop) async -> Response {
        do {
            guard let key = ObjectKey(validating: share.key), let version = try objects.currentVersion(bucket: share.bucket, key: key) else {
                return ShareResponder.json(.notFound, S3Error.noSuchKey(share.key).message)
            }
            guard try creatorMayRead(share, version: version) else {
                return ShareResponder.json(.gone, "The creator of this share link can no longer read it.")
            }
            var response = try await ObjectResponse.serve(objects, version: version, request: request, eventLoop: eventLoop)
            if response.headers[.contentDisposition] == nil {
                let name = share.key.split(separator: "/").last.map(String.init) ?? share.key
                response.headers[.contentDisposition] = "inline; filename*=UTF-8''\(PercentEncoding.encode(name))"
            }
            return response
        } catch {
            let s3Error = S3Error.from(error)
            return ShareResponder.json(s3Error.status, s3Error.message)
        }
    }

    /// A link never outlives its creator's access: the creator must still exist, be enabled and
    /// be allowed to read the object now (its bucket policy, ACL and ownership as they are today).
    func creatorMayRead(_ share: ShareRecord, version: ObjectVersion) throws -> Bool {
        let principal: Principal
        if let credential = credentials.credential(forUser: share.createdBy) {
            principal = Principal(user: credential.user, isRoot: credential.isRoot, accessKey: "share-link")
        } else if let user = try catalog.identity.user(named: share.createdBy), !user.isDisabled {
            principal = Principal(user: user.name, isRoot: false, accessKey: "share-link")
        } else {
            return false
        }
        guard let bucket = try catalog.buckets.bucket(named: share.bucket) else { return false }
        var query = AccessDecider.Query(principal: principal, action: "s3:GetObject", bucket: bucket, key: share.key)
        query.objectACL = version.acl
        query.objectOwner = version.owner
        return access.allows(query)
    }
}
