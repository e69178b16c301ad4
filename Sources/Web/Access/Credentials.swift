import BlobStore
import Crypto
import HTTPSupport
import Index
import Objects
import Synchronization

/// An access key and what it stands for.
public struct Credential: Sendable, Equatable {
    public let accessKey: String
    public let secretKey: String
    /// The user the key belongs to; buckets are owned by users.
    public let user: String
    public let isRoot: Bool
    /// Empty: everything the user may do; otherwise only these buckets and prefixes.
    public let scopes: [KeyScope]
    public let isReadOnly: Bool

    public init(accessKey: String, secretKey: String, user: String, isRoot: Bool, scopes: [KeyScope] = [], isReadOnly: Bool = false) {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.user = user
        self.isRoot = isRoot
        self.scopes = scopes
        self.isReadOnly = isReadOnly
    }

    /// What signs URLs made with this key.
    public var keyPair: AccessKeyPair { AccessKeyPair(accessKey: accessKey, secretKey: secretKey) }

    public var principal: Principal {
        Principal(user: user, isRoot: isRoot, accessKey: accessKey, scopes: scopes, isReadOnly: isReadOnly)
    }
}

/// Looks up access keys.
public protocol CredentialStore: Sendable {
    func credential(forAccessKey accessKey: String) -> Credential?
    /// Every user known to the store (for owner display names).
    func credential(forUser user: String) -> Credential?
    /// Names of the users the store knows.
    func userNames() -> [String]
}

/// Keys fixed at start: the root credentials and the users of `SPORE_USERS`.
public struct StaticCredentialStore: CredentialStore {
    private let byAccessKey: [String: Credential]
    private let byUser: [String: Credential]

    public init(_ credentials: [Credential]) {
        var byAccessKey = [String: Credential]()
        var byUser = [String: Credential]()
        for credential in credentials {
            byAccessKey[credential.accessKey] = credential
            if byUser[credential.user] == nil { byUser[credential.user] = credential }
        }
        self.byAccessKey = byAccessKey
        self.byUser = byUser
    }

    public func credential(forAccessKey accessKey: String) -> Credential? { byAccessKey[accessKey] }

    public func credential(forUser user: String) -> Credential? { byUser[user] }

    public func userNames() -> [String] { Array(byUser.keys) }

    /// Parses `SPORE_USERS`: `name:ACCESSKEY:SECRET` entries separated by commas.
    public static func parseUsers(_ text: String) throws -> [Credential] {
        try text.split(separator: ",").map { entry in
            let parts = entry.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, parts[2].count >= 8 else {
                throw CredentialFormatError(entry: String(entry))
            }
            return Credential(accessKey: parts[1], secretKey: parts[2], user: parts[0], isRoot: false)
        }
    }
}

public struct CredentialFormatError: Error, CustomStringConvertible {
    public let entry: String
    public var description: String {
        "SPORE_USERS entry '\(entry)' is not name:ACCESSKEY:SECRET (the secret needs at least 8 characters)"
    }
}

/// Who is making a request.
public struct Principal: Sendable, Equatable {
    public let user: String
    public let isRoot: Bool
    public let accessKey: String?
    /// A scoped key's buckets and prefixes (empty when the key is not scoped).
    public let scopes: [KeyScope]
    public let isReadOnly: Bool

    public init(user: String, isRoot: Bool, accessKey: String?, scopes: [KeyScope] = [], isReadOnly: Bool = false) {
        self.user = user
        self.isRoot = isRoot
        self.accessKey = accessKey
        self.scopes = scopes
        self.isReadOnly = isReadOnly
    }

    public static let anonymous = Principal(user: "", isRoot: false, accessKey: nil)

    public var isAnonymous: Bool { accessKey == nil }

    /// The canonical id S3 shows (and ACL grants name) for this principal.
    public var canonicalID: String? { isAnonymous ? nil : Self.canonicalID(forUser: user) }

    /// The canonical user id S3 shows for this user: a stable 64-hex-digit string.
    public static func canonicalID(forUser user: String) -> String {
        Hex.encode(Array(user.utf8).sha256Digest)
    }
}

extension Array where Element == UInt8 {
    var sha256Digest: [UInt8] {
        var hasher = Crypto.SHA256()
        hasher.update(data: self)
        return Array(hasher.finalize())
    }
}
