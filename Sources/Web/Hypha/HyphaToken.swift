import Crypto
import Foundation
import SporeJSON

/// What a workspace lets a caller do, in Hypha's order: read < read_write < admin.
public enum WorkspacePermission: Int, Sendable, Comparable, CaseIterable {
    case read = 1
    case readWrite = 2
    case admin = 3

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The scope suffix (`ws:NAME#rw`).
    public var scopeCode: String {
        switch self {
        case .read: return "r"
        case .readWrite: return "rw"
        case .admin: return "a"
        }
    }

    /// `read`, `read_write`, `admin` (Hypha's TokenConfig), or the scope codes.
    public init?(name: String) {
        switch name {
        case "read", "r": self = .read
        case "read_write", "rw": self = .readWrite
        case "admin", "a", "*": self = .admin
        default: return nil
        }
    }
}

/// The claims of a Hypha token: who, which workspaces, until when. Encoded the way Hypha encodes
/// them (`scope` = `ws:{workspace}#{r|rw|a} … wid:{current}`, the user in `https://amun.ai/parent`).
public struct HyphaToken: Sendable, Equatable {
    public static let issuer = "https://amun.ai/"
    public static let audience = "https://amun-ai.eu.auth0.com/api/v2/"
    static let parentClaim = "https://amun.ai/parent"
    static let emailClaim = "https://amun.ai/email"
    static let rolesClaim = "https://amun.ai/roles"

    /// The user the token speaks for.
    public var userID: String
    public var subject: String
    public var email: String?
    public var roles: [String]
    /// Workspace name (or `*` for every workspace) to permission.
    public var workspaces: [String: WorkspacePermission]
    /// The workspace calls run in when the URL does not say (`wid:`).
    public var currentWorkspace: String?
    public var issuedAtSeconds: Int64
    public var expiresAtSeconds: Int64
    /// Scopes beyond workspaces (`get_file:{artifact}:{path}`, `put_file:…`): a token carrying any
    /// is "specialized", good only for what those scopes name.
    public var extraScopes: [String] = []
    /// The id revocation names the token by (set when a token is decoded).
    public var id = ""

    public init(
        userID: String, subject: String? = nil, email: String? = nil, roles: [String] = [], workspaces: [String: WorkspacePermission],
        currentWorkspace: String?, issuedAtSeconds: Int64, expiresAtSeconds: Int64
    ) {
        self.userID = userID
        self.subject = subject ?? userID
        self.email = email
        self.roles = roles
        self.workspaces = workspaces
        self.currentWorkspace = currentWorkspace
        self.issuedAtSeconds = issuedAtSeconds
        self.expiresAtSeconds = expiresAtSeconds
    }

    /// The personal workspace Hypha gives every user.
    public static func personalWorkspace(of userID: String) -> String { "ws-user-\(userID)" }

    /// The `scope` claim. Items are separated by spaces, so an item holding whitespace is left
    /// out rather than allowed to smuggle in other items (every caller validates names first;
    /// this is the last line).
    public var scope: String {
        func safe(_ item: String) -> Bool { !item.contains(where: \.isWhitespace) }
        var parts = workspaces.keys.sorted().filter(safe).map { "ws:\($0)#\(workspaces[$0]!.scopeCode)" }
        if let currentWorkspace, safe(currentWorkspace) { parts.append("wid:\(currentWorkspace)") }
        parts += extraScopes.filter(safe)
        return parts.joined(separator: " ")
    }

    public func encoded(secret: [UInt8]) -> String {
        var claims: JSONObject = [
            "iss": .string(Self.issuer), "aud": .string(Self.audience), "sub": .string(subject), "iat": .int(issuedAtSeconds),
            "exp": .int(expiresAtSeconds), "scope": .string(scope), "gty": "client-credentials",
            Self.rolesClaim: .array(roles.map(JSONValue.string)), Self.parentClaim: .string(userID),
        ]
        if let email { claims[Self.emailClaim] = .string(email) }
        return JWT.sign(claims, secret: secret)
    }

    public static func decode(_ tokenText: String, secret: [UInt8], nowSeconds: Int64) throws(JWT.Failure) -> HyphaToken {
        let claims = try JWT.verify(tokenText, secret: secret, nowSeconds: nowSeconds)
        guard claims["iss"]?.stringValue == issuer else { throw .malformed("Invalid issuer") }
        if let audience = claims["aud"] {
            let values = audience.arrayValue?.compactMap(\.stringValue) ?? [audience.stringValue ?? ""]
            guard values.contains(Self.audience) else { throw .malformed("Invalid audience") }
        }
        guard let subject = claims["sub"]?.stringValue, !subject.isEmpty else { throw .malformed("Missing sub") }
        var workspaces = [String: WorkspacePermission]()
        var current: String?
        var extra = [String]()
        for item in (claims["scope"]?.stringValue ?? "").split(separator: " ") {
            if item.hasPrefix("ws:"), let hash = item.lastIndex(of: "#") {
                let name = String(item[item.index(item.startIndex, offsetBy: 3)..<hash])
                if let permission = WorkspacePermission(name: String(item[item.index(after: hash)...])) {
                    workspaces[name] = max(workspaces[name] ?? permission, permission)
                }
            } else if item.hasPrefix("wid:") {
                current = String(item.dropFirst(4))
            } else if !item.hasPrefix("cid:") {
                extra.append(String(item))
            }
        }
        var token = HyphaToken(
            userID: claims[parentClaim]?.stringValue ?? subject, subject: subject, email: claims[emailClaim]?.stringValue,
            roles: claims[rolesClaim]?.arrayValue?.compactMap(\.stringValue) ?? [], workspaces: workspaces, currentWorkspace: current,
            issuedAtSeconds: claims["iat"]?.intValue ?? 0, expiresAtSeconds: claims["exp"]?.intValue ?? 0
        )
        token.extraScopes = extra
        token.id = identifier(of: tokenText)
        return token
    }

    /// A token's id for revocation: the first 128 bits of the SHA-256 of its text (tokens carry
    /// no id claim of their own; Hypha's do not either).
    public static func identifier(of text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).prefix(16).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }

    /// Whether the token is specialized (carries extra scopes): Hypha accepts such a token only
    /// where its scopes apply, never for service calls or workspace files.
    public var isSpecialized: Bool { !extraScopes.isEmpty }
}
