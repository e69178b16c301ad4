import Artifacts
import HTTPSupport
import Index
import SporeJSON

/// The `artifact-manager` service: every artifact function, declared once (name, parameters
/// with Hypha 0.21.137's defaults, handler). Like Hypha it lives only in the `public` workspace
/// and reports failures as `RemoteException: <Type>: <message>`.
enum ArtifactManagerService {
    static let definition = ServiceDefinition(
        id: "artifact-manager", type: "artifact-manager",
        functions: lifecycleFunctions + fileFunctions + otherFunctions + unsupportedFunctions,
        exceptionPrefix: "RemoteException: ", rejectsUnknownArguments: true, onlyInPublic: true, acceptsJSONWithParameters: true,
        requiresWorkspacePermission: false, contextWorkspace: { _, caller, _ in caller.artifactContextWorkspace }
    )

    typealias Handler = @Sendable (ArtifactService, ArtifactArguments, ArtifactActor) async throws -> JSONValue

    static func function(_ name: String, _ parameters: [ServiceParameter], _ handler: @escaping Handler) -> ServiceFunction {
        ServiceFunction(name, parameters, permission: nil) { call in
            let actor = call.face.artifactActor(call.caller)
            do {
                return try await handler(call.face.artifacts, ArtifactArguments(call.arguments.values), actor)
            } catch let error as ArtifactError {
                throw PythonException(artifact: error)
            }
        }
    }

    static let artifactID = ServiceParameter.required("artifact_id")
    static let branch = ServiceParameter.optional("branch")

    static let lifecycleFunctions: [ServiceFunction] = [
        function(
            "create",
            [
                .optional("alias"), .optional("artifact_id"), .optional("workspace"), .optional("parent_id"), .optional("manifest"),
                .optional("type", "generic"), .optional("config"), .optional("secrets"), .optional("version"), .optional("comment"),
                .optional("overwrite", false), .optional("stage", false),
            ]
        ) { try await $0.create($1, actor: $2) },
        function(
            "edit",
            [
                artifactID, .optional("manifest"), .optional("type"), .optional("config"), .optional("secrets"), .optional("version"),
                .optional("comment"), .optional("stage", false), branch,
            ]
        ) { try await $0.edit($1, actor: $2) },
        function(
            "read", [artifactID, .optional("silent", false), .optional("version"), .optional("stage", false), .optional("include_metadata", false)]
        ) { try $0.read($1, actor: $2) },
        function("commit", [artifactID, .optional("version"), .optional("comment"), branch]) { try await $0.commit($1, actor: $2) },
        function("discard", [artifactID]) { try await $0.discard($1, actor: $2) },
        function("delete", [artifactID, .optional("delete_files", false), .optional("recursive", false), .optional("version")]) {
            try await $0.delete($1, actor: $2)
        },
        function(
            "list",
            [
                .optional("parent_id"), .optional("keywords"), .optional("filters"), .optional("mode", "AND"), .optional("offset", 0),
                .optional("limit", 100), .optional("order_by"), .optional("silent", false), .optional("pagination", false),
                .optional("stage", false),
            ]
        ) { try $0.list($1, actor: $2, call: .list) },
        function(
            "search",
            [
                .optional("parent_id"), .optional("keywords"), .optional("filters"), .optional("mode", "AND"), .optional("offset", 0),
                .optional("limit", 100), .optional("order_by"), .optional("pagination", false), .optional("stage", false),
            ]
        ) { try $0.list($1, actor: $2, call: .search) },
    ]

    static let fileFunctions: [ServiceFunction] = [
        function(
            "put_file",
            [
                artifactID, .required("file_path"), .optional("download_weight", 0), .optional("use_proxy"), .optional("use_local_url", false),
                .optional("expires_in", 3600), branch,
            ]
        ) { try await $0.putFile($1, actor: $2) },
        function(
            "put_file_start_multipart",
            [
                artifactID, .required("file_path"), .required("part_count"), .optional("download_weight", 0), .optional("expires_in", 3600),
                .optional("use_proxy"), .optional("use_local_url", false),
            ]
        ) { try await $0.startMultipart($1, actor: $2) },
        function("put_file_complete_multipart", [artifactID, .required("upload_id"), .required("parts")]) {
            try await $0.completeMultipart($1, actor: $2)
        },
        function("remove_file", [artifactID, .required("file_path"), branch]) { try await $0.removeFile($1, actor: $2) },
        function(
            "get_file",
            [
                artifactID, .required("file_path"), .optional("silent", false), .optional("version"), .optional("stage", false), branch,
                .optional("use_proxy"), .optional("use_local_url", false), .optional("expires_in", 3600),
            ]
        ) { try $0.getFile($1, actor: $2) },
        function(
            "read_file",
            [
                artifactID, .required("file_path"), .optional("format", "text"), .optional("encoding", "utf-8"), .optional("offset", 0),
                .optional("limit"), .optional("version"), .optional("stage", false), branch,
            ]
        ) { try await $0.readFile($1, actor: $2) },
        function(
            "write_file",
            [artifactID, .required("file_path"), .required("content"), .optional("format", "text"), .optional("encoding", "utf-8"), branch]
        ) { try await $0.writeFile($1, actor: $2) },
        function(
            "list_files",
            [
                artifactID, .optional("dir_path"), .optional("limit", 1000), .optional("version"), .optional("stage", false), branch,
                .optional("include_pending", false), .optional("offset", 0),
            ]
        ) { try $0.listFiles($1, actor: $2) },
        function("set_download_weight", [artifactID, .required("file_path"), .required("download_weight")]) {
            try await $0.setDownloadWeight($1, actor: $2)
        },
    ]

    static let otherFunctions: [ServiceFunction] = [
        function("reset_stats", [artifactID]) { try await $0.resetStats($1, actor: $2) },
        function("get_secret", [artifactID, .optional("secret_key")]) { try $0.getSecret($1, actor: $2) },
        function("set_secret", [artifactID, .required("secret_key"), .optional("secret_value")]) { try await $0.setSecret($1, actor: $2) },
        function("get_status", [artifactID, branch]) { try $0.status($1, actor: $2) },
        function("discard_changes", [artifactID, branch]) { try await $0.discardChanges($1, actor: $2) },
        function(
            "duplicate",
            [
                .required("source_artifact_id"), .optional("target_alias"), .optional("target_workspace"), .optional("target_parent_id"),
                .optional("overwrite", false), .optional("remove_secrets", true), .optional("stage", false),
            ]
        ) { try await $0.duplicate($1, actor: $2) },
        function("set_parent", [artifactID, .optional("new_parent_id")]) { try await $0.setParent($1, actor: $2) },
    ]

    /// Functions of the installed Hypha that spore does not offer yet: they answer a clear
    /// NotImplementedError (501) instead of "not found".
    static let unsupportedFunctions: [ServiceFunction] = [
        "publish", "add_vectors", "search_vectors", "remove_vectors", "get_vector", "list_vectors", "create_branch", "delete_branch",
        "list_branches", "get_diff", "create_pr", "get_pr", "list_prs", "update_pr", "close_pr", "merge_pr", "submit_review", "list_reviews",
    ].map { name in
        ServiceFunction(name, [], permission: nil, acceptsAnyArguments: true) { _ in
            throw PythonException(kind: .notImplementedError, message: "\(name) is not supported by spore yet.", prefix: "RemoteException: ")
        }
    }
}

extension PythonException {
    init(artifact error: ArtifactError) {
        let kind: PythonException.Kind =
            switch error.kind {
            case .keyError: .keyError
            case .permissionError: .permissionError
            case .valueError: .valueError
            case .assertionError: .assertionError
            case .typeError: .typeError
            case .fileNotFoundError: .fileNotFoundError
            case .fileExistsError: .fileExistsError
            case .notImplementedError: .notImplementedError
            case .httpException: .httpException
            case .pydanticValidationError: .pydanticValidationError
            }
        self.init(kind: kind, message: error.message)
        showsType = error.showsType
    }
}

extension HyphaCaller {
    /// The workspace bare aliases and root listings resolve against in the artifact manager: the
    /// token's `wid:` workspace, `public` for a token without one, the anonymous workspace for
    /// anonymous callers (as Hypha resolves them).
    var artifactContextWorkspace: String {
        guard let token else { return ArtifactActor.anonymousWorkspace }
        return token.currentWorkspace ?? "public"
    }
}

extension HyphaFace {
    /// The caller as the artifact manager sees it, with the caller's workspace permissions taken
    /// from one snapshot of the workspace records (the artifact functions decide inside index
    /// transactions, where no other read may start).
    func artifactActor(_ caller: HyphaCaller) -> ArtifactActor {
        let records = Dictionary(((try? catalog.workspaces.list()) ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let artifactCaller = ArtifactCaller(
            userID: caller.token?.subject ?? ArtifactActor.anonymousUserID,
            parentUserID: caller.token.map(\.userID), email: caller.token?.email, isAnonymous: caller.isAnonymous,
            currentWorkspace: caller.token?.currentWorkspace
        )
        return ArtifactActor(caller: artifactCaller, contextWorkspace: caller.artifactContextWorkspace) { workspace in
            guard let permission = caller.permission(workspace, record: records[workspace]) else { return nil }
            let readOnly = records[workspace]?.isReadOnly == true
            switch permission {
            case .read: return .read
            case .readWrite: return readOnly ? .read : .readWrite
            case .admin: return readOnly ? .read : .admin
            }
        }
    }
}
