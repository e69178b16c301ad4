import Access
import Foundation
import Glibc
import HTTPSupport
import HyphaAPI
import Objects
import S3API
import SporeJSON

#if canImport(Glibc)
#endif

/// The data directory: its layout, the lock that keeps a second daemon out, the server secret and
/// the generated root credentials.
struct DataDirectory {
    let path: String

    var indexPath: String { path + "/index" }
    var lockPath: String { path + "/spore.lock" }
    var secretPath: String { path + "/secret" }
    var credentialsPath: String { path + "/root-credentials" }
    /// Where a running daemon says which address its S3 listener bound (`host:port`), so that
    /// commands run on the same data directory reach it without being told.
    var listenerAddressPath: String { path + "/s3-address" }
    /// A copy of the S3 listener's certificate chain while it speaks TLS: the CLI on the box trusts
    /// its own daemon through it.
    var listenerCertificatePath: String { path + "/s3-certificate.pem" }

    /// The S3 address the daemon holding this directory wrote, when one is running.
    func runningDaemonAddress() -> ListenAddress? {
        guard isLocked(), let text = try? String(contentsOfFile: listenerAddressPath, encoding: .utf8) else { return nil }
        return try? ListenAddress(parsing: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    init(path: String) throws {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        self.path = URL(fileURLWithPath: absolute).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: self.path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Takes the exclusive lock for the life of the process. Throws if another process holds it.
    func lock() throws -> DirectoryLock {
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SporeError("cannot open \(lockPath): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            close(descriptor)
            throw SporeError(
                "another spore (pid \(holder.isEmpty ? "?" : holder)) is already using the data directory \(path); stop it first or choose another --data-dir"
            )
        }
        ftruncate(descriptor, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(descriptor, $0, strlen($0)) }
        return DirectoryLock(descriptor: descriptor)
    }

    /// Whether some process holds the lock (for commands that must not run beside a daemon).
    func isLocked() -> Bool {
        let descriptor = open(lockPath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return false
        }
        return true
    }

    /// The server secret (signs tokens and share links), created on first use.
    func secret() throws -> String {
        if let existing = try? String(contentsOfFile: secretPath, encoding: .utf8) {
            let trimmed = existing.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.count >= 32 { return trimmed }
        }
        let secret = Self.randomString(length: 64, alphabet: "0123456789abcdef")
        try Self.writePrivate(secret + "\n", to: secretPath)
        return secret
    }

    /// Root credentials: from the environment, else from the data directory, else generated and saved.
    func rootCredentials(user: String?, password: String?) throws -> (credential: Credential, generated: Bool) {
        if let user, let password {
            guard user.count >= 3, password.count >= 8 else {
                throw SporeError("SPORE_ROOT_USER needs at least 3 characters and SPORE_ROOT_PASSWORD at least 8")
            }
            return (Credential(accessKey: user, secretKey: password, user: user, isRoot: true), false)
        }
        if user != nil || password != nil {
            throw SporeError("set both SPORE_ROOT_USER and SPORE_ROOT_PASSWORD, or neither")
        }
        if let text = try? String(contentsOfFile: credentialsPath, encoding: .utf8) {
            var values = [String: String]()
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2 { values[parts[0]] = parts[1] }
            }
            if let access = values["access_key"], let secret = values["secret_key"] {
                return (Credential(accessKey: access, secretKey: secret, user: access, isRoot: true), false)
            }
        }
        let access = "SPORE" + Self.randomString(length: 15, alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let secret = Self.randomString(length: 40, alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        try Self.writePrivate(
            "# spore root credentials, generated on first start\naccess_key = \(access)\nsecret_key = \(secret)\n", to: credentialsPath)
        return (Credential(accessKey: access, secretKey: secret, user: access, isRoot: true), true)
    }

    static func randomString(length: Int, alphabet: String) -> String {
        let characters = Array(alphabet)
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in characters[Int(generator.next(upperBound: UInt64(characters.count)))] })
    }

    /// Writes a file readable only by its owner, durably.
    static func writePrivate(_ text: String, to path: String) throws {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SporeError("cannot write \(path): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            throw SporeError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// Holds the data directory's lock until the process exits.
final class DirectoryLock: Sendable {
    let descriptor: Int32

    init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }
}

/// A fatal condition reported to the operator in one sentence.
struct SporeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
