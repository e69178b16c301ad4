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

/// What a Hypha-style token says, once the composition root has verified it (signature, expiry,
/// revocation): the console is not the Hypha face and does not read tokens itself.
public struct ConsoleTokenClaims: Sendable, Equatable {
    public let user: String
    /// Workspaces and whether the token may only read them; `*` is every workspace.
    public let workspaces: [(name: String, readOnly: Bool)]
    public let expiresAtSeconds: Int64
    /// Whether the token speaks for its user as a whole (its subject is the user, as `spore token
    /// create` mints them) rather than being a narrower token the user minted for someone else.
    public let speaksForUser: Bool

    public init(user: String, workspaces: [(name: String, readOnly: Bool)], expiresAtSeconds: Int64, speaksForUser: Bool) {
        self.user = user
        self.workspaces = workspaces
        self.expiresAtSeconds = expiresAtSeconds
        self.speaksForUser = speaksForUser
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.user == rhs.user && lhs.expiresAtSeconds == rhs.expiresAtSeconds && lhs.speaksForUser == rhs.speaksForUser
            && lhs.workspaces.map(\.name) == rhs.workspaces.map(\.name) && lhs.workspaces.map(\.readOnly) == rhs.workspaces.map(\.readOnly)
    }
}

/// Verifies a Hypha-style token: nil when it is malformed, forged, expired or revoked.
public typealias ConsoleTokenVerifier = @Sendable (String) -> ConsoleTokenClaims?

/// What the console face is built from; supplied by the composition root.
public struct ConsoleConfiguration: Sendable {
    /// Where S3 clients reach the daemon, for presigned URLs.
    public var s3PublicURL: String
    /// Where other machines reach the HTTP listener, for share links (nil: the request's host).
    public var httpPublicURL: String?
    public var region: String
    public var rootUser: String
    /// The bucket of the Hypha-style workspaces.
    public var workspaceBucket: String
    /// Serve the UI's files from this directory instead of the embedded copies (development).
    public var assetsDirectory: String?
    /// `Secure` on the session cookie (the listener speaks TLS).
    public var secureCookies: Bool

    public init(
        s3PublicURL: String, httpPublicURL: String?, region: String, rootUser: String, workspaceBucket: String, assetsDirectory: String? = nil,
        secureCookies: Bool = false
    ) {
        self.s3PublicURL = s3PublicURL
        self.httpPublicURL = httpPublicURL
        self.region = region
        self.rootUser = rootUser
        self.workspaceBucket = workspaceBucket
        self.assetsDirectory = assetsDirectory
        self.secureCookies = secureCookies
    }
}

/// The web console's face: the JSON API under `/api/` (the S3 console seed's Objects API and what
/// the UI needs beyond it) and the UI under `/console/`. It acts on buckets and objects through
/// the object service and the catalog's stores, deciding each action with the same `AccessDecider`
/// the S3 face uses, for the principal the session resolves to: the console has no power of its own.
public final class ConsoleFace: Sendable {
    public static let apiPrefix = "/api/"
    public static let uiPrefix = "/console/"
    static let cookieName = "spore_console"
    static let csrfField = HTTPField.Name("x-csrf-token")!

    /// `contains` searches per user and minute (the seed's limit).
    static let containsSearchesPerMinute = 5
    /// Keys a `contains` search reads per request: ten listing pages.
    static let searchScanPageCountMax = 10

    let objects: ObjectService
    let credentials: any CredentialStore
    let sealer: SecretSealer
    let configuration: ConsoleConfiguration
    let verifyToken: ConsoleTokenVerifier?
    let admin: AdminHandler?
    let artifacts: ConsoleArtifactGateway?
    /// The daemon's authentication-failure throttle (sign-ins count with the S3 face's failures).
    let throttle: AuthThrottle
    let logger: Logger
    let access = AccessDecider()
    let startedAtMilliseconds: Int64
    let uploads = UploadProgressBoard()
    let imports: ImportJobs

    let sessions = Mutex(SessionTable())
    let tickets = Mutex(TicketTable())
    let searchLimiter = Mutex(SlidingWindowLimiter(limit: containsSearchesPerMinute, windowMilliseconds: 60_000))

    var catalog: Catalog { objects.catalog }
    var clock: any WallClock { objects.clock }
    var now: Int64 { objects.clock.nowMilliseconds() }

    public init(
        objects: ObjectService, credentials: any CredentialStore, sealer: SecretSealer, configuration: ConsoleConfiguration,
        verifyToken: ConsoleTokenVerifier?, admin: AdminHandler?, artifacts: ConsoleArtifactGateway? = nil, throttle: AuthThrottle,
        importer: HubImporter, logger: Logger
    ) {
        self.throttle = throttle
        self.artifacts = artifacts
        self.objects = objects
        self.credentials = credentials
        self.sealer = sealer
        self.configuration = configuration
        self.verifyToken = verifyToken
        self.admin = admin
        self.logger = logger
        self.startedAtMilliseconds = objects.clock.nowMilliseconds()
        self.imports = ImportJobs(importer: importer)
    }

    /// Whether a path belongs to the console (the front listener sends it here).
    public static func serves(route: String) -> Bool {
        route == "/" || route == "/console" || route.hasPrefix(uiPrefix) || route.hasPrefix(apiPrefix) || route == "/api"
    }

    public func makeResponder() -> some HTTPResponder<SporeRequestContext> {
        let router = Router(context: SporeRequestContext.self)
        router.add(middleware: ConsoleMiddleware())
        AuthRoutes(face: self).register(on: router)
        ObjectRoutes(face: self).register(on: router)
        MultipartRoutes(face: self).register(on: router)
        BucketRoutes(face: self).register(on: router)
        ShareRoutes(face: self).register(on: router)
        AdminRoutes(face: self).register(on: router)
        ImportRoutes(face: self).register(on: router)
        ArtifactRoutes(face: self).register(on: router)
        AssetRoutes(face: self).register(on: router)
        return router.buildResponder()
    }

    static let hubTokenSetting = "huggingface-token"

    /// The token stored through the settings endpoint, opened.
    func storedHubToken() -> String? {
        guard let sealed = (try? catalog.daemonSetting(Self.hubTokenSetting)) ?? nil else { return nil }
        return sealer.open(sealed)
    }

    /// The token hub requests carry: the stored one, else `HF_TOKEN`.
    func hubToken() -> String? { storedHubToken() ?? imports.importer.settings.token }

    /// Stops background work (import jobs) at shutdown.
    public func shutdown() async { await imports.cancelAll() }
}

/// Every console answer is JSON errors in the seed's shape and never cached by a shared cache;
/// the labels name the operation for the request log.
struct ConsoleMiddleware: RouterMiddleware {
    typealias Context = SporeRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.head.path ?? "/"
        let route = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        if context.labels.current.operation == "Unknown" {
            context.labels.set(operation: "console." + request.method.rawValue, resource: String(route.prefix(96)))
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            response = ConsoleError.notFound("No such console endpoint: \(request.method) \(route)").response()
        } catch let error as HTTPError where error.status == .methodNotAllowed {
            response = ConsoleError(.methodNotAllowed, "MethodNotAllowed", "\(request.method) is not allowed here.").response()
        } catch {
            response = ConsoleError.from(error).response()
        }
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        response.headers[HTTPField.Name("x-content-type-options")!] = "nosniff"
        response.headers[HTTPField.Name("referrer-policy")!] = "same-origin"
        return response
    }
}
