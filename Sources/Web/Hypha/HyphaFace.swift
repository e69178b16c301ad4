import Artifacts
import HTTPSupport
import Hummingbird
import Index
import Objects

/// The Hypha-style API on the HTTP listener: `/{workspace}/files/…`, the multipart endpoints and
/// `/{workspace}/services/…` (the service functions of the registry). Files live in the workspace
/// bucket under `{workspace}/`, so S3 clients see the same bytes; every read and write goes
/// through the object service, never through the S3 face.
public struct HyphaFace: Sendable {
    let objects: ObjectService
    let configuration: HyphaConfiguration
    let sealer: SecretSealer
    let services: ServiceRegistry
    let artifacts: ArtifactService
    let zipDirectories = ZipDirectoryCache()
    let viewPages = ViewPageCache()
    let templateRenders = TemplateRenderGate()

    public init(objects: ObjectService, configuration: HyphaConfiguration, sealer: SecretSealer, artifacts: ArtifactService) {
        self.objects = objects
        self.configuration = configuration
        self.sealer = sealer
        self.artifacts = artifacts
        self.services = ServiceRegistry(services: [StorageService.definition, WorkspaceManagerService.definition, ArtifactManagerService.definition])
    }

    /// The artifact manager over this face's objects, signing its URLs as this face does.
    public static func makeArtifactService(objects: ObjectService, configuration: HyphaConfiguration) -> ArtifactService {
        ArtifactService(
            objects: objects, bucket: configuration.workspaceBucket, storageOwner: configuration.storageOwner,
            signer: HyphaURLSigner(configuration: configuration, clock: objects.clock)
        )
    }

    var bucket: String { configuration.workspaceBucket }
    var catalog: Catalog { objects.catalog }
    var nowMilliseconds: Int64 { objects.clock.nowMilliseconds() }

    /// The router of the face, with its middleware (CORS, errors in Hypha's shapes, log labels).
    public func makeResponder() -> RouterResponder<SporeRequestContext> {
        let router = Router(context: SporeRequestContext.self)
        router.add(middleware: HyphaMiddleware())
        FilesRoutes(face: self).register(on: router)
        ServiceRoutes(face: self).register(on: router)
        ArtifactRoutes(face: self).register(on: router)
        ZipRoutes(face: self).register(on: router)
        ViewRoutes(face: self).register(on: router)
        return router.buildResponder()
    }

    // MARK: Callers and workspaces

    /// The caller; a specialized token (one with extra scopes) is accepted only where the route
    /// checks those scopes itself (`allowingSpecialized`), as in Hypha.
    func caller(_ request: Request, query: HyphaQuery, allowingSpecialized: Bool = false) throws -> HyphaCaller {
        let caller = try HyphaCaller.authenticate(request, query: query, secret: configuration.jwtSecret, nowSeconds: nowMilliseconds / 1000)
        if let token = caller.token, isRevoked(token) { throw HyphaError.unauthorized("The token has been revoked.") }
        if !allowingSpecialized, caller.token?.isSpecialized == true {
            throw HyphaError(status: .forbidden, detail: "This token is limited to its scopes and cannot be used here.", shape: .detailOnly)
        }
        return caller
    }

    /// Whether `token` was revoked (`spore token revoke`); an index that cannot answer counts as
    /// revoked: a check that fails must not let a token through.
    func isRevoked(_ token: HyphaToken) -> Bool {
        (try? catalog.identity.isTokenRevoked(id: token.id, user: token.userID, issuedAtSeconds: token.issuedAtSeconds)) ?? true
    }

    /// The workspace bucket appears with the first use of the API, so S3-only users never see it.
    func ensureBucket() async throws {
        guard try catalog.buckets.bucket(named: bucket) == nil else { return }
        guard let name = BucketName(validating: bucket) else { throw IndexError.invalidRequest("invalid workspace bucket name \(bucket)") }
        do {
            _ = try await catalog.buckets.createBucket(name, owner: configuration.storageOwner, location: nil, nowMilliseconds: nowMilliseconds)
        } catch IndexError.bucketOwnedByCaller {
            return
        }
    }

    /// Whether the workspace exists, with its record (read once). Personal workspaces
    /// (`ws-user-…`) and `public` always exist; others once created.
    func lookupWorkspace(_ workspace: String) -> (exists: Bool, record: WorkspaceRecord?) {
        let record = try? catalog.workspaces.record(workspace)
        return (workspace.hasPrefix("ws-user-") || workspace == "public" || record != nil, record)
    }

    /// Checks that the workspace exists and that the caller has `needed` on it, with Hypha's
    /// messages; answers the caller's permission.
    @discardableResult
    func require(_ needed: WorkspacePermission, on workspace: String, caller: HyphaCaller) throws -> WorkspacePermission {
        let (exists, record) = lookupWorkspace(workspace)
        guard exists else { throw HyphaError.notFound("Workspace does not exists: \(workspace)") }
        guard let permission = caller.permission(workspace, record: record), permission >= needed else {
            throw HyphaError.forbidden("Permission denied: \(workspace)")
        }
        if needed >= .readWrite, record?.isReadOnly == true {
            throw HyphaError.forbidden("Permission denied: workspace (\(workspace)) is read-only")
        }
        return permission
    }

    /// A workspace-relative path as an object key, refusing `.`/`..` segments (Hypha normalizes
    /// them with `safe_join`; spore refuses rather than guess).
    func key(_ workspace: String, _ path: String) throws -> String {
        let trimmed = path.hasPrefix("/") ? String(path.drop { $0 == "/" }) : path
        let segments = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.contains(where: { $0 == "." || $0 == ".." }) else { throw HyphaError.badRequest("Invalid path: \(path)") }
        let key = workspace + "/" + trimmed
        guard key.utf8.count <= ObjectKey.byteCountMax else { throw HyphaError.badRequest("Path too long: \(path)") }
        return key
    }

    /// The workspace named by the first path segment, decoded and checked.
    static func workspace(_ context: SporeRequestContext) throws -> String {
        guard let raw = context.parameters.get("workspace"), let workspace = PercentEncoding.decodeString(raw[...], plusIsSpace: false),
            WorkspaceRecord.isValidName(workspace)
        else { throw HyphaError.routeNotFound }
        return workspace
    }
}
