import ArgumentParser
import BlobStore
import Foundation
import Hummingbird
import Index
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals
import Web

/// `spore serve`: runs the daemon.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the spore daemon.")

    @Option(name: .customLong("data-dir"), help: "Data directory (env SPORE_DATA_DIR; default ./spore-data).")
    var dataDirectory: String?

    @Option(name: .customLong("s3-address"), help: "Address of the S3 listener (env SPORE_S3_ADDRESS; default 127.0.0.1:9000).")
    var s3Address: String?

    @Option(help: "Region name reported to clients (env SPORE_REGION; default us-east-1).")
    var region: String?

    @Option(help: "Domain for virtual-host style requests, e.g. s3.lan (env SPORE_DOMAIN).")
    var domain: String?

    @Option(name: .customLong("part-size-min"), help: "Smallest multipart part other than the last, in bytes (env SPORE_PART_SIZE_MIN; default 5 MiB).")
    var partSizeMin: Int64?

    @Option(name: .customLong("upload-age-max"), help: "Seconds after which unfinished multipart uploads are aborted (env SPORE_UPLOAD_AGE_MAX; default 7 days).")
    var uploadAgeMax: Int64?

    @Option(name: .customLong("gc-grace"), help: "Seconds an unreferenced blob is kept before it is deleted (env SPORE_GC_GRACE; default 3600).")
    var gcGrace: Int64?

    @Option(name: .customLong("maintenance-interval"), help: "Seconds between garbage collection and upload cleanup rounds (env SPORE_MAINTENANCE_INTERVAL; default 60).")
    var maintenanceInterval: Int64?

    @Option(name: .customLong("lifecycle-day-seconds"), help: "Length of a lifecycle day in seconds, shorter for tests and demos (env SPORE_LIFECYCLE_DAY_SECONDS; default 86400).")
    var lifecycleDaySeconds: Int64?

    @Option(name: .customLong("inline-max"), help: "Bodies up to this many bytes are kept in the index (env SPORE_INLINE_MAX; default 16384).")
    var inlineMax: Int?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env SPORE_LOG_LEVEL; default info).")
    var logLevel: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var logger = Logger(label: "spore")
        logger.logLevel = Logger.Level(rawValue: logLevel ?? environment["SPORE_LOG_LEVEL"] ?? "info") ?? .info

        let directory = try DataDirectory(path: dataDirectory ?? environment["SPORE_DATA_DIR"] ?? "./spore-data")
        let lock = try directory.lock()
        let address = try ListenAddress(parsing: s3Address ?? environment["SPORE_S3_ADDRESS"] ?? "127.0.0.1:9000")
        let (root, generated) = try directory.rootCredentials(user: environment["SPORE_ROOT_USER"], password: environment["SPORE_ROOT_PASSWORD"])
        let users = try environment["SPORE_USERS"].map(StaticCredentialStore.parseUsers) ?? []
        _ = try directory.secret()

        let daySeconds = try Self.number(lifecycleDaySeconds, "SPORE_LIFECYCLE_DAY_SECONDS", 86_400, environment)
        guard daySeconds > 0 else { throw SporeError("--lifecycle-day-seconds must be positive") }
        let catalog = try Catalog(directory: directory.indexPath, lifecycleDayMilliseconds: daySeconds * 1000)
        _ = try await catalog.checkFormat()
        let blobs = try LocalBlobStore(root: directory.path)
        let clock = SystemWallClock()
        func number<Value: FixedWidthInteger>(_ flag: Value?, _ name: String, _ fallback: Value) throws -> Value {
            try Self.number(flag, name, fallback, environment)
        }
        let inline = try number(inlineMax, "SPORE_INLINE_MAX", Limits.inlineObjectByteCountDefault)
        guard inline <= Limits.inlineObjectByteCountMax else { throw SporeError("--inline-max may be at most \(Limits.inlineObjectByteCountMax)") }
        let s3Configuration = S3Configuration(
            region: region ?? environment["SPORE_REGION"] ?? "us-east-1", domain: domain ?? environment["SPORE_DOMAIN"],
            inlineObjectByteCountMax: inline, partByteCountMin: try number(partSizeMin, "SPORE_PART_SIZE_MIN", Limits.partByteCountMinDefault)
        )
        var maintenance = MaintenanceService.Settings()
        maintenance.intervalSeconds = max(1, try number(maintenanceInterval, "SPORE_MAINTENANCE_INTERVAL", maintenance.intervalSeconds))
        maintenance.garbageGraceSeconds = try number(gcGrace, "SPORE_GC_GRACE", maintenance.garbageGraceSeconds)
        maintenance.uploadAgeMaxSeconds = try number(uploadAgeMax, "SPORE_UPLOAD_AGE_MAX", maintenance.uploadAgeMaxSeconds)
        let service = S3Service(
            catalog: catalog, blobs: blobs, credentials: StaticCredentialStore([root] + users), clock: clock,
            configuration: s3Configuration, logger: logger
        )
        let s3 = S3Listener.makeApplication(service: service, host: address.host, port: address.port, logger: logger) { channel in
            let port = channel.localAddress?.port ?? address.port
            Self.printBanner(directory: directory, address: address, port: port, root: root, generated: generated)
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    StoreService(catalog: catalog, blobs: blobs),
                    MaintenanceService(catalog: catalog, blobs: blobs, clock: clock, settings: maintenance, logger: logger),
                    s3,
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        withExtendedLifetime(lock) {}
        logger.info("spore stopped")
    }

    static func number<Value: FixedWidthInteger>(_ flag: Value?, _ name: String, _ fallback: Value, _ environment: [String: String]) throws -> Value {
        if let flag { return flag }
        guard let text = environment[name] else { return fallback }
        guard let value = Value(text), value >= 0 else { throw SporeError("\(name) must be a non-negative integer, not \(text)") }
        return value
    }

    static func printBanner(directory: DataDirectory, address: ListenAddress, port: Int, root: Credential, generated: Bool) {
        let host = address.url.dropLast(String(address.port).count + 1)
        let endpoint = "\(host):\(port)"
        Console.line("spore \(Spore.version) is serving S3 at \(endpoint)")
        Console.line("  data directory: \(directory.path)")
        Console.line("  root access key: \(root.accessKey)")
        if generated {
            Console.line("  root secret key: \(root.secretKey)   (generated; kept in \(directory.credentialsPath))")
        } else if FileManager.default.fileExists(atPath: directory.credentialsPath) {
            Console.line("  root secret key: \(root.secretKey)   (from \(directory.credentialsPath))")
        } else {
            Console.line("  root secret key: (from SPORE_ROOT_PASSWORD)")
        }
        let secret = generated || FileManager.default.fileExists(atPath: directory.credentialsPath) ? root.secretKey : "$SPORE_ROOT_PASSWORD"
        Console.line("  try: AWS_ACCESS_KEY_ID=\(root.accessKey) AWS_SECRET_ACCESS_KEY=\(secret) aws --endpoint-url \(endpoint) s3 ls")
    }
}
