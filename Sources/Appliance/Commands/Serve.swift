import ArgumentParser
import BlobStore
import CoreMetrics
import Foundation
import HTTPSupport
import Hummingbird
import HyphaAPI
import Index
import Logging
import NIOCore
import Objects
import Prometheus
import S3API
import ServiceLifecycle
import SporeJSON
import UnixSignals

/// `spore serve`: runs the daemon.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the spore daemon.",
        discussion:
            "Every setting can also come from SPORE_* environment variables or the configuration file; flags win over the environment, which wins over the file. See docs/configuration.md."
    )

    @OptionGroup var store: StoreOptions
    @Option(name: .customLong("s3-address"), help: "Address of the S3 listener (default 127.0.0.1:9000).") var s3Address: String?
    @Option(
        name: .customLong("http-address"), help: "Address of the HTTP listener: Hypha-style API, /s3, /metrics, /health (default 127.0.0.1:9527).")
    var httpAddress: String?
    @Option(name: .customLong("public-url"), help: "URL other machines use to reach the S3 API.") var publicURL: String?
    @Option(name: .customLong("http-public-url"), help: "URL other machines use to reach the HTTP listener (share links).") var httpPublicURL: String?
    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain: both listeners speak HTTPS (reloaded on SIGHUP).") var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert.") var tlsKey: String?
    @Option(name: .customLong("s3-tls-cert"), help: "The S3 listener's own certificate chain.") var s3TLSCert: String?
    @Option(name: .customLong("s3-tls-key"), help: "The S3 listener's own private key.") var s3TLSKey: String?
    @Option(name: .customLong("http-tls-cert"), help: "The HTTP listener's own certificate chain.") var httpTLSCert: String?
    @Option(name: .customLong("http-tls-key"), help: "The HTTP listener's own private key.") var httpTLSKey: String?
    @Option(help: "Domain for virtual-host style requests, e.g. s3.lan.") var domain: String?
    @Option(help: "Region reported to clients (default us-east-1).") var region: String?
    @Option(help: "always (default) or never: whether writes are fsynced before they are acknowledged.") var fsync: String?
    @Option(name: .customLong("inline-max"), help: "Bodies up to this many bytes live in the index (default 1024).") var inlineMax: String?
    @Option(name: .customLong("pack-max"), help: "Blobs up to this many bytes are packed into segment files (default 1048576; 0 turns packing off).")
    var packMax: String?
    @Option(name: .customLong("segment-size"), help: "Segment files are sealed at this many bytes (default 67108864).") var segmentSize: String?
    @Option(name: .customLong("part-size-min"), help: "Smallest multipart part other than the last, in bytes (default 5 MiB).") var partSizeMin:
        String?
    @Option(name: .customLong("upload-age-max"), help: "Seconds after which unfinished multipart uploads are aborted (default 7 days).")
    var uploadAgeMax: String?
    @Option(name: .customLong("gc-grace"), help: "Seconds an unreferenced blob is kept before it is deleted (default 3600).") var gcGrace: String?
    @Option(name: .customLong("maintenance-interval"), help: "Seconds between maintenance rounds (default 60).") var maintenanceInterval: String?
    @Option(name: .customLong("lifecycle-day-seconds"), help: "Length of a lifecycle day in seconds (default 86400).") var lifecycleDaySeconds:
        String?
    @Option(name: .customLong("scrub-rate"), help: "Bytes per second the scrubber re-verifies; 0 disables it (default 8 MiB).") var scrubRate: String?
    @Option(name: .customLong("disk-reserve"), help: "Refuse writes when free space falls below this many bytes (default 256 MiB).") var diskReserve:
        String?
    @Option(name: .customLong("cors-origins"), help: "Origins allowed on buckets without a CORS configuration, comma separated (* for any).")
    var corsOrigins: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default info).") var logLevel: String?
    @Option(name: .customLong("log-format"), help: "text or json (default text; journald's form under systemd).") var logFormat: String?

    var flags: [String: String] {
        let pairs: [(String, String?)] = [
            ("s3_address", s3Address), ("http_address", httpAddress), ("public_url", publicURL), ("http_public_url", httpPublicURL),
            ("domain", domain), ("region", region), ("tls_cert", tlsCert), ("tls_key", tlsKey), ("s3_tls_cert", s3TLSCert),
            ("s3_tls_key", s3TLSKey), ("http_tls_cert", httpTLSCert), ("http_tls_key", httpTLSKey),
            ("fsync", fsync), ("inline_max", inlineMax), ("pack_max", packMax), ("segment_size", segmentSize), ("part_size_min", partSizeMin),
            ("upload_age_max", uploadAgeMax),
            ("gc_grace", gcGrace), ("maintenance_interval", maintenanceInterval), ("lifecycle_day_seconds", lifecycleDaySeconds),
            ("scrub_rate", scrubRate), ("disk_reserve", diskReserve), ("cors_origins", corsOrigins), ("log_level", logLevel),
            ("log_format", logFormat),
        ]
        var result = [String: String]()
        for (name, value) in pairs { if let value { result[name] = value } }
        return result
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let settings = try store.configuration(extra: flags)
        let logger = Self.bootstrapLogging(settings, environment: environment)
        let daemon = try await Daemon(settings: settings, environment: environment, logger: logger)
        try await daemon.run()
    }

    static func bootstrapLogging(_ settings: SporeConfiguration, environment: [String: String]) -> Logger {
        let level = Logger.Level(rawValue: settings.string("log_level") ?? "info") ?? .info
        let format: SporeLogHandler.Format
        if settings.string("log_format") == "json" {
            format = .json
        } else if environment["JOURNAL_STREAM"] != nil && settings.values["log_format"]?.source == .defaultValue {
            format = .journal
        } else {
            format = .text
        }
        LoggingSystem.bootstrap { label in SporeLogHandler(label: label, format: format, logLevel: level) }
        var logger = Logger(label: "spore")
        logger.logLevel = level
        return logger
    }
}
