import ArgumentParser

/// The `spore` command.
@main
struct Spore: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "spore",
        abstract: "A single-box object store with an S3 API and a Hypha-style file API.",
        version: version,
        subcommands: [
            Serve.self, Version.self, Config.self, Fsck.self, GC.self, Stats.self, Backup.self, Restore.self, Export.self, Import.self,
            InstallService.self, UserCommand.self, KeyCommand.self, ShareCommand.self, TokenCommand.self, WorkspaceCommand.self,
            TemplateCommand.self, CertCommand.self, KMSCommand.self,
        ],
        defaultSubcommand: Serve.self
    )
}

/// `spore config …`.
struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Inspect the configuration.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the configuration and print the effective settings, secrets masked."
        )

        @OptionGroup var store: StoreOptions

        func run() throws {
            Console.line(try store.configuration().describe())
        }
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        Console.line("spore \(Spore.version)")
    }
}
