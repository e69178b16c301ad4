import HTTPSupport
import Hummingbird
import Index

/// Who is calling the Hypha-style API, and what they may do in which workspace.
struct HyphaCaller: Sendable {
    let token: HyphaToken?

    var isAnonymous: Bool { token == nil }
    var userID: String { token?.userID ?? "anonymous" }
    var isAdmin: Bool { token?.workspaces["*"] == .admin }

    /// The workspace a call runs in when the URL names none (or names `public`).
    var currentWorkspace: String? {
        guard let token else { return nil }
        return token.currentWorkspace ?? HyphaToken.personalWorkspace(of: token.userID)
    }

    func permission(_ workspace: String, record: WorkspaceRecord?) -> WorkspacePermission? {
        guard let token else { return nil }
        if isAdmin { return .admin }
        // A user's own token administers their personal workspace; a token minted from it by
        // generate_token (its own subject) has only the scopes it was given.
        if workspace == HyphaToken.personalWorkspace(of: token.userID), token.subject == token.userID { return .admin }
        if record?.owners.contains(token.userID) == true { return .admin }
        return token.workspaces[workspace]
    }

    /// The caller's token: `Authorization: Bearer` (or Basic with the token as password, or the bare
    /// token), the `access_token` cookie, or `?token=`. No token is an anonymous caller; a bad one
    /// is 401.
    static func authenticate(_ request: Request, query: HyphaQuery, secret: [UInt8], nowSeconds: Int64) throws -> HyphaCaller {
        guard let text = token(request, query: query) else { return HyphaCaller(token: nil) }
        do {
            return HyphaCaller(token: try HyphaToken.decode(text, secret: secret, nowSeconds: nowSeconds))
        } catch .expired {
            throw HyphaError.unauthorized("The token has expired.")
        } catch .badSignature {
            throw HyphaError.unauthorized("Signature verification failed.")
        } catch .malformed(let reason) {
            throw HyphaError.unauthorized(reason)
        }
    }

    static func token(_ request: Request, query: HyphaQuery) -> String? {
        if let authorization = request.headers[.authorization], !authorization.isEmpty {
            if authorization.hasPrefix("Bearer ") { return authorization.dropFirst(7).trimmingSpaces() }
            if let password = RequestFields.basicPassword(authorization) { return password }
            return authorization
        }
        if let cookies = request.headers[.cookie] {
            for cookie in cookies.split(separator: ";") {
                let pair = cookie.trimmingSpaces()
                if pair.hasPrefix("access_token=") { return String(pair.dropFirst("access_token=".count)) }
            }
        }
        if let token = query["token"], !token.isEmpty { return token }
        return nil
    }
}

/// The decoded query parameters of a request (`+` as space, the last of repeated names wins, as
/// Starlette's dict view of the query does).
struct HyphaQuery: Sendable {
    private(set) var pairs: [(name: String, value: String)] = []

    init(target: String) {
        guard let mark = target.firstIndex(of: "?") else { return }
        for item in target[target.index(after: mark)...].split(separator: "&") {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentEncoding.decodeString(parts[0], plusIsSpace: true) else { continue }
            pairs.append((name, PercentEncoding.decodeString(parts.count > 1 ? parts[1] : "", plusIsSpace: true) ?? ""))
        }
    }

    subscript(name: String) -> String? { pairs.last { $0.name == name }?.value }

    /// Every value given for `name`, in order (`?file=a&file=b`).
    func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }
}
