import Artifacts
import SporeJSON
import Testing

/// `_expand_permission`'s map in hypha 0.21.137, copied as written (order included: `_permissions` shows it).
private let hyphaCodes: [(String, [String])] = [
    ("n", []),
    ("l", ["list"]),
    ("l+", ["list", "draft"]),
    ("lv", ["list", "list_vectors"]),
    ("lv+", ["list", "list_vectors", "draft", "attach", "add_vectors"]),
    ("lf", ["list", "list_files"]),
    ("lf+", ["list", "list_files", "draft", "attach", "put_file"]),
    ("r", ["read", "get_file", "list_files", "list", "search_vectors", "get_vector"]),
    ("r+", ["read", "get_file", "put_file", "list_files", "list", "search_vectors", "get_vector", "draft", "attach", "add_vectors"]),
    (
        "rw",
        [
            "read", "get_file", "get_vector", "search_vectors", "list_files", "list_vectors", "list", "edit", "commit", "put_file",
            "add_vectors", "remove_file", "remove_vectors", "discard_changes", "detach", "mutate",
        ]
    ),
    (
        "rd+",
        [
            "read", "get_file", "get_status", "get_vector", "search_vectors", "list_files", "list_vectors", "list", "edit", "put_file",
            "add_vectors", "remove_file", "remove_vectors", "discard_changes", "draft",
        ]
    ),
    (
        "rw+",
        [
            "read", "get_file", "get_status", "get_vector", "search_vectors", "list_files", "list_vectors", "list", "edit", "commit",
            "put_file", "add_vectors", "remove_file", "remove_vectors", "discard_changes", "draft", "attach", "detach", "mutate",
        ]
    ),
    (
        "*",
        [
            "read", "get_file", "get_status", "get_vector", "search_vectors", "list_files", "list_vectors", "list", "edit", "commit",
            "put_file", "add_vectors", "remove_file", "remove_vectors", "discard_changes", "create", "draft", "attach", "detach",
            "mutate", "reset_stats", "publish", "delete",
        ]
    ),
]

@Test func everyCodeGrantsExactlyHyphasOps() throws {
    #expect(hyphaCodes.map(\.0).sorted() == ArtifactPermissionCode.allCases.map(\.rawValue).sorted())
    for (code, names) in hyphaCodes {
        let grant = try ArtifactGrant(validating: .string(code), key: "k")
        #expect(grant.expanded == .array(names.map(JSONValue.string)), "order of \(code)")
        for op in ArtifactOperation.allCases {
            #expect(grant.grants(op) == names.contains(op.rawValue), "\(code) × \(op.rawValue)")
        }
        #expect(grant.ops == Set(names.compactMap(ArtifactOperation.init(rawValue:))))
    }
}

@Test func everyNamedOpIsAnOperation() {
    let named = Set(hyphaCodes.flatMap(\.1))
    let fallbackOnly: Set<String> = ["get_secret", "set_secret", "set_download_weight"]
    #expect(Set(ArtifactOperation.allCases.map(\.rawValue)) == named.union(fallbackOnly))
}

@Test func unknownCodesAndValuesAreRefusedWithHyphasText() throws {
    let codes = "*, l, l+, lf, lf+, lv, lv+, n, r, r+, rd+, rw, rw+"
    let invalidCode = "Invalid permission code 'admin' for 'bob'. Valid codes are: \(codes) — or provide an explicit list of operations."
    #expect(throws: ArtifactPermissionError(invalidCode)) { try ArtifactPermissions(validating: ["bob": "admin"]) }
    #expect(
        throws: ArtifactPermissionError(
            "Invalid permission value for 'bob': expected a permission code string or a list of operations, got int."
        )
    ) { try ArtifactPermissions(validating: ["bob": 5]) }
    #expect(throws: ArtifactPermissionError("config.permissions must be a mapping of id -> permission, got list.")) {
        try ArtifactPermissions(validating: ["r"])
    }
    #expect(try ArtifactPermissions(validating: nil).isEmpty)
    #expect(try ArtifactPermissions(validating: []).isEmpty)
    let error = ArtifactPermissionError("x")
    #expect(error.description == "ValueError: x")
}

@Test func explicitListsAndStoredValues() throws {
    let permissions = try ArtifactPermissions(validating: ["alice": ["read", "frobnicate", 3], "bob": "r", "*": "l"])
    #expect(permissions.keys == ["alice", "bob", "*"])
    #expect(permissions["alice"]?.ops == [.read])
    #expect(permissions.json == ["alice": ["read", "frobnicate", 3], "bob": "r", "*": "l"])
    let expanded = #"{"alice":["read","frobnicate",3],"bob":["read","get_file","list_files","list","search_vectors","get_vector"],"*":["list"]}"#
    #expect(permissions.expanded.jsonText == expanded)

    // Values stored without validation (a staged edit, an older server) grant nothing but still show in `_permissions`.
    let stored = ArtifactPermissions(stored: ["x": "admin", "y": 7, "z": "rw"])
    #expect(stored["x"]?.ops == [])
    #expect(stored.expanded == ["x": [], "y": 7, "z": JSONValue.array(ArtifactPermissionCode.readWrite.operations.map { .string($0.rawValue) })])
    #expect(ArtifactPermissions.expanded(config: ["is_collection": true]) == [:])
    #expect(ArtifactPermissions.expanded(config: nil) == [:])
    #expect(ArtifactGrant(operations: [.read, .edit]).json == ["read", "edit"])
}

// MARK: - Decisions

private let ws = "ws-user-owner"
private let owner = ArtifactCaller(userID: "owner", email: "owner@x.org", currentWorkspace: ws)
private let other = ArtifactCaller(userID: "bob", email: "bob@x.org", currentWorkspace: "ws-user-bob")
private let anonymous = ArtifactCaller(userID: "anonymouz-1", isAnonymous: true, currentWorkspace: "ws-anon")

private func subject(_ permissions: KeyValuePairs<String, ArtifactGrant>) -> ArtifactAccessSubject {
    ArtifactAccessSubject(workspace: ws, permissions: ArtifactPermissions(permissions))
}

private func allows(
    _ op: ArtifactOperation, _ caller: ArtifactCaller, artifact: ArtifactAccessSubject? = nil, parent: ArtifactAccessSubject? = nil,
    workspace: WorkspaceAccess? = nil
) -> Bool {
    ArtifactAccess.allows(op, caller: caller, artifact: artifact, parent: parent, workspaceAccess: workspace)
}

@Test func userKeysEmailAtAndStar() {
    let mine = subject(["owner": ArtifactGrant(.all)])
    #expect(allows(.delete, owner, artifact: mine))
    #expect(!allows(.read, other, artifact: mine))
    #expect(!allows(.read, anonymous, artifact: mine))

    let byEmail = subject(["bob@x.org": ArtifactGrant(.read)])
    #expect(allows(.read, other, artifact: byEmail))
    #expect(!allows(.edit, other, artifact: byEmail))

    let signedIn = subject(["@": ArtifactGrant(.read)])
    #expect(allows(.read, other, artifact: signedIn))
    #expect(!allows(.read, anonymous, artifact: signedIn))

    let everyone = subject(["*": ArtifactGrant(.read)])
    #expect(allows(.read, anonymous, artifact: everyone))
    #expect(!allows(.edit, anonymous, artifact: everyone))

    // Every key that applies is tried: a user's own "n" does not hide "*".
    let mixed = subject(["bob": ArtifactGrant(.none), "*": ArtifactGrant(.read)])
    #expect(allows(.read, other, artifact: mixed))

    // A generated token matches its parent (human) user's key.
    let token = ArtifactCaller(userID: "tok-123", parentUserID: "owner")
    #expect(allows(.edit, token, artifact: mine))
}

@Test func workspaceScopedKeysNeedTheCurrentWorkspace() {
    let scoped = subject(["ws-team/*": ArtifactGrant(.read), "ws-team/@": ArtifactGrant(.readWrite), "ws-team/bob": ArtifactGrant(.all)])
    var bob = other
    #expect(!allows(.read, bob, artifact: scoped))
    bob.currentWorkspace = "ws-team"
    #expect(allows(.read, bob, artifact: scoped))
    #expect(allows(.delete, bob, artifact: scoped))

    var carol = ArtifactCaller(userID: "carol", currentWorkspace: "ws-team")
    #expect(allows(.edit, carol, artifact: scoped))
    #expect(!allows(.delete, carol, artifact: scoped))
    carol.currentWorkspace = nil
    #expect(!allows(.read, carol, artifact: scoped))

    // `{ws}/*` covers anonymous callers in that workspace, `{ws}/@` does not.
    let anonymousInTeam = ArtifactCaller(userID: "anonymouz-2", isAnonymous: true, currentWorkspace: "ws-team")
    #expect(allows(.read, anonymousInTeam, artifact: scoped))
    #expect(!allows(.edit, anonymousInTeam, artifact: scoped))

    let byEmail = subject(["ws-team/dave@x.org": ArtifactGrant(.readWrite)])
    let dave = ArtifactCaller(userID: "dave", email: "dave@x.org", currentWorkspace: "ws-team")
    #expect(allows(.commit, dave, artifact: byEmail))
    // `{ws}/{user}` names the token's own id, not its parent user.
    let token = ArtifactCaller(userID: "tok", parentUserID: "bob", currentWorkspace: "ws-team")
    #expect(!allows(.delete, token, artifact: scoped))
}

@Test func parentGrantsReadOpsOnlyAndParentOpsOnlyOnParent() {
    let child = subject(["owner": ArtifactGrant(.all)])
    let collection = subject(["*": ArtifactGrant(.readWriteContribute)])
    for op in [ArtifactOperation.read, .list, .getFile, .listFiles, .getVector, .listVectors, .searchVectors] {
        #expect(allows(op, other, artifact: child, parent: collection), "\(op) inherits")
    }
    for op in [ArtifactOperation.getStatus, .edit, .commit, .putFile, .removeFile, .discardChanges] {
        #expect(!allows(op, other, artifact: child, parent: collection), "\(op) does not inherit")
    }
    // draft/attach/detach/mutate are asked of the parent, never of the artifact.
    let ownChild = subject(["bob": ArtifactGrant(.all)])
    for op in [ArtifactOperation.draft, .attach, .detach, .mutate] {
        #expect(allows(op, other, artifact: child, parent: collection))
        #expect(!allows(op, other, artifact: ownChild, parent: subject(["*": ArtifactGrant(.read)])))
    }
    // rw lacks draft and attach; r+ has them; l+ drafts but cannot attach.
    #expect(!allows(.draft, other, parent: subject(["*": ArtifactGrant(.readWrite)])))
    #expect(allows(.attach, other, parent: subject(["*": ArtifactGrant(.readContribute)])))
    #expect(allows(.draft, other, parent: subject(["*": ArtifactGrant(.listDraft)])))
    #expect(!allows(.attach, other, parent: subject(["*": ArtifactGrant(.listDraft)])))
    // create needs both draft and attach on the parent.
    #expect(allows(.create, other, parent: subject(["*": ArtifactGrant(.readContribute)])))
    #expect(!allows(.create, other, parent: subject(["*": ArtifactGrant(.listDraft)])))
    #expect(!allows(.create, other, parent: subject(["*": ArtifactGrant(operations: [.create])])))
}

@Test func workspaceFallbackLevels() {
    let closed = subject(["owner": ArtifactGrant(.all)])
    let expected: [WorkspaceAccess: Set<ArtifactOperation>] = [
        .read: [.read, .list, .getFile, .listFiles, .getVector, .listVectors, .searchVectors, .getStatus],
        .readWrite: [
            .create, .draft, .attach, .edit, .commit, .putFile, .removeFile, .addVectors, .removeVectors, .discardChanges,
            .setSecret, .setDownloadWeight,
        ],
        .admin: [.detach, .mutate, .delete, .resetStats, .publish, .getSecret],
    ]
    for op in ArtifactOperation.allCases {
        let level = ArtifactAccess.workspaceLevel(for: op)
        #expect(expected[level]?.contains(op) == true, "\(op)")
        for access in WorkspaceAccess.allCases {
            #expect(allows(op, other, artifact: closed, parent: closed, workspace: access) == (access >= level), "\(op) with \(access)")
        }
        #expect(!allows(op, other, artifact: closed, parent: closed, workspace: nil))
    }
    // No code grants secrets or download weights: only the workspace does.
    let all = subject(["bob": ArtifactGrant(.all)])
    #expect(!allows(.setSecret, other, artifact: all))
    #expect(!allows(.getSecret, other, artifact: all))
    #expect(!allows(.setDownloadWeight, other, artifact: all))
    #expect(allows(.setDownloadWeight, other, artifact: all, workspace: .readWrite))
    #expect(allows(.setDownloadWeight, other, artifact: all, parent: all, workspace: .readWrite))
    // A root artifact's parent-only ops fall to the workspace.
    #expect(!allows(.create, other, workspace: .read))
    #expect(allows(.create, other, workspace: .readWrite))
    #expect(ArtifactAccess.subject(for: .getStatus) == .artifact)
    #expect(ArtifactAccess.subject(for: .listVectors) == .artifactThenParent)
    #expect(ArtifactAccess.subject(for: .mutate) == .parent)
}

@Test func workspaceLookupUsesTheArtifactsWorkspace() {
    let child = ArtifactAccessSubject(workspace: "ws-a", config: ["permissions": ["owner": "*"]])
    var asked: [String] = []
    let allowed = ArtifactAccess.allows(.edit, caller: other, artifact: child, parent: nil) { workspace in
        asked.append(workspace)
        return .readWrite
    }
    #expect(allowed)
    #expect(asked == ["ws-a"])
}
