import ArgumentParser

/// The `spore` command.
@main
struct Spore: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "spore",
        abstract: "A single-box object store with an S3 API and a Hypha-style file API.",
        version: version,
        subcommands: [Serve.self, Version.self],
        defaultSubcommand: Serve.self
    )
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        Console.line("spore \(Spore.version)")
    }
}
