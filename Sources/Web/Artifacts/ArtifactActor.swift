/// Who calls an artifact function and in which workspace context: the caller as permission keys
/// see it, the caller's permission on any workspace, and the context workspace bare aliases and
/// root listings resolve against (Hypha's `wid:` workspace; `public` for a plain user token; the
/// anonymous workspace for anonymous callers).
public struct ArtifactActor: Sendable {
    public static let anonymousUserID = "anonymouz-http"
    public static let anonymousWorkspace = "ws-anonymous"

    public let caller: ArtifactCaller
    public let contextWorkspace: String
    private let access: @Sendable (String) -> WorkspaceAccess?

    public init(caller: ArtifactCaller, contextWorkspace: String, workspaceAccess: @escaping @Sendable (String) -> WorkspaceAccess?) {
        self.caller = caller
        self.contextWorkspace = contextWorkspace
        self.access = workspaceAccess
    }

    /// The caller's permission on `workspace`, nil for none.
    public func workspaceAccess(_ workspace: String) -> WorkspaceAccess? { access(workspace) }

    /// The id recorded as `created_by` and granted `*` on what the caller creates.
    public var userID: String { caller.userID }
}
