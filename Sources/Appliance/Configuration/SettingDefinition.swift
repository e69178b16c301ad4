/// One setting of spore: its name in the configuration file, its environment variable, its flag,
/// its default and what it means. `docs/configuration.md` documents the same table.
struct SettingDefinition: Sendable {
    enum Kind: Sendable {
        case text
        case address
        case bytes
        case seconds
        case choice([String])
        case list
    }

    let name: String
    let kind: Kind
    let defaultValue: String?
    let isSecret: Bool
    let help: String

    /// `SPORE_` and the name in upper case.
    var environmentName: String { "SPORE_" + name.uppercased() }
    /// `--` and the name with dashes.
    var flagName: String { name.replacingAll("_", with: "-") }

    init(_ name: String, _ kind: Kind, _ defaultValue: String?, secret: Bool = false, _ help: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.isSecret = secret
        self.help = help
    }

    static let all: [SettingDefinition] = [
        .init("data_dir", .text, "./spore-data", "data directory: index, blobs, secret"),
        .init("s3_address", .address, "127.0.0.1:9000", "address of the S3 listener"),
        .init("http_address", .address, "127.0.0.1:9527", "address of the Hypha-style HTTP listener (also serves /s3, /metrics, /health)"),
        .init("public_url", .text, nil, "how other machines reach the S3 API (presigned URLs and share links are built with it)"),
        .init("http_public_url", .text, nil, "how other machines reach the HTTP listener (share-link URLs are built with it)"),
        .init("tls_cert", .text, nil, "PEM certificate chain: both listeners speak TLS (HTTPS) with it; reloaded on SIGHUP"),
        .init("tls_key", .text, nil, "PEM private key of tls_cert"),
        .init("s3_tls_cert", .text, nil, "the S3 listener's own certificate chain (instead of tls_cert)"),
        .init("s3_tls_key", .text, nil, "the S3 listener's own private key"),
        .init("http_tls_cert", .text, nil, "the HTTP listener's own certificate chain (instead of tls_cert)"),
        .init("http_tls_key", .text, nil, "the HTTP listener's own private key"),
        .init("domain", .text, nil, "domain for virtual-host style requests (bucket.DOMAIN)"),
        .init("region", .text, "us-east-1", "region reported to clients; requests signed for any region are accepted"),
        .init("root_user", .text, nil, secret: false, "root access key (generated on first start when unset)"),
        .init("root_password", .text, nil, secret: true, "root secret key (generated on first start when unset)"),
        .init("users", .list, nil, secret: true, "extra users: name:ACCESSKEY:SECRET, comma separated"),
        .init(
            "fsync", .choice(["always", "never"]), "always",
            "always: every acknowledged write is on disk; never: faster, a power loss may lose recent writes"),
        .init("inline_max", .bytes, "1024", "bodies up to this size are kept inside the index"),
        .init("pack_max", .bytes, "1048576", "blobs up to this size are packed into segment files (0: a file each)"),
        .init("segment_size", .bytes, "67108864", "a segment file is sealed (and may be compacted) at this size"),
        .init("part_size_min", .bytes, "5242880", "smallest multipart part other than the last"),
        .init("upload_age_max", .seconds, "604800", "unfinished multipart uploads older than this are aborted"),
        .init("gc_grace", .seconds, "3600", "an unreferenced blob is kept this long before it is deleted"),
        .init(
            "auth_failures_max", .bytes, "25",
            "failed signatures, passwords or sign-ins from one address or for one key before it is refused for 5 minutes (slowed from 2/5 of it)"),
        .init("connections_max", .bytes, "4096", "open connections per listener; past it new ones get 503 SlowDown"),
        .init("connections_per_client_max", .bytes, "512", "open connections from one client address per listener"),
        .init("header_timeout", .seconds, "30", "a new connection's first request headers must arrive within this (slowloris)"),
        .init("idle_timeout", .seconds, "60", "a keep-alive connection may idle this long between requests"),
        .init("body_timeout", .seconds, "60", "a request body may pause this long before the connection is closed"),
        .init("maintenance_interval", .seconds, "60", "seconds between TTL, lifecycle, upload and garbage rounds"),
        .init("lifecycle_day_seconds", .seconds, "86400", "length of a lifecycle day (shorten for tests and demos)"),
        .init("scrub_rate", .bytes, "8388608", "bytes per second the scrubber re-verifies; 0 disables it"),
        .init("disk_reserve", .bytes, "268435456", "writes are refused (507) when free space falls below this"),
        .init("map_size", .bytes, "68719476736", "initial address space reserved for the index (grows when full)"),
        .init("workspace_bucket", .text, "hypha-workspaces", "bucket holding the Hypha-style API's workspaces, each under {workspace}/"),
        .init("hypha_use_proxy", .choice(["true", "false"]), "false", "presigned URLs from the Hypha-style API point at /s3 on the HTTP listener"),
        .init("jwt_secret", .text, nil, secret: true, "HS256 key of Hypha tokens (default: derived from the data directory's secret)"),
        .init("cors_origins", .list, nil, "origins allowed by default on buckets without a CORS configuration (* for any)"),
        .init("log_level", .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]), "info", "log level"),
        .init("log_format", .choice(["text", "json"]), "text", "log line format"),
    ]

    static func named(_ name: String) -> SettingDefinition? { all.first { $0.name == name } }
}
