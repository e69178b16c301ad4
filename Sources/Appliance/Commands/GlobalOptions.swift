import ArgumentParser
import Foundation

/// Options every command that touches a store accepts.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "Configuration file (TOML; default /etc/spore/spore.toml when it exists; env SPORE_CONFIG).")
    var configPath: String?

    @Option(name: .customLong("data-dir"), help: "Data directory (env SPORE_DATA_DIR; default ./spore-data).")
    var dataDirectory: String?

    /// The effective configuration, with `extra` flags on top.
    func configuration(extra: [String: String] = [:]) throws -> SporeConfiguration {
        var flags = extra
        if let dataDirectory { flags["data_dir"] = dataDirectory }
        return try SporeConfiguration(configPath: configPath, flags: flags, environment: ProcessInfo.processInfo.environment)
    }
}
