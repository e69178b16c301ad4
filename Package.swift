// swift-tools-version:6.1
import PackageDescription

// Strict settings for every target of ours: Swift 6 language mode is the package default at tools 6.1;
// these upcoming features keep the code honest about existentials and imports.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "spore",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "spore", targets: ["Appliance"]),
        .executable(name: "spore-bench", targets: ["SporeBench"]),
    ],
    dependencies: [
        // Traits off: we use neither swift-configuration nor Foundation-backed form coding from Hummingbird.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        // The console's Hugging Face import: an HTTP(S) client that streams response bodies.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // TLS on the listeners, and `spore cert self-signed`.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
    ],
    targets: [
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        // CRC32, CRC32C and CRC64/NVME in C: the table-driven loops run several times faster than
        // the same loops in a debug Swift build, and the S3 checksum headers hash every byte stored.
        .target(name: "CChecksum", cSettings: [.unsafeFlags(["-O2"])]),
        // File calls Swift's Glibc module does not declare (sync_file_range needs _GNU_SOURCE).
        .target(name: "CFileSystem"),
        // zlib: CRC-32 for zip archives and inflating deflated zip members.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "BlobStore",
            dependencies: [
                "CChecksum", "CFileSystem", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // A typed JSON value (manifests, configs, service-call arguments): the lowest layer that
        // needs it is the index, which stores artifact manifests and configs.
        .target(name: "SporeJSON", path: "Sources/Index/JSON", swiftSettings: strictSettings),
        // JSON Schema (draft-07 and 2020-12) for collection schemas, with Python jsonschema's messages.
        .target(name: "JSONSchema", dependencies: ["SporeJSON"], path: "Sources/Index/JSONSchema", swiftSettings: strictSettings),
        .target(
            name: "Index",
            dependencies: [
                "CLMDB", "BlobStore", "SporeJSON",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["JSON", "JSONSchema"],
            swiftSettings: strictSettings
        ),
        // The object service both faces use: ingest, typed reads and writes, ranges, limits. No HTTP.
        .target(
            name: "Objects",
            dependencies: [
                "Index", "BlobStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/Web/Objects",
            swiftSettings: strictSettings
        ),
        // Zip archives: a writer that knows the exact length and any byte range of an archive before
        // producing it, and a reader that opens one member by ranged reads. Pure format code, no I/O.
        .target(name: "Zip", dependencies: ["CZlib"], path: "Sources/Web/Zip", swiftSettings: strictSettings),
        // hypha-rpc's wire format: msgpack and the RPC frames, no I/O.
        .target(name: "HyphaRPC", dependencies: ["SporeJSON"], path: "Sources/Web/RPC", swiftSettings: strictSettings),
        // Jinja2-compatible templates for artifact views: parser and renderer, no I/O.
        .target(name: "Templates", dependencies: ["SporeJSON"], path: "Sources/Web/Templates", swiftSettings: strictSettings),
        // The artifact manager's domain rules, below the faces: permissions, list and search queries.
        .target(
            name: "Artifacts",
            dependencies: ["Objects", "Index", "BlobStore", "SporeJSON", "JSONSchema", .product(name: "NIOCore", package: "swift-nio")],
            path: "Sources/Web/Artifacts",
            swiftSettings: strictSettings
        ),
        // What every face shares on the wire: request context and ids, logging and metrics, bodies with
        // limits, object responses (conditions, ranges), presigned URLs, sealing, JSON responses.
        .target(
            name: "HTTPSupport",
            dependencies: [
                "Objects", "Zip", "Index", "BlobStore", "SporeJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Sources/Web/HTTP",
            swiftSettings: strictSettings
        ),
        // Who may do what to buckets and objects: access keys and principals, bucket policies, and the
        // decision that combines them with ACLs. Shared by every face that acts on S3 permissions.
        .target(
            name: "Access",
            dependencies: [
                "HTTPSupport", "Objects", "Index", "BlobStore", "SporeJSON",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Web/Access",
            swiftSettings: strictSettings
        ),
        // The S3 face. Faces never import each other: shared behaviour lives in Objects and HTTPSupport.
        .target(
            name: "S3API",
            dependencies: [
                "Access", "HTTPSupport", "Objects", "Index", "BlobStore", "SporeJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Sources/Web/S3",
            swiftSettings: strictSettings
        ),
        // The Hypha face: workspace files, the service functions, artifacts.
        .target(
            name: "HyphaAPI",
            dependencies: [
                "HTTPSupport", "Objects", "Artifacts", "Zip", "Templates", "HyphaRPC", "Index", "BlobStore", "SporeJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Web/Hypha",
            swiftSettings: strictSettings
        ),
        // The web console: its JSON API (the S3 console seed's Objects API and more) and its UI,
        // over the object service with the same access decisions as the S3 face.
        .target(
            name: "WebConsole",
            dependencies: [
                "Access", "HTTPSupport", "Objects", "Index", "BlobStore", "SporeJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Sources/Web/Console",
            exclude: ["Assets"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "Appliance",
            dependencies: [
                "Access", "S3API", "WebConsole", "HyphaAPI", "HyphaRPC", "Artifacts", "Templates", "HTTPSupport", "Objects", "Index", "BlobStore",
                "SporeJSON",
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // The load generator of benchmarks/: a compiled S3 client, independent of spore's modules.
        .executableTarget(
            name: "SporeBench",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // libFuzzer targets for every parser (scripts/fuzz builds them with -sanitize=fuzzer,address and
        // -DSPORE_LIBFUZZER). Built plainly it is a regression runner that replays fuzz/corpus and
        // fuzz/regressions. It reaches internal parsers through @testable imports: debug builds only.
        // CLibFuzzer declares libFuzzer's driver, which its main calls (see Sources/SporeFuzz/FuzzMain.swift).
        .systemLibrary(name: "CLibFuzzer"),
        .executableTarget(
            name: "SporeFuzz",
            dependencies: [
                "CLibFuzzer", "S3API", "Access", "HTTPSupport", "HyphaAPI", "HyphaRPC", "Artifacts", "Zip", "Templates", "JSONSchema", "Objects",
                "Index", "BlobStore", "SporeJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // What several test targets share: temporary directories and a file system that fails on demand.
        .target(
            name: "SporeTestSupport",
            dependencies: ["BlobStore", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/SporeTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ApplianceTests",
            dependencies: ["Appliance"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BlobStoreTests",
            dependencies: ["BlobStore", "SporeTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "IndexTests",
            dependencies: ["Index", "BlobStore", "SporeTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "S3APITests",
            dependencies: [
                "Access", "S3API", "HTTPSupport", "Objects", "Index", "BlobStore", "SporeTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HyphaAPITests",
            dependencies: [
                "HyphaAPI", "HyphaRPC", "HTTPSupport", "Objects", "Index", "BlobStore", "SporeJSON", "SporeTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "WebConsoleTests", dependencies: ["WebConsole", "SporeJSON"], swiftSettings: strictSettings),
        .testTarget(name: "SporeJSONTests", dependencies: ["SporeJSON"], swiftSettings: strictSettings),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSONSchema", "SporeJSON"], swiftSettings: strictSettings),
        .testTarget(name: "HyphaRPCTests", dependencies: ["HyphaRPC", "SporeTestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "TemplatesTests", dependencies: ["Templates", "SporeJSON"], swiftSettings: strictSettings),
        .testTarget(name: "ZipTests", dependencies: ["Zip", "CZlib", "SporeTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "ArtifactsTests", dependencies: ["Artifacts", "Index", "BlobStore", "SporeJSON", "SporeTestSupport"], swiftSettings: strictSettings
        ),
    ]
)
