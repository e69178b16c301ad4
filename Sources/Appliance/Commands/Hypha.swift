import ArgumentParser
import Foundation
import HTTPSupport
import HyphaAPI
import Objects
import S3API
import SporeJSON

/// `spore token create`: mints a Hypha token (HS256 with the server's token key) for the
/// Hypha-style API.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Mint and revoke tokens for the Hypha-style API.", subcommands: [Create.self, Revoke.self]
    )

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke one token, or every token of a user issued until now; every listener refuses them at once."
        )
        @OptionGroup var store: StoreOptions
        @Option(help: "The token to revoke (its text).") var token: String?
        @Option(help: "Revoke every token of this user issued until now.") var user: String?
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard (token == nil) != (user == nil) else { throw ValidationError("give --token or --user") }
        }

        func run() async throws {
            var query: [String: String] = [:]
            if let token { query["token"] = token }
            if let user { query["user"] = user }
            let answer = try await AdminCall.run(store, "POST", "tokens/revoke", query: query)
            output.emit(answer) { reply in
                if let user = reply["revoked_tokens_of"]?.stringValue {
                    let until = reply["issued_up_to"]?.intValue.map { Timestamp.iso8601(milliseconds: $0 * 1000) }
                    return ["revoked every token of \(user) issued until \(Shown.date(until))"]
                }
                return ["revoked the token (id \(Shown.text(reply, "revoked_token")))"]
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a token for USER; it is admin of ws-user-USER and has PERMISSION on --workspace."
        )
        @OptionGroup var store: StoreOptions
        @Option(help: "The user id the token speaks for.") var user: String
        @Option(help: "The workspace the token works in (default ws-user-USER; * for every workspace).") var workspace: String?
        @Option(help: "read, read_write or admin (default read_write).") var permission = "read_write"
        @Option(help: "How long the token works: 90s, 30m, 2h, 7d (default 1h).") var expires = "1h"
        @Option(help: "An e-mail address to put in the token.") var email: String?

        func run() async throws {
            guard let level = WorkspacePermission(name: permission) else { throw ValidationError("--permission must be read, read_write or admin") }
            let settings = try store.configuration()
            let directory = try DataDirectory(path: settings.string("data_dir") ?? "./spore-data")
            let secret = HyphaConfiguration.jwtSecret(serverSecret: try directory.secret(), override: settings.string("jwt_secret"))
            let workspace = workspace ?? HyphaToken.personalWorkspace(of: user)
            let now = SystemClockMilliseconds.now() / 1000
            let token = HyphaToken(
                userID: user, email: email, workspaces: [workspace: level], currentWorkspace: workspace == "*" ? nil : workspace,
                issuedAtSeconds: now, expiresAtSeconds: now + (try ShareCommand.seconds(expires))
            )
            Console.line(token.encoded(secret: secret))
        }
    }
}

/// `spore workspace …`: shared workspaces of the Hypha-style API (personal `ws-user-…` ones
/// exist for every user without this).
struct WorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace", abstract: "Create, list and delete shared workspaces.", subcommands: [Create.self, List.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a workspace owned by --owner users.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(help: "Owner user ids, comma separated (they are its admins).") var owners = ""
        @Flag(help: "Refuse writes through the Hypha-style API.") var readOnly = false
        @Option(help: "A description.") var description: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var query = ["name": name, "owners": owners]
            if readOnly { query["read_only"] = "true" }
            if let description { query["description"] = description }
            let answer = try await AdminCall.run(store, "POST", "workspaces", query: query)
            output.emit(answer) { reply in
                let owners = reply["owners"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let access = reply["read_only"]?.boolValue == true ? "; read-only" : ""
                return ["created workspace \(name) (owners: \(owners.isEmpty ? "none" : owners.joined(separator: ", "))\(access))"]
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List shared workspaces.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        func run() async throws { output.emit(try await AdminCall.run(store, "GET", "workspaces"), human: Self.table) }

        static func table(_ answer: JSONValue) -> [String] {
            var table = TextTable([.left("NAME"), .left("OWNERS"), .left("ACCESS"), .left("DESCRIPTION")])
            for workspace in answer["workspaces"]?.arrayValue ?? [] {
                table.append([
                    Shown.text(workspace, "name"), Shown.text(workspace, "owners"),
                    workspace["read_only"]?.boolValue == true ? "read-only" : "read-write", Shown.text(workspace, "description"),
                ])
            }
            return table.lines
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Forget a workspace (its files stay in the bucket).")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument var name: String
        func run() async throws {
            let answer = try await AdminCall.run(store, "DELETE", "workspaces", query: ["name": name])
            output.emit(answer) { _ in ["deleted workspace \(name) (its files stay in the bucket)"] }
        }
    }
}
