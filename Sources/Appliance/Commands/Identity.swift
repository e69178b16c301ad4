import Access
import ArgumentParser
import Foundation
import HTTPSupport
import Objects
import S3API
import SporeJSON

/// `spore user …`: managed users, who own buckets and hold access keys.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Add, list, disable and delete users.",
        subcommands: [Add.self, List.self, Disable.self, Enable.self, Delete.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user (then give them a key with `spore key create`).")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "User name: letters, digits, '.', '_', '-'.") var name: String
        func run() async throws {
            let answer = try await AdminCall.run(store, "POST", "users", query: ["name": name])
            output.emit(answer) { ["created user \(Shown.text($0, "name"))"] }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List managed users.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        func run() async throws { output.emit(try await AdminCall.run(store, "GET", "users"), human: Self.table) }

        static func table(_ answer: JSONValue) -> [String] {
            var table = TextTable([.left("NAME"), .left("STATUS"), .left("CREATED")])
            for user in answer["users"]?.arrayValue ?? [] {
                table.append([
                    Shown.text(user, "name"), user["disabled"]?.boolValue == true ? "disabled" : "enabled", Shown.date(user["created"]?.stringValue),
                ])
            }
            return table.lines
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user: every key of theirs stops working at once.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument var name: String
        func run() async throws {
            let answer = try await AdminCall.run(store, "POST", "users/disable", query: ["name": name])
            output.emit(answer) { _ in ["disabled user \(name)"] }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled user.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument var name: String
        func run() async throws {
            let answer = try await AdminCall.run(store, "POST", "users/enable", query: ["name": name])
            output.emit(answer) { _ in ["enabled user \(name)"] }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user and their keys (their buckets stay).")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument var name: String
        func run() async throws {
            let answer = try await AdminCall.run(store, "DELETE", "users", query: ["name": name])
            output.emit(answer) { _ in ["deleted user \(name) (their buckets stay)"] }
        }
    }
}

/// `spore key …`: access keys, optionally limited to a bucket and prefix, read-only, or expiring.
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Create, list, disable and delete access keys.",
        subcommands: [Create.self, List.self, Disable.self, Enable.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an access key; the secret is printed once.")
        @OptionGroup var store: StoreOptions
        @Option(help: "The user the key acts as.") var user: String
        @Option(help: "Limit the key to this bucket.") var bucket: String?
        @Option(help: "Limit the key to keys under this prefix of --bucket.") var prefix: String?
        @Flag(help: "Allow reads only.") var readOnly = false
        @Option(help: "Seconds until the key stops working.") var expiresIn: Int64?
        @Option(help: "A note kept with the key.") var label: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var query = ["user": user]
            if let bucket { query["bucket"] = bucket }
            if let prefix { query["prefix"] = prefix }
            if readOnly { query["read_only"] = "true" }
            if let expiresIn { query["expires_in"] = String(expiresIn) }
            if let label { query["label"] = label }
            let answer = try await AdminCall.run(store, "POST", "keys", query: query)
            output.emit(answer, human: Self.fields)
            if !output.json { Console.error("the secret key is shown only this once; keep it somewhere safe") }
        }

        /// The new key as `field: value` lines, the secret among them.
        static func fields(_ key: JSONValue) -> [String] {
            var lines = [
                "access key: \(Shown.text(key, "access_key"))", "secret key: \(Shown.text(key, "secret_key"))", "user: \(Shown.text(key, "user"))",
                "scope: \(KeyCommand.scope(key))", "rights: \(KeyCommand.rights(key))",
            ]
            if let expires = key["expires"]?.stringValue { lines.append("expires: \(Shown.date(expires))") }
            if let label = key["label"]?.stringValue { lines.append("label: \(label)") }
            return lines
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")
        @OptionGroup var store: StoreOptions
        @Option(help: "Only this user's keys.") var user: String?
        @OptionGroup var output: OutputOptions
        func run() async throws {
            output.emit(try await AdminCall.run(store, "GET", "keys", query: user.map { ["user": $0] } ?? [:]), human: Self.table)
        }

        static func table(_ answer: JSONValue) -> [String] {
            var table = TextTable([
                .left("ACCESS KEY"), .left("USER"), .left("SCOPE"), .left("RIGHTS"), .left("STATUS"), .left("EXPIRES"), .left("LABEL"),
            ])
            for key in answer["keys"]?.arrayValue ?? [] {
                let expires = key["expires"]?.stringValue
                let status = key["disabled"]?.boolValue == true ? "disabled" : Shown.hasPassed(expires) ? "expired" : "enabled"
                table.append([
                    Shown.text(key, "access_key"), Shown.text(key, "user"), KeyCommand.scope(key), KeyCommand.rights(key), status,
                    Shown.date(expires), Shown.text(key, "label"),
                ])
            }
            return table.lines
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a key at once.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument var accessKey: String
        func run() async throws {
            let answer = try await AdminCall.run(store, "POST", "keys/disable", query: ["access_key": accessKey])
            output.emit(answer) { _ in ["disabled key \(accessKey)"] }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled key.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument var accessKey: String
        func run() async throws {
            let answer = try await AdminCall.run(store, "POST", "keys/enable", query: ["access_key": accessKey])
            output.emit(answer) { _ in ["enabled key \(accessKey)"] }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a key.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument var accessKey: String
        func run() async throws {
            let answer = try await AdminCall.run(store, "DELETE", "keys", query: ["access_key": accessKey])
            output.emit(answer) { _ in ["deleted key \(accessKey)"] }
        }
    }

    /// What a key may reach: `bucket`, `bucket/prefix`, or `all` when it is not scoped.
    static func scope(_ key: JSONValue) -> String {
        let scopes = (key["scopes"]?.arrayValue ?? []).map { scope in
            let bucket = scope["bucket"]?.stringValue ?? ""
            let prefix = scope["prefix"]?.stringValue ?? ""
            return prefix.isEmpty ? bucket : bucket + "/" + prefix
        }
        return scopes.isEmpty ? "all" : scopes.joined(separator: ",")
    }

    static func rights(_ key: JSONValue) -> String { key["read_only"]?.boolValue == true ? "read-only" : "read-write" }
}

/// `spore share …`: presigned URLs (like `mc share`) and share links that outlive them.
struct ShareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "share",
        abstract: "Share objects: presigned GET/PUT URLs, and share links (served at /share/<token> on the HTTP listener).",
        subcommands: [Get.self, Put.self, Zip.self, Link.self, List.self, Revoke.self]
    )

    /// AWS's limit on a presigned URL's lifetime.

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a presigned URL that downloads BUCKET/KEY.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "BUCKET/KEY") var path: String
        @Option(help: "How long the URL works: 90s, 30m, 2h, 7d (at most 7d).") var expires = "1h"
        func run() async throws { Console.line(try ShareCommand.presign(store, method: "GET", path: path, expires: expires)) }
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a presigned URL that uploads to BUCKET/KEY (curl -T file URL).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "BUCKET/KEY") var path: String
        @Option(help: "How long the URL works: 90s, 30m, 2h, 7d (at most 7d).") var expires = "1h"
        func run() async throws { Console.line(try ShareCommand.presign(store, method: "PUT", path: path, expires: expires)) }
    }

    struct Zip: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a presigned URL that downloads everything under BUCKET/PREFIX as one zip (resumable)."
        )
        @OptionGroup var store: StoreOptions
        @Argument(help: "BUCKET or BUCKET/PREFIX (photos/2024/ zips that folder)") var path: String
        @Option(help: "How long the URL works: 90s, 30m, 2h, 7d (at most 7d).") var expires = "1h"
        func run() async throws {
            let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
            let bucket = String(trimmed.prefix { $0 != "/" })
            guard !bucket.isEmpty else { throw ValidationError("expected BUCKET or BUCKET/PREFIX, got \(path)") }
            let prefix = String(trimmed.dropFirst(bucket.count + 1))
            Console.line(
                try ShareCommand.presign(
                    store, method: "GET", bucket: bucket, key: "", expires: expires,
                    extraQuery: [(S3Operation.zipQueryName, ""), ("prefix", prefix)]
                )
            )
        }
    }

    struct Link: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a share link for BUCKET/KEY: any lifetime, a download count, an optional password, revocable."
        )
        @OptionGroup var store: StoreOptions
        @Argument(help: "BUCKET/KEY") var path: String
        @Option(help: "How long the link works: 30m, 2h, 30d, 1y (default: until revoked).") var expires: String?
        @Option(help: "Ask for this password (HTTP Basic with any user name, or ?password=).") var password: String?
        @Option(help: "Stop after this many downloads.") var maxDownloads: Int64?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (bucket, key) = try ShareCommand.split(path)
            var query = ["bucket": bucket, "key": key]
            if let expires { query["expires_in"] = String(try ShareCommand.seconds(expires)) }
            if let password { query["password"] = password }
            if let maxDownloads { query["max_downloads"] = String(maxDownloads) }
            // The URL alone, so `URL=$(spore share link …)` works; --json has the rest.
            let answer = try await AdminCall.run(store, "POST", "shares", query: query)
            output.emit(answer) { [$0["url"]?.stringValue ?? Shown.text($0, "path")] }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List share links and their download counts.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        func run() async throws { output.emit(try await AdminCall.run(store, "GET", "shares"), human: Self.table) }

        static func table(_ answer: JSONValue) -> [String] {
            var table = TextTable([
                .left("TOKEN"), .left("OBJECT"), .right("DOWNLOADS"), .left("EXPIRES"), .left("PASSWORD"), .left("STATUS"),
            ])
            for share in answer["shares"]?.arrayValue ?? [] {
                let downloads = share["downloads"]?.intValue ?? 0
                let maximum = share["max_downloads"]?.intValue
                let expires = share["expires"]?.stringValue
                let status =
                    share["revoked"]?.boolValue == true
                    ? "revoked" : maximum.map { downloads >= $0 } == true ? "used up" : Shown.hasPassed(expires) ? "expired" : "active"
                table.append([
                    Shown.text(share, "token"), Shown.text(share, "bucket") + "/" + Shown.text(share, "key"),
                    maximum.map { "\(downloads)/\($0)" } ?? String(downloads), Shown.date(expires), Shown.text(share, "password"), status,
                ])
            }
            return table.lines
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a share link at once.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument var token: String
        func run() async throws {
            let answer = try await AdminCall.run(store, "DELETE", "shares", query: ["token": token])
            output.emit(answer) { _ in ["revoked share link \(token)"] }
        }
    }

    static func split(_ path: String) throws -> (bucket: String, key: String) {
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        guard let slash = trimmed.firstIndex(of: "/"), slash != trimmed.startIndex, trimmed.index(after: slash) != trimmed.endIndex else {
            throw ValidationError("expected BUCKET/KEY, got \(path)")
        }
        return (String(trimmed[..<slash]), String(trimmed[trimmed.index(after: slash)...]))
    }

    /// `90`, `90s`, `30m`, `2h`, `7d`, `1w`, `1y` in seconds.
    static func seconds(_ text: String) throws -> Int64 {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800, "y": 365 * 86_400]
        var digits = Substring(text)
        var unit: Int64 = 1
        if let last = text.last, let factor = units[last] {
            digits = text.dropLast()
            unit = factor
        }
        guard let value = Int64(digits), value > 0, value <= Int64.max / unit / 1000 else {
            throw ValidationError("\(text) is not a duration such as 90s, 30m, 2h or 7d")
        }
        return value * unit
    }

    /// A SigV4 presigned URL signed with the root credentials, for `public_url` (else the S3
    /// listener's address).
    static func presign(_ store: StoreOptions, method: String, path: String, expires: String) throws -> String {
        let (bucket, key) = try split(path)
        return try presign(store, method: method, bucket: bucket, key: key, expires: expires)
    }

    static func presign(
        _ store: StoreOptions, method: String, bucket: String, key: String, expires: String, extraQuery: [(name: String, value: String)] = []
    ) throws -> String {
        let seconds = try seconds(expires)
        guard seconds <= Int64(Limits.presignExpirySecondsMax) else {
            throw ValidationError("presigned URLs work for at most 7 days; use `spore share link` for longer")
        }
        let settings = try store.configuration()
        let directory = try DataDirectory(path: settings.string("data_dir") ?? "./spore-data")
        let root = try directory.rootCredentials(user: settings.string("root_user"), password: settings.string("root_password")).credential
        var base = try settings.s3BaseURL()
        // Without a public URL, the running daemon's recorded address says http or https.
        if settings.string("public_url") == nil, let recorded = directory.runningDaemonAddress(),
            try settings.source("s3_address") == .defaultValue || recorded.url.hasSuffix("://" + settings.address("s3_address").description)
        {
            base = recorded.url
        }
        return try PresignedURL.make(
            base: base, method: method, bucket: bucket, key: key, credential: root.keyPair, region: settings.string("region") ?? "us-east-1",
            nowMilliseconds: SystemClockMilliseconds.now(), expiresSeconds: seconds, extraQuery: extraQuery
        )
    }
}
