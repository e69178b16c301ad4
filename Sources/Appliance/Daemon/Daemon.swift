import Access
import Artifacts
import BlobStore
import CoreMetrics
import Foundation
import HTTPSupport
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HyphaAPI
import Index
import Logging
import NIOCore
import Objects
import Prometheus
import S3API
import ServiceLifecycle
import SporeJSON
import Synchronization
import UnixSignals
import WebConsole

/// The running daemon: the data directory, the stores, both listeners and the background services,
/// in one service group that starts them in order and stops them in reverse on SIGTERM.
struct Daemon {
    let settings: SporeConfiguration
    let directory: DataDirectory
    let lock: DirectoryLock
    let catalog: Catalog
    let blobs: any BlobStorage
    let objects: ObjectService
    let service: S3Service
    let root: Credential
    let generatedRoot: Bool
    /// Real time, or (with `SPORE_DEBUG_HOOKS=1`) real time plus an offset tests can advance.
    let clock: any WallClock
    let sealer: SecretSealer
    let adminBox: AdminBox
    let hypha: HyphaConfiguration
    let logger: Logger
    let environment: [String: String]
    let registry = PrometheusCollectorRegistry()

    init(settings: SporeConfiguration, environment: [String: String], logger: Logger) async throws {
        self.settings = settings
        self.environment = environment
        self.logger = logger
        // Before anything creates a metric: instruments made earlier would stay no-ops.
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        directory = try DataDirectory(path: settings.string("data_dir") ?? "./spore-data")
        lock = try directory.lock()
        (root, generatedRoot) = try directory.rootCredentials(user: settings.string("root_user"), password: settings.string("root_password"))
        let users = try settings.string("users").map(StaticCredentialStore.parseUsers) ?? []
        let serverSecret = try directory.secret()
        let synchronous = settings.string("fsync") != "never"
        catalog = try Catalog(
            directory: directory.indexPath, mapByteCount: Int(settings.int("map_size") ?? Int64(Catalog.mapByteCountDefault)),
            synchronous: synchronous, lifecycleDayMilliseconds: (settings.int("lifecycle_day_seconds") ?? 86_400) * 1000
        )
        _ = try await catalog.checkFormat()
        let packing = try settings.blobPacking()
        let store = try LocalBlobStore(
            root: directory.path, synchronous: synchronous, packedByteCountMax: packing.packedByteCountMax,
            segmentByteCountMax: packing.segmentByteCountMax
        )
        catalog.connect(store)
        blobs = store
        let inline = Int(settings.int("inline_max") ?? Int64(Limits.inlineObjectByteCountDefault))
        guard inline <= Limits.inlineObjectByteCountMax else { throw SporeError("inline_max may be at most \(Limits.inlineObjectByteCountMax)") }
        var configuration = S3Configuration(region: settings.string("region") ?? "us-east-1", domain: settings.string("domain"))
        configuration.corsOrigins = settings.list("cors_origins")
        configuration.listenerIsSecure = try settings.tlsFiles("s3") != nil
        clock = environment["SPORE_DEBUG_HOOKS"] == "1" ? OffsetWallClock() : SystemWallClock()
        objects = ObjectService(
            catalog: catalog, blobs: blobs, clock: clock,
            settings: ObjectSettings(
                inlineObjectByteCountMax: inline, partByteCountMin: settings.int("part_size_min") ?? Limits.partByteCountMinDefault,
                diskFreeByteCountMin: settings.int("disk_reserve") ?? 0
            ),
            serverSecret: serverSecret
        )
        sealer = SecretSealer(serverSecret: serverSecret)
        let credentials = CatalogCredentialStore(fixed: StaticCredentialStore([root] + users), catalog: catalog, sealer: sealer, clock: clock)
        let adminBox = AdminBox()
        self.adminBox = adminBox
        service = S3Service(
            objects: objects, credentials: credentials, configuration: configuration, logger: logger,
            admin: { request in try await adminBox.handle(request) },
            authPolicy: AuthFailureScores.Policy(refuseAfter: Int(settings.int("auth_failures_max") ?? 25))
        )
        let httpBase = try settings.httpBaseURL()
        hypha = HyphaConfiguration(
            workspaceBucket: settings.workspaceBucket, s3BaseURL: try settings.s3BaseURL(), httpBaseURL: httpBase,
            useProxyByDefault: settings.string("hypha_use_proxy") == "true", region: configuration.region,
            jwtSecret: HyphaConfiguration.jwtSecret(serverSecret: serverSecret, override: settings.string("jwt_secret")), signer: root.keyPair,
            storageOwner: root.user
        )
        try await catalog.workspaces.migrateFromBucketSettings(bucket: hypha.workspaceBucket)
        adminBox.set(
            AdminService(
                catalog: catalog, blobs: blobs, disk: service.disk, clock: clock, credentials: credentials, sealer: sealer,
                keys: objects.keys, rootUser: root.user, workspaceBucket: hypha.workspaceBucket, httpPublicURL: httpBase,
                debugHooks: environment["SPORE_DEBUG_HOOKS"] == "1", logger: logger
            ))
    }

    func run() async throws {
        let s3Address = try settings.address("s3_address")
        let httpAddress = try settings.address("http_address")
        let readiness = Readiness(listenerCount: 2)
        let ports = PortBox()
        // TLS per listener (its own pair or the shared one); both read again on SIGHUP.
        let s3Certificates = try settings.tlsFiles("s3").map { try TLSCertificates(certificatePath: $0.certificate, keyPath: $0.key) }
        let httpFiles = try settings.tlsFiles("http")
        let httpCertificates = try httpFiles.map { files in
            try s3Certificates.flatMap { $0.certificatePath == files.certificate && $0.keyPath == files.key ? $0 : nil }
                ?? TLSCertificates(certificatePath: files.certificate, keyPath: files.key)
        }
        // A port in use would otherwise leave the daemon hanging with only a CancellationError in
        // the log (found by the soak test): say so and stop.
        try PortCheck.ensureFree(s3Address)
        try PortCheck.ensureFree(httpAddress)
        let limits = try connectionLimits()
        let s3Limiter = ConnectionLimiter(listener: "s3", limits: limits, logger: logger)
        let httpLimiter = ConnectionLimiter(listener: "http", limits: limits, logger: logger)
        let s3 = S3Listener.makeApplication(
            service: service, host: s3Address.host, port: s3Address.port, logger: logger,
            server: ListenerChannels.s3Server(limiter: s3Limiter, tls: s3Certificates?.serverConfiguration())
        ) { channel in
            ports.set(s3: channel.localAddress?.port ?? s3Address.port)
            readiness.listenerStarted()
        }
        let (catalog, blobs, registry, disk, reserve) = (self.catalog, self.blobs, self.registry, service.disk, settings.int("disk_reserve") ?? 0)
        let probe = OperationsProbe(
            isReady: {
                guard readiness.isReady else { return (false, "starting") }
                guard (try? catalog.read { _ in true }) == true else { return (false, "index unavailable") }
                guard let free = try? await disk.availableBytes() else { return (false, "disk unavailable") }
                if free < reserve { return (false, "disk below its reserve") }
                return (true, "ready")
            },
            metricsText: {
                var buffer = [UInt8]()
                registry.emit(into: &buffer)
                return String(decoding: buffer, as: UTF8.self)
            }
        )
        let artifacts = HyphaFace.makeArtifactService(objects: objects, configuration: hypha)
        let hyphaFace = HyphaFace(objects: objects, configuration: hypha, sealer: sealer, artifacts: artifacts)
        let console = try makeConsole(hypha: hyphaFace, isSecure: httpCertificates != nil)
        let http = try HTTPListener.makeApplication(
            responder: HTTPFrontResponder(
                s3: service, probe: probe, share: ShareResponder(s3: service, sealer: sealer),
                hypha: hyphaFace.makeResponder(),
                console: console.makeResponder(),
                isSecure: httpCertificates != nil,
                observers: .init(logger: logger)
            ),
            rpc: RPCEndpoint(face: hyphaFace),
            host: httpAddress.host, port: httpAddress.port, tls: httpCertificates?.serverConfiguration(), limiter: httpLimiter, logger: logger
        ) { channel in
            ports.set(http: channel.localAddress?.port ?? httpAddress.port)
            readiness.listenerStarted()
        }
        var maintenance = MaintenanceService.Settings()
        maintenance.intervalSeconds = max(1, settings.int("maintenance_interval") ?? 60)
        maintenance.garbageGraceSeconds = settings.int("gc_grace") ?? 3600
        maintenance.uploadAgeMaxSeconds = settings.int("upload_age_max") ?? 604_800
        let notifier = SystemdNotifier(environment: environment)
        let (directory, root, generated) = (self.directory, self.root, generatedRoot)
        let (s3Listen, httpListen) = (s3Address.secured(s3Certificates != nil), httpAddress.secured(httpCertificates != nil))
        let banner = Task {
            await readiness.wait()
            // With its scheme, so the CLI knows to speak TLS to it.
            let s3URL = Self.url(s3Listen, port: ports.s3)
            Self.recordCertificate(s3Certificates, in: directory)
            try? "\(s3URL)\n".write(toFile: directory.listenerAddressPath, atomically: true, encoding: .utf8)
            Self.printBanner(
                directory: directory, s3URL: s3URL, httpURL: Self.url(httpListen, port: ports.http), root: root, generated: generated,
                isSecure: s3Listen.isSecure)
        }
        let services: [any Service] = [
            StoreService(catalog: catalog, blobs: blobs),
            MaintenanceService(catalog: catalog, blobs: blobs, clock: clock, settings: maintenance, logger: logger),
            ScrubService(catalog: catalog, blobs: blobs, bytesPerSecond: settings.int("scrub_rate") ?? 0, logger: logger),
            MetricsService(
                catalog: catalog, disk: disk, indexFile: directory.indexPath + "/data.mdb", store: blobs as? LocalBlobStore, logger: logger
            ),
            ArtifactStatisticsService(counters: artifacts.counters, store: catalog.artifacts, logger: logger),
            s3,
            http,
            ConsoleService(console: console),
            TLSReloadService(
                certificates: [s3Certificates, httpCertificates].compactMap { $0 }.reduce(into: []) { unique, store in
                    if !unique.contains(where: { $0 === store }) { unique.append(store) }
                }, onReload: { Self.recordCertificate(s3Certificates, in: directory) }, logger: logger),
            SystemdService(notifier: notifier, readiness: readiness, catalog: catalog, status: { ports.status }, logger: logger),
        ]
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        banner.cancel()
        withExtendedLifetime(lock) {}
        logger.info("spore stopped")
    }

    /// The web console over the same object service, keys and tokens as the other faces.
    private func makeConsole(hypha face: HyphaFace, isSecure: Bool) throws -> ConsoleFace {
        let (catalog, hypha, clock) = (self.catalog, self.hypha, self.clock)
        let verify: ConsoleTokenVerifier = { text in
            guard let token = try? HyphaToken.decode(text, secret: hypha.jwtSecret, nowSeconds: clock.nowMilliseconds() / 1000),
                !token.isSpecialized,
                (try? catalog.identity.isTokenRevoked(id: token.id, user: token.userID, issuedAtSeconds: token.issuedAtSeconds)) == false
            else { return nil }
            let workspaces = token.workspaces.keys.sorted().map { ($0, token.workspaces[$0]! < .readWrite) }
            return ConsoleTokenClaims(
                user: token.userID, workspaces: workspaces, expiresAtSeconds: token.expiresAtSeconds, speaksForUser: token.subject == token.userID)
        }
        let configuration = ConsoleConfiguration(
            s3PublicURL: try settings.s3BaseURL(), httpPublicURL: try settings.httpBaseURL(), region: service.configuration.region,
            rootUser: root.user, workspaceBucket: hypha.workspaceBucket, assetsDirectory: environment["SPORE_CONSOLE_ASSETS_DIR"],
            secureCookies: isSecure
        )
        let admin = adminBox
        return ConsoleFace(
            objects: objects, credentials: service.credentials, sealer: sealer, configuration: configuration, verifyToken: verify,
            admin: { request in try await admin.handle(request) },
            artifacts: { call in
                // A key session is the Hypha user of the same name (as `spore token create --user`
                // would make it); root administers every workspace.
                var token: HyphaToken
                let now = clock.nowMilliseconds() / 1000
                if let text = call.token {
                    guard let decoded = try? HyphaToken.decode(text, secret: hypha.jwtSecret, nowSeconds: now) else {
                        throw ConsoleArtifactFailure(status: 401, message: "The token is unknown, expired or revoked.")
                    }
                    token = decoded
                } else {
                    let workspaces: [String: WorkspacePermission] =
                        call.isRoot
                        ? ["*": .admin] : [HyphaToken.personalWorkspace(of: call.user): call.isLimited ? .read : .admin]
                    token = HyphaToken(
                        userID: call.user, workspaces: workspaces, currentWorkspace: nil, issuedAtSeconds: now, expiresAtSeconds: now + 60)
                }
                token.currentWorkspace = call.workspace
                do {
                    return try await face.callService(
                        "artifact-manager", call.function, arguments: call.arguments, token: token, urlWorkspace: "public")
                } catch let error as HyphaError {
                    throw ConsoleArtifactFailure(status: error.status.code, message: error.detail)
                }
            },
            throttle: service.throttle, importer: HubImporter(settings: HubSettings.fromEnvironment(environment), logger: logger), logger: logger
        )
    }

    /// The connection limits from the settings, kept within the process's file-descriptor limit
    /// (raised to its hard limit first): a listener never accepts what it cannot open.
    func connectionLimits() throws -> ConnectionLimits {
        var limits = ConnectionLimits()
        if let value = settings.int("connections_max") { limits.connectionCountMax = Int(value) }
        if let value = settings.int("connections_per_client_max") { limits.connectionsPerAddressMax = Int(value) }
        if let value = settings.int("header_timeout") { limits.headerTimeoutSeconds = value }
        if let value = settings.int("idle_timeout") { limits.idleTimeoutSeconds = value }
        if let value = settings.int("body_timeout") { limits.bodyTimeoutSeconds = value }
        guard limits.connectionCountMax > 0, limits.connectionsPerAddressMax > 0, limits.headerTimeoutSeconds > 0,
            limits.idleTimeoutSeconds > 0, limits.bodyTimeoutSeconds > 0
        else { throw SporeError("connection limits and timeouts must be positive") }
        let descriptors = FileDescriptorLimit.raise()
        // Two listeners, blobs and the index need descriptors too: keep a quarter for them.
        let affordable = max(64, Int(descriptors) * 3 / 8)
        if limits.connectionCountMax > affordable {
            logger.notice(
                "connections_max lowered to fit the file-descriptor limit",
                metadata: ["configured": "\(limits.connectionCountMax)", "used": "\(affordable)", "nofile": "\(descriptors)"])
            limits.connectionCountMax = affordable
        }
        limits.connectionsPerAddressMax = min(limits.connectionsPerAddressMax, limits.connectionCountMax)
        return limits
    }

    /// Keeps `<data>/s3-certificate.pem` equal to the S3 listener's chain (absent without TLS).
    static func recordCertificate(_ certificates: TLSCertificates?, in directory: DataDirectory) {
        if let chain = certificates?.certificatePath, let text = try? String(contentsOfFile: chain, encoding: .utf8) {
            try? text.write(toFile: directory.listenerCertificatePath, atomically: true, encoding: .utf8)
        } else {
            try? FileManager.default.removeItem(atPath: directory.listenerCertificatePath)
        }
    }

    /// A listener's URL with the port it actually bound (port 0 asks the system for one).
    static func url(_ address: ListenAddress, port: Int) -> String {
        String(address.url.dropLast(String(address.port).count)) + String(port)
    }

    static func printBanner(directory: DataDirectory, s3URL: String, httpURL: String, root: Credential, generated: Bool, isSecure: Bool) {
        let endpoint = s3URL
        Console.line("spore \(Spore.version) is serving S3 at \(endpoint) and the HTTP API at \(httpURL)")
        Console.line("  web console: \(httpURL)/ (sign in with the root access key and secret)")
        Console.line("  data directory: \(directory.path)")
        Console.line("  root access key: \(root.accessKey)")
        let fromFile = generated || FileManager.default.fileExists(atPath: directory.credentialsPath)
        if generated {
            Console.line("  root secret key: \(root.secretKey)   (generated; kept in \(directory.credentialsPath))")
        } else if fromFile {
            Console.line("  root secret key: \(root.secretKey)   (from \(directory.credentialsPath))")
        } else {
            Console.line("  root secret key: (from SPORE_ROOT_PASSWORD)")
        }
        let secret = fromFile ? root.secretKey : "$SPORE_ROOT_PASSWORD"
        let bundle = isSecure ? " --ca-bundle CA.pem" : ""
        Console.line("  try: AWS_ACCESS_KEY_ID=\(root.accessKey) AWS_SECRET_ACCESS_KEY=\(secret) aws --endpoint-url \(endpoint)\(bundle) s3 ls")
    }
}

/// Lets the S3 service reach the admin service that is built after it (it needs the service's
/// disk monitor).
final class AdminBox: Sendable {
    private let service = Mutex<AdminService?>(nil)

    func set(_ admin: AdminService) { service.withLock { $0 = admin } }

    func handle(_ request: AdminRequest) async throws -> AdminResponse {
        guard let admin = service.withLock({ $0 }) else { return AdminResponse(status: 503, json: "{\"error\": \"starting\"}") }
        return try await admin.handle(request)
    }
}

/// The ports the listeners actually bound (port 0 asks the system for a free one).
final class PortBox: Sendable {
    private let ports = Mutex<(s3: Int, http: Int)>((0, 0))

    func set(s3 port: Int) { ports.withLock { $0.s3 = port } }
    func set(http port: Int) { ports.withLock { $0.http = port } }
    var s3: Int { ports.withLock { $0.s3 } }
    var http: Int { ports.withLock { $0.http } }
    var status: String { "serving S3 on port \(s3) and HTTP on port \(http)" }
}

/// The process's open-file limit.
enum FileDescriptorLimit {
    /// Raises the soft limit to the hard one (what systemd's `LimitNOFILE` allows) and returns it.
    static func raise() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return UInt64(limit.rlim_cur)
    }
}

/// Whether a listen address can be bound, checked before the listeners start.
enum PortCheck {
    static func ensureFree(_ address: ListenAddress) throws {
        guard address.port != 0, let resolved = try? SocketAddress.makeAddressResolvingHost(address.host, port: address.port) else { return }
        let family = resolved.protocol == .inet6 ? AF_INET6 : AF_INET
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var yes: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let result = resolved.withSockAddr { pointer, length in bind(descriptor, pointer, socklen_t(length)) }
        if result != 0, errno == EADDRINUSE {
            throw SporeError("\(address) is already in use by another process; choose another address or stop that process")
        }
    }
}
