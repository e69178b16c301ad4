import ArgumentParser
import Foundation

/// `spore install-service`: puts the binary, the systemd units and a default configuration in place.
struct InstallService: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install-service",
        abstract: "Install spore as a systemd service: the binary, spore.service and /etc/spore/spore.toml.",
        discussion: "Run as root. Afterwards: systemctl daemon-reload && systemctl enable --now spore. An existing configuration file is kept."
    )

    @Option(help: "Where the binary goes.") var binary = "/usr/local/bin/spore"
    @Option(help: "Where the units go.") var unitDirectory = "/etc/systemd/system"
    @Option(help: "Where the configuration goes.") var configuration = "/etc/spore/spore.toml"
    @Option(help: "Directory holding spore.service and spore.toml (default: systemd/ beside the sources, or next to the binary).") var source: String?

    func run() throws {
        let fileManager = FileManager.default
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let candidates = [source, "systemd", (executable as NSString).deletingLastPathComponent + "/../../systemd"].compactMap { $0 }
        guard let units = candidates.first(where: { fileManager.fileExists(atPath: $0 + "/spore.service") }) else {
            throw SporeError("cannot find spore.service; pass --source DIR (the repository's systemd/ directory)")
        }
        try fileManager.createDirectory(atPath: (binary as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if executable != binary {
            if fileManager.fileExists(atPath: binary) { try fileManager.removeItem(atPath: binary) }
            try fileManager.copyItem(atPath: executable, toPath: binary)
        }
        try fileManager.createDirectory(atPath: unitDirectory, withIntermediateDirectories: true)
        for unit in ["spore.service"] {
            let target = unitDirectory + "/" + unit
            if fileManager.fileExists(atPath: target) { try fileManager.removeItem(atPath: target) }
            let text = try String(contentsOfFile: units + "/" + unit, encoding: .utf8).replacingOccurrences(of: "/usr/local/bin/spore", with: binary)
            try text.write(toFile: target, atomically: true, encoding: .utf8)
        }
        try fileManager.createDirectory(atPath: (configuration as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if !fileManager.fileExists(atPath: configuration) {
            try fileManager.copyItem(atPath: units + "/spore.toml", toPath: configuration)
        }
        Console.line("installed \(binary), \(unitDirectory)/spore.service, \(configuration)")
        Console.line("next: systemctl daemon-reload && systemctl enable --now spore && journalctl -u spore")
    }
}
