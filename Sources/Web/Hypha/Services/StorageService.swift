import Artifacts
import HTTPSupport
import Index
import Objects
import SporeJSON

/// The `s3-storage` service of Hypha's "Operating Files in S3": presigned URLs, multipart uploads,
/// listings and removal inside the caller's workspace, and scoped S3 credentials.
enum StorageService {
    static let definition = ServiceDefinition(
        id: "s3-storage", type: "s3-storage",
        functions: [
            ServiceFunction(
                "list_files", [.optional("path", ""), .optional("max_length", 1000), .optional("offset", 0)], permission: .read, handler: listFiles
            ),
            ServiceFunction(
                "put_file",
                [.required("file_path"), .optional("use_proxy"), .optional("use_local_url", false), .optional("expires_in", 3600), .optional("ttl")],
                permission: .readWrite, handler: { try presignFiles($0, method: "PUT") }
            ),
            ServiceFunction(
                "get_file", [.required("file_path"), .optional("use_proxy"), .optional("use_local_url", false), .optional("expires_in", 3600)],
                permission: .read, handler: { try presignFiles($0, method: "GET") }
            ),
            ServiceFunction(
                "put_file_start_multipart",
                [.required("file_path"), .required("part_count"), .optional("expires_in", 3600), .optional("ttl"), .optional("use_proxy")],
                permission: .readWrite, handler: startMultipart
            ),
            ServiceFunction(
                "put_file_complete_multipart", [.required("upload_id"), .required("parts")], permission: .readWrite, handler: completeMultipart
            ),
            ServiceFunction("remove_file", [.required("path")], permission: .readWrite) { try await remove($0, function: "remove_file") },
            ServiceFunction("delete_file", [.required("path")], permission: .readWrite) { try await remove($0, function: "delete_file") },
            ServiceFunction("delete_directory", [.required("path")], permission: .readWrite) { try await remove($0, function: "delete_directory") },
            ServiceFunction(
                "generate_presigned_url", [.required("path"), .optional("client_method", "get_object"), .optional("expiration", 3600)],
                permission: nil, handler: generatePresignedURL
            ),
            ServiceFunction("generate_credential", [], permission: .readWrite, handler: generateCredential),
        ]
    )

    static func listFiles(_ call: ServiceCall) throws -> JSONValue {
        let arguments = call.arguments
        let path = try arguments.string("path") ?? ""
        let limit = try arguments.int("max_length", default: 1000)
        let offset = try arguments.int("offset", default: 0, minimum: 0)
        guard offset <= Limits.listOffsetMax else { throw PythonException.value("offset must be at most \(Limits.listOffsetMax)") }
        let prefix = try resolve(path, call: call)
        return .array(try call.face.list(prefix: prefix, limit: min(limit, Limits.listLengthMax), offset: offset))
    }

    /// `put_file`/`get_file`: one URL, or `{path: URL}` for a list of paths.
    static func presignFiles(_ call: ServiceCall, method: String) throws -> JSONValue {
        let arguments = call.arguments
        let expires = try arguments.int("expires_in", default: 3600)
        var extra = [(name: String, value: String)]()
        if method == "PUT", let ttl = try arguments.optionalInt("ttl"), ttl > 0 { extra.append((PresignedURL.ttlName, String(ttl))) }
        let useProxy = arguments.bool("use_proxy")
        let make = { (path: String) throws -> String in
            try call.face.presign(method, key: try resolve(path, call: call), expiresSeconds: expires, useProxy: useProxy, extraQuery: extra)
        }
        switch arguments["file_path"] {
        case .string(let path)?: return .string(try make(path))
        case .array(let paths)?:
            var urls = JSONObject()
            for case .string(let path) in paths { urls[path] = .string(try make(path)) }
            return .object(urls)
        default: throw PythonException.value("file_path must be a path or a list of paths")
        }
    }

    static func generatePresignedURL(_ call: ServiceCall) throws -> JSONValue {
        let arguments = call.arguments
        let method = try arguments.string("client_method") ?? "get_object"
        guard let path = try arguments.string("path") ?? arguments.string("object_name") else { throw PythonException.value("path is required") }
        let http: String
        switch method {
        case "get_object": http = "GET"
        case "put_object": http = "PUT"
        default: throw PythonException.value("client_method must be get_object or put_object")
        }
        try need(http == "PUT" ? .readWrite : .read, call)
        let expires = try arguments.int("expiration", default: 3600)
        return .string(
            try call.face.presign(http, key: try resolve(path, call: call), expiresSeconds: expires, useProxy: arguments.bool("use_proxy")))
    }

    static func startMultipart(_ call: ServiceCall) async throws -> JSONValue {
        let arguments = call.arguments
        let path = try arguments.requiredString("file_path", message: "file_path is required")
        guard let partCount = arguments["part_count"]?.intValue, (1...Limits.partNumberMax).contains(Int(partCount)) else {
            throw PythonException.value("part_count must be between 1 and \(Limits.partNumberMax)")
        }
        let expires = try arguments.int("expires_in", default: 3600)
        let ttl = try arguments.optionalInt("ttl").flatMap { $0 > 0 ? Int64($0) : nil }
        return try await call.face.startMultipart(
            call.workspace, path: path, partCount: Int(partCount), expiresSeconds: expires, ttlSeconds: ttl, useProxy: arguments.bool("use_proxy")
        )
    }

    static func completeMultipart(_ call: ServiceCall) async throws -> JSONValue {
        guard let uploadID = try call.arguments.string("upload_id"), let parts = call.arguments["parts"], parts.arrayValue != nil else {
            throw PythonException.value("upload_id and parts are required")
        }
        do {
            return try await call.face.completeMultipart(call.workspace, uploadID: uploadID, parts: try HyphaFace.completionParts(parts))
        } catch let error as HyphaError {
            throw PythonException.value(error.detail)
        }
    }

    static func remove(_ call: ServiceCall, function: String) async throws -> JSONValue {
        let path = try call.arguments.requiredString("path", message: "path is required")
        let face = call.face
        let target = try resolve(path, call: call)
        let isDirectory = path.isEmpty || path.hasSuffix("/") || function == "delete_directory"
        if !isDirectory || function == "delete_file" {
            if try face.exists(target) {
                try await face.removeKeys([target])
                return ["success": true, "message": .string("File removed: \(path)")]
            }
            if function == "delete_file" { return ["success": false, "message": .string("File does not exist: \(path)")] }
        }
        var prefix = target
        if !prefix.hasSuffix("/") { prefix += "/" }
        let removed = try await face.removePrefix(prefix)
        if removed == 0 { return ["success": false, "message": .string("File or directory does not exist: \(path)")] }
        return ["success": true, "message": .string("Directory removed: \(path) (\(removed) files)")]
    }

    /// A key limited to the workspace's prefix of the workspace bucket (what Hypha's MinIO mode
    /// hands out). Each call replaces the caller's previous key for that workspace, as Hypha resets
    /// the MinIO password.
    static func generateCredential(_ call: ServiceCall) async throws -> JSONValue {
        let face = call.face
        let configuration = face.configuration
        let label = "hypha:\(call.caller.userID):\(call.workspace)"
        for old in try face.catalog.identity.accessKeys(user: configuration.storageOwner) where old.label == label {
            try await face.catalog.identity.deleteAccessKey(old.accessKey)
        }
        let accessKey = RandomText.make(length: 20, alphabet: RandomText.accessKeyAlphabet)
        let secret = RandomText.make(length: 40, alphabet: RandomText.secretAlphabet)
        try await face.catalog.identity.createAccessKey(
            AccessKeyRecord(
                accessKey: accessKey, user: configuration.storageOwner, sealedSecret: try face.sealer.seal(secret),
                scopes: [KeyScope(bucket: face.bucket, prefix: call.workspace + "/")], isReadOnly: false, expiresAtMilliseconds: nil,
                createdAtMilliseconds: face.nowMilliseconds, label: label
            ))
        return [
            "endpoint_url": .string(configuration.s3BaseURL), "access_key_id": .string(accessKey), "secret_access_key": .string(secret),
            "region_name": .string(configuration.region), "bucket": .string(face.bucket), "prefix": .string(call.workspace + "/"),
        ]
    }

    // MARK: Helpers

    /// Checks a level a function decides on from its arguments (`generate_presigned_url`).
    static func need(_ level: WorkspacePermission, _ call: ServiceCall) throws {
        let (_, record) = call.face.lookupWorkspace(call.workspace)
        guard let permission = call.caller.permission(call.workspace, record: record), permission >= level else {
            throw PythonException.permission("Permission denied: \(call.workspace)")
        }
        if level >= .readWrite, record?.isReadOnly == true {
            throw PythonException.permission("Permission denied: workspace (\(call.workspace)) is read-only")
        }
    }

    /// A path as a key: relative to the workspace, or bucket-absolute (`/…`, admins only).
    static func resolve(_ path: String, call: ServiceCall) throws -> String {
        if path.hasPrefix("/") {
            guard call.caller.isAdmin else { throw PythonException.permission("Bucket-absolute paths need admin permission: \(path)") }
            let absolute = String(path.drop { $0 == "/" })
            guard !absolute.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) else {
                throw PythonException.value("Invalid path: \(path)")
            }
            return absolute
        }
        do {
            return try call.face.key(call.workspace, path)
        } catch let error as HyphaError {
            throw PythonException.value(error.detail)
        }
    }
}

/// The workspace manager (`ws`, also `~`): `generate_token`.
enum WorkspaceManagerService {
    static let definition = ServiceDefinition(
        id: "ws", type: "workspace-manager", aliases: ["~"],
        functions: [ServiceFunction("generate_token", [.optional("config")], permission: nil, handler: generateToken)]
    )

    /// `generate_token(config)`: a token for a workspace the caller administers (by default the one
    /// the call runs in), with `read`, `read_write` (default) or `admin`.
    static func generateToken(_ call: ServiceCall) throws -> JSONValue {
        guard let token = call.caller.token else { throw PythonException.permission("Anonymous users cannot generate tokens") }
        let config = call.arguments["config"]?.objectValue ?? call.arguments.values
        let caller = call.caller
        let defaultWorkspace = call.workspace
        let workspace =
            config["workspace"]?.stringValue
            ?? (defaultWorkspace == "public" ? caller.currentWorkspace ?? defaultWorkspace : defaultWorkspace)
        let (exists, record) = call.face.lookupWorkspace(workspace)
        guard exists else { throw PythonException.key("Workspace \(workspace) does not exist") }
        guard caller.permission(workspace, record: record) == .admin else {
            throw PythonException.permission("Only admins of \(workspace) can generate tokens for it")
        }
        let permissionName = config["permission"]?.stringValue ?? "read_write"
        guard let permission = WorkspacePermission(name: permissionName) else {
            throw PythonException.value("permission must be read, read_write or admin")
        }
        let expires = try ServiceArguments(config).int("expires_in", default: 3600)
        guard Int64(expires) <= Limits.hyphaTokenLifetimeSecondsMax else {
            throw PythonException.value("expires_in is at most \(Limits.hyphaTokenLifetimeSecondsMax) seconds")
        }
        let now = call.face.nowMilliseconds / 1000
        var minted = HyphaToken(
            userID: token.userID, subject: RandomText.make(length: 16, alphabet: RandomText.tokenAlphabet), email: token.email,
            roles: token.roles, workspaces: [workspace: permission], currentWorkspace: workspace, issuedAtSeconds: now,
            expiresAtSeconds: now + Int64(expires)
        )
        // `extra_scopes` make a specialized token (`get_file:{artifact}:{path}` …), good only for what they name.
        let extra = config["extra_scopes"]?.arrayValue ?? []
        guard extra.count <= Limits.tokenExtraScopeCountMax, extra.allSatisfy({ $0.stringValue.map { !$0.contains(" ") && !$0.isEmpty } ?? false })
        else {
            throw PythonException.value("extra_scopes must be a list of at most \(Limits.tokenExtraScopeCountMax) scopes without spaces")
        }
        minted.extraScopes = extra.compactMap(\.stringValue)
        let actor = call.face.artifactActor(caller)
        for scope in minted.extraScopes {
            let parts = scope.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, let op = ArtifactOperation(rawValue: parts[0]), op == .getFile || op == .putFile,
                !parts[1].isEmpty, !parts[2].isEmpty
            else {
                throw PythonException.value("extra_scopes entries must be get_file:{artifact}:{path} or put_file:{artifact}:{path}, not \(scope)")
            }
            do {
                try call.face.artifacts.requireDelegable(op, artifact: parts[1], actor: actor)
            } catch {
                throw PythonException.permission("Cannot grant \(scope): the caller has no \(op.rawValue) permission on artifact \(parts[1])")
            }
        }
        return .string(minted.encoded(secret: call.face.configuration.jwtSecret))
    }
}
