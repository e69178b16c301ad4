import SporeJSON

/// Who is asking, as far as artifact permissions care: the fields of Hypha's `UserInfo` that `_check_permissions` reads.
public struct ArtifactCaller: Sendable, Hashable {
    /// The token's user id (for a generated token, its own ephemeral id).
    public var userID: String
    /// The effective (human) user of a token made by `generate_token`: a permission key naming it matches too.
    public var parentUserID: String?
    /// Matches an email key, and `{ws}/{email}` keys in the current workspace.
    public var email: String?
    /// Anonymous callers match `*` and `{ws}/*` but never `@` or `{ws}/@`.
    public var isAnonymous: Bool
    /// The workspace the caller is working in: `{ws}/…` keys only match when it equals `{ws}`.
    public var currentWorkspace: String?

    /// A caller; only the user id is required, as for a signed-in user outside any workspace.
    public init(
        userID: String, parentUserID: String? = nil, email: String? = nil, isAnonymous: Bool = false, currentWorkspace: String? = nil
    ) {
        self.userID = userID
        self.parentUserID = parentUserID
        self.email = email
        self.isAnonymous = isAnonymous
        self.currentWorkspace = currentWorkspace
    }

    /// `get_effective_user_id()`: the parent user of a generated token, else the user.
    public var effectiveUserID: String {
        if let parentUserID, !parentUserID.isEmpty { return parentUserID }
        return userID
    }
}

/// A caller's permission on a workspace, ordered so `>=` reads as Hypha's `check_permission` (admin ⊇ read_write ⊇ read).
public enum WorkspaceAccess: Int, Sendable, Comparable, CaseIterable {
    case read
    case readWrite
    case admin

    /// Ordered by breadth of access, so `access >= level` reads as "grants at least level".
    public static func < (lhs: WorkspaceAccess, rhs: WorkspaceAccess) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// An artifact as a permission check sees it: its workspace and its `config.permissions`.
public struct ArtifactAccessSubject: Sendable, Hashable {
    /// The workspace whose permission is the final fallback (Hypha asks the artifact's workspace, even for parent checks).
    public var workspace: String
    /// The artifact's `config.permissions`.
    public var permissions: ArtifactPermissions

    /// A subject from already parsed permissions.
    public init(workspace: String, permissions: ArtifactPermissions) {
        self.workspace = workspace
        self.permissions = permissions
    }

    /// A subject from a stored artifact config.
    public init(workspace: String, config: JSONValue?) {
        self.init(workspace: workspace, permissions: ArtifactPermissions(config: config))
    }
}

/// The artifact manager's permission decision (`_check_permissions` plus `_get_artifact_with_permission` and the
/// explicit parent checks of create, edit, delete and set_parent), as a pure function so it can be tested as a table.
public enum ArtifactAccess {
    /// Whose `config.permissions` an operation asks before the workspace fallback.
    public enum Subject: Sendable, Equatable {
        /// Read-type ops: the artifact, then its parent collection (inherited read access).
        case artifactThenParent
        /// Writes and the ops no code grants: the artifact only.
        case artifact
        /// draft, attach, detach, mutate and create: the parent collection only.
        case parent
    }

    /// Which permissions `op` consults.
    public static func subject(for op: ArtifactOperation) -> Subject {
        switch op {
        case .read, .list, .getFile, .listFiles, .getVector, .listVectors, .searchVectors: return .artifactThenParent
        case .create, .draft, .attach, .detach, .mutate: return .parent
        case .getStatus, .edit, .commit, .putFile, .removeFile, .addVectors, .removeVectors, .discardChanges, .delete,
            .resetStats, .publish, .getSecret, .setSecret, .setDownloadWeight:
            return .artifact
        }
    }

    /// The workspace permission that grants `op` when no key does (`operation_map`). detach and mutate need admin: that
    /// is what every Hypha call site that checks them (delete, set_parent, a direct edit of a committed child) demands,
    /// although `operation_map` lists detach as read_write and leaves mutate out.
    public static func workspaceLevel(for op: ArtifactOperation) -> WorkspaceAccess {
        switch op {
        case .read, .list, .getFile, .listFiles, .getVector, .listVectors, .searchVectors, .getStatus: return .read
        case .create, .draft, .attach, .edit, .commit, .putFile, .removeFile, .addVectors, .removeVectors, .discardChanges,
            .setSecret, .setDownloadWeight:
            return .readWrite
        case .detach, .mutate, .delete, .resetStats, .publish, .getSecret: return .admin
        }
    }

    /// Whether the keys of `permissions` grant `op` to `caller` (`_check_permissions`). Every key that applies is
    /// tried, in Hypha's order, until one grants the op: a key that applies but does not grant it does not stop the
    /// search, so `{"alice": "n", "*": "r"}` still lets alice read.
    ///
    /// Keys that apply: `{ws}/*`, `{ws}/@` (signed in), `{ws}/{user id}` or `{ws}/{email}`, only while the caller's
    /// current workspace is `{ws}`; the user id or the effective (parent) user id; the email; `@` for any signed-in
    /// caller; `*` for everyone, anonymous included.
    public static func grants(_ permissions: ArtifactPermissions, _ op: ArtifactOperation, to caller: ArtifactCaller) -> Bool {
        if let current = caller.currentWorkspace, !current.isEmpty {
            for (key, grant) in permissions.pairs {
                guard let slash = key.firstIndex(of: "/"), key[..<slash] == current else { continue }
                let target = String(key[key.index(after: slash)...])
                let applies: Bool
                switch target {
                case "*": applies = true
                case "@": applies = !caller.isAnonymous
                case caller.userID: applies = true
                default: applies = caller.email.map { !$0.isEmpty && target == $0 } ?? false
                }
                if applies && grant.grants(op) { return true }
            }
        }
        for candidate in [caller.userID, caller.effectiveUserID] where !candidate.isEmpty {
            if permissions[candidate]?.grants(op) == true { return true }
        }
        if let email = caller.email, !email.isEmpty, permissions[email]?.grants(op) == true { return true }
        if !caller.isAnonymous, permissions["@"]?.grants(op) == true { return true }
        return permissions["*"]?.grants(op) == true
    }

    /// Whether `caller` may perform `op`.
    ///
    /// - Parameters:
    ///   - artifact: the artifact operated on; nil when there is none yet (create).
    ///   - parent: its parent collection, or the collection a new child goes into; nil for a root artifact.
    ///   - workspaceAccess: the caller's permission on the artifact's workspace (the parent's when creating), nil for none.
    ///
    /// Read-type ops ask the artifact, then the parent; writes ask the artifact only; draft, attach, detach and mutate
    /// ask the parent only; create needs both draft and attach on the parent, each with its own fallback (as
    /// `_get_artifact_with_permission` expands it). Last comes the workspace fallback of ``workspaceLevel(for:)``.
    /// A parent-only op without a parent is decided by the workspace fallback alone, as create and set_parent do
    /// for root artifacts.
    public static func allows(
        _ op: ArtifactOperation, caller: ArtifactCaller, artifact: ArtifactAccessSubject?, parent: ArtifactAccessSubject?,
        workspaceAccess: WorkspaceAccess?
    ) -> Bool {
        func granted(_ op: ArtifactOperation, by subject: ArtifactAccessSubject?) -> Bool {
            subject.map { grants($0.permissions, op, to: caller) } ?? false
        }
        func fallback(_ op: ArtifactOperation) -> Bool { workspaceAccess.map { $0 >= workspaceLevel(for: op) } ?? false }

        if op == .create {
            return [ArtifactOperation.draft, .attach].allSatisfy { granted($0, by: parent) || fallback($0) }
        }
        switch subject(for: op) {
        case .artifactThenParent: return granted(op, by: artifact) || granted(op, by: parent) || fallback(op)
        case .artifact: return granted(op, by: artifact) || fallback(op)
        case .parent: return granted(op, by: parent) || fallback(op)
        }
    }

    /// ``allows(_:caller:artifact:parent:workspaceAccess:)`` with the workspace permission looked up for the
    /// artifact's workspace (the parent's when there is no artifact), as Hypha's fallback does.
    public static func allows(
        _ op: ArtifactOperation, caller: ArtifactCaller, artifact: ArtifactAccessSubject?, parent: ArtifactAccessSubject?,
        workspaceAccess: (String) -> WorkspaceAccess?
    ) -> Bool {
        let access = (artifact ?? parent).flatMap { workspaceAccess($0.workspace) }
        return allows(op, caller: caller, artifact: artifact, parent: parent, workspaceAccess: access)
    }
}
