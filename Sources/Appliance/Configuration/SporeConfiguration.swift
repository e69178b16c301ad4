import Foundation

/// The effective configuration: every setting resolved from, in order of precedence, command-line
/// flags, `SPORE_*` environment variables, the configuration file, and defaults.
struct SporeConfiguration: Sendable {
    enum Source: String, Sendable {
        case flag
        case environment
        case file
        case defaultValue = "default"
    }

    /// The default configuration file, read when it exists and no `--config` is given.
    static let systemFilePath = "/etc/spore/spore.toml"

    private(set) var values: [String: (value: String, source: Source)] = [:]
    let filePath: String?

    /// Resolves the configuration. `flags` maps setting names to values given on the command line.
    init(configPath: String?, flags: [String: String], environment: [String: String]) throws {
        for definition in SettingDefinition.all {
            if let value = definition.defaultValue { values[definition.name] = (value, .defaultValue) }
        }
        var path = configPath ?? environment["SPORE_CONFIG"]
        if path == nil, FileManager.default.fileExists(atPath: Self.systemFilePath) { path = Self.systemFilePath }
        filePath = path
        if let path {
            // FileHandle reads character devices such as /dev/null too, where contents(atPath:) gives up.
            guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.readToEnd() ?? Data(),
                let text = String(data: data, encoding: .utf8)
            else {
                throw SporeError("cannot read the configuration file \(path)")
            }
            let parsed: [String: TOMLSubset.Value]
            do {
                parsed = try TOMLSubset.parse(text)
            } catch {
                throw SporeError("\(path): \(error)")
            }
            for (key, value) in parsed {
                guard SettingDefinition.named(key) != nil else { throw SporeError("\(path): unknown setting '\(key)'") }
                values[key] = (value.settingText, .file)
            }
        }
        for definition in SettingDefinition.all {
            if let value = environment[definition.environmentName] { values[definition.name] = (value, .environment) }
        }
        for (name, value) in flags {
            precondition(SettingDefinition.named(name) != nil, "flags map to known settings")
            values[name] = (value, .flag)
        }
        try validate()
    }

    private func validate() throws {
        for definition in SettingDefinition.all {
            guard let (value, source) = values[definition.name] else { continue }
            let problem: String?
            switch definition.kind {
            case .text, .list: problem = nil
            case .address: problem = (try? ListenAddress(parsing: value)) == nil ? "is not host:port" : nil
            case .bytes, .seconds: problem = Int64(value).map { $0 < 0 ? "must not be negative" : nil } ?? "must be a whole number"
            case .choice(let choices): problem = choices.contains(value) ? nil : "must be one of \(choices.joined(separator: ", "))"
            }
            if let problem { throw SporeError("\(definition.name) (from \(source.rawValue)) \(problem): '\(value)'") }
        }
        if let rate = int("lifecycle_day_seconds"), rate == 0 { throw SporeError("lifecycle_day_seconds must be positive") }
        if let url = string("public_url"), !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw SporeError("public_url must start with http:// or https://: '\(url)'")
        }
    }

    func string(_ name: String) -> String? {
        precondition(SettingDefinition.named(name) != nil, "unknown setting \(name)")
        return values[name]?.value
    }

    func int(_ name: String) -> Int64? { string(name).flatMap { Int64($0) } }

    /// Where a setting's value came from.
    func source(_ name: String) -> Source? { values[name]?.source }

    func address(_ name: String) throws -> ListenAddress { try ListenAddress(parsing: string(name) ?? "") }

    /// How clients reach the S3 API: `public_url`, else the S3 listener's address.
    func s3BaseURL() throws -> String { try string("public_url") ?? address("s3_address").secured(tlsFiles("s3") != nil).url }

    /// How clients reach the HTTP listener: `http_public_url`, else its address.
    func httpBaseURL() throws -> String { try string("http_public_url") ?? address("http_address").secured(tlsFiles("http") != nil).url }

    /// The certificate and key files of a listener (`s3` or `http`): its own pair, else the shared
    /// `tls_cert`/`tls_key`; nil when it speaks plain HTTP.
    func tlsFiles(_ listener: String) throws -> (certificate: String, key: String)? {
        let certificate = string("\(listener)_tls_cert") ?? string("tls_cert")
        let key = string("\(listener)_tls_key") ?? string("tls_key")
        switch (certificate, key) {
        case (nil, nil): return nil
        case (let certificate?, let key?): return (certificate, key)
        default: throw SporeError("TLS on the \(listener) listener needs both a certificate and a key")
        }
    }

    /// The bucket of the Hypha-style API's workspaces.
    var workspaceBucket: String { string("workspace_bucket") ?? "hypha-workspaces" }

    func list(_ name: String) -> [String] {
        (string(name) ?? "").split(separator: ",").map { $0.trimming(" ") }.filter { !$0.isEmpty }
    }

    /// The effective configuration as TOML, secrets masked, with where each value came from.
    func describe() -> String {
        var lines = ["# effective spore configuration" + (filePath.map { " (file: \($0))" } ?? "")]
        for definition in SettingDefinition.all {
            guard let (value, source) = values[definition.name] else {
                lines.append("# \(definition.name) is not set")
                continue
            }
            let shown = definition.isSecret ? String(repeating: "*", count: 8) : value
            let rendered: String
            switch definition.kind {
            case .bytes, .seconds: rendered = shown
            default: rendered = "\"\(shown.replacingAll("\"", with: "\\\""))\""
            }
            lines.append("\(definition.name) = \(rendered)  # \(source.rawValue)")
        }
        return lines.joined(separator: "\n")
    }
}
