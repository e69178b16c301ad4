import Access
import Foundation
import HTTPSupport
import Index
import Logging
import Objects
import S3API
import SporeJSON

/// Runs an admin call: through the daemon serving the data directory when one runs, else on the
/// data directory directly (so users and keys can be managed while the daemon is stopped).
enum AdminCall {
    static func run(_ store: StoreOptions, _ method: String, _ command: String, query: [String: String] = [:]) async throws -> JSONValue {
        let settings = try store.configuration()
        let directory = try existingDirectory(settings)
        if directory.isLocked() {
            return try await AdminClient(settings: settings, directory: directory).call(method, command, query: query)
        }
        guard FileManager.default.fileExists(atPath: directory.indexPath) else { throw notServed(directory.path, tried: nil) }
        let access = try StoreAccess.open(settings, exclusive: true)
        let root = try directory.rootCredentials(user: settings.string("root_user"), password: settings.string("root_password")).credential
        let users = try settings.string("users").map(StaticCredentialStore.parseUsers) ?? []
        let sealer = SecretSealer(serverSecret: try directory.secret())
        let clock = SystemWallClock()
        let admin = AdminService(
            catalog: access.catalog, blobs: access.blobs, disk: DiskMonitor(blobs: access.blobs), clock: clock,
            credentials: CatalogCredentialStore(fixed: StaticCredentialStore([root] + users), catalog: access.catalog, sealer: sealer, clock: clock),
            sealer: sealer, keys: EncryptionKeys(catalog: access.catalog, serverSecret: try directory.secret()), rootUser: root.user,
            workspaceBucket: settings.workspaceBucket, httpPublicURL: try settings.httpBaseURL(),
            debugHooks: false,
            logger: .init(label: "spore")
        )
        let reply = try await admin.handle(AdminRequest(method: method, command: command, query: query, body: []))
        await access.close()
        guard reply.status < 300 else { throw AdminAnswer.refusal(status: reply.status, body: reply.json) }
        return try AdminAnswer.parse(reply.json)
    }

    /// The data directory, which must exist: a mistyped `--data-dir` is reported rather than
    /// created.
    static func existingDirectory(_ settings: SporeConfiguration) throws -> DataDirectory {
        let requested = settings.string("data_dir") ?? "./spore-data"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: requested, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw notServed(URL(fileURLWithPath: requested).standardizedFileURL.path, tried: nil)
        }
        return try DataDirectory(path: requested)
    }

    /// The one line for a data directory no daemon answers for: `tried` is the address asked and
    /// why it did not answer, nil when nothing holds the directory and it has no store to work on.
    static func notServed(_ path: String, tried: String?) -> SporeError {
        let detail = tried.map { " (tried \($0))" } ?? ", and it holds no store yet"
        return SporeError("no spore daemon is serving \(path)\(detail); start it with: spore serve --data-dir \(shellQuoted(path))")
    }

    /// `text` as one shell word, for commands the operator may paste.
    static func shellQuoted(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "/._-+:,@%=".unicodeScalars.contains($0))
        }
        return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// Reading the admin API's answers.
enum AdminAnswer {
    static func parse(_ text: String) throws -> JSONValue {
        guard let value = try? JSONValue(parsing: text) else {
            throw SporeError("the daemon answered with something that is not JSON: \(text.prefix(200))")
        }
        return value
    }

    /// A refused call as one sentence: the `error` (or `message`) of a JSON answer, the `Message`
    /// of an S3 error document (the S3 listener refuses signatures before the admin API sees
    /// them), else the status and the start of the body.
    static func refusal(status: Int, body: String) -> SporeError {
        if let answer = try? JSONValue(parsing: body), let message = (answer["error"] ?? answer["message"])?.stringValue {
            if status == 503 && message == "starting" { return SporeError("the spore daemon is still starting; try again in a moment") }
            return SporeError(message)
        }
        if let message = element("Message", in: body) {
            let code = element("Code", in: body) ?? "HTTP \(status)"
            if code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" {
                return SporeError(
                    "the daemon does not take this command's root credentials (\(code): \(message)); "
                        + "give it the daemon's with SPORE_ROOT_USER and SPORE_ROOT_PASSWORD"
                )
            }
            return SporeError("the daemon refused the call (\(code)): \(message)")
        }
        let start = body.split(separator: "\n").first.map { String($0.prefix(200)) } ?? ""
        return SporeError("the daemon answered HTTP \(status)" + (start.isEmpty ? "" : ": \(start)"))
    }

    /// The text of the first `<name>` element of an XML document, unescaped.
    static func element(_ name: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(name)>"), let close = xml.range(of: "</\(name)>", range: open.upperBound..<xml.endIndex) else {
            return nil
        }
        return String(xml[open.upperBound..<close.lowerBound])
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
