import ArgumentParser
import SporeJSON

/// `spore kms key …`: the master keys that seal SSE-S3 and SSE-KMS data keys.
struct KMSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kms", abstract: "Master keys for server-side encryption (SSE-S3, SSE-KMS).", subcommands: [Key.self])

    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, list and rotate master keys.", subcommands: [Create.self, List.self, Rotate.self])
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a master key; clients name it in x-amz-server-side-encryption-aws-kms-key-id.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Key id: letters, digits and - _ / : . (at most 256 bytes).") var id: String
        func run() async throws {
            let answer = try await AdminCall.run(store, "POST", "kms/keys", query: ["id": id])
            output.emit(answer) { _ in ["created master key \(id)"] }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List master keys (never their bytes).")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        func run() async throws { output.emit(try await AdminCall.run(store, "GET", "kms/keys"), human: Self.table) }

        static func table(_ answer: JSONValue) -> [String] {
            var table = TextTable([.left("ID"), .right("VERSIONS"), .left("CREATED"), .left("ROTATED")])
            for key in answer["keys"]?.arrayValue ?? [] {
                table.append([
                    Shown.text(key, "id"), Shown.text(key, "versions"), Shown.date(key["created"]?.stringValue),
                    Shown.date(key["rotated"]?.stringValue),
                ])
            }
            return table.lines
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a version to a master key: new objects use it, existing objects keep theirs.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument var id: String
        func run() async throws {
            let answer = try await AdminCall.run(store, "POST", "kms/keys/rotate", query: ["id": id])
            output.emit(answer) { ["rotated master key \(id): \(Shown.text($0, "versions")) versions"] }
        }
    }
}
