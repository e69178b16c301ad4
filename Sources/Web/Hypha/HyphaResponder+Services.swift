import Foundation
import HTTPTypes
import Hummingbird
import Index
import NIOCore

/// `/{workspace}/services/{service}/{function}`: the `s3-storage` functions and the workspace
/// manager's `generate_token`, called over HTTP as Hypha's HTTP proxy calls them.
extension HyphaResponder {
    /// A service function's parameters, in order (for positional arguments).
    static let functionParameters: [String: [String]] = [
        "list_files": ["path", "max_length", "offset"],
        "put_file": ["file_path", "use_proxy", "use_local_url", "expires_in", "ttl"],
        "get_file": ["file_path", "use_proxy", "use_local_url", "expires_in"],
        "put_file_start_multipart": ["file_path", "part_count", "expires_in", "ttl", "use_proxy"],
        "put_file_complete_multipart": ["upload_id", "parts"],
        "remove_file": ["path"],
        "delete_file": ["path"],
        "delete_directory": ["path"],
        "generate_presigned_url": ["path", "client_method", "expiration"],
        "generate_credential": [],
        "generate_token": ["config"],
    ]
    static let storageFunctions: Set<String> = [
        "list_files", "put_file", "get_file", "put_file_start_multipart", "put_file_complete_multipart", "remove_file", "delete_file",
        "delete_directory", "generate_presigned_url", "generate_credential",
    ]
    /// Longest a token minted by `generate_token` may live (Hypha has no cap; 30 days here).
    static let tokenLifetimeSecondsMax: Int64 = 30 * 86_400

    func services(_ workspace: String, rest: String, caller: HyphaCaller, request: Request, query: [String: String]) async throws -> Response {
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let service = parts.first ?? ""
        if service.isEmpty {
            guard workspaceExists(workspace) else { throw HyphaError.notFound("Workspace does not exists: \(workspace)") }
            return HyphaJSON.response([Self.describe("s3-storage"), Self.describe("ws")])
        }
        guard service == "s3-storage" || service == "ws" || service == "~" else { throw HyphaError.notFound("Service \(service) not found.") }
        guard parts.count == 2, !parts[1].isEmpty else { return HyphaJSON.response(Self.describe(service == "~" ? "ws" : service)) }
        let function = parts[1]
        let known = service == "s3-storage" ? Self.storageFunctions.contains(function) : function == "generate_token"
        guard known else { throw HyphaError.notFound("\(function) not found.") }
        do {
            let arguments = try await Self.arguments(request, query: query, parameters: Self.functionParameters[function] ?? [])
            let result = try await call(function, workspace: workspace, caller: caller, arguments: arguments)
            return HyphaJSON.response(result)
        } catch let failure as ServiceFailure {
            return HyphaError(status: failure.status, detail: "\(failure.type): \(failure.message)").response
        }
    }

    /// A failed service call, reported as Hypha reports a Python exception.
    struct ServiceFailure: Error {
        let type: String
        let message: String
        let status: HTTPResponse.Status

        static func permission(_ message: String) -> ServiceFailure { ServiceFailure(type: "PermissionError", message: message, status: .forbidden) }
        static func value(_ message: String) -> ServiceFailure { ServiceFailure(type: "ValueError", message: message, status: .badRequest) }
        static func key(_ message: String) -> ServiceFailure { ServiceFailure(type: "KeyError", message: message, status: .notFound) }
    }

    static func describe(_ service: String) -> [String: Any] {
        let functions = service == "ws" ? ["generate_token"] : storageFunctions.sorted()
        return ["id": service, "name": service, "type": service == "ws" ? "workspace-manager" : "s3-storage", "functions": functions]
    }

    /// GET: query parameters (numbers as numbers, `{…}` as JSON). POST: a JSON object of keyword
    /// arguments, or a list of positional ones, exactly as Hypha's HTTP proxy reads them.
    static func arguments(_ request: Request, query: [String: String], parameters: [String]) async throws -> [String: Any] {
        var arguments = [String: Any]()
        if request.method == .post {
            if let type = request.headers[.contentType], type != "application/json" {
                throw ServiceFailure(type: "ValueError", message: "Invalid content type: \(type)", status: .badRequest)
            }
            switch try await collectJSON(request) {
            case nil: break
            case let object as [String: Any]: arguments = object
            case let list as [Any]: for (index, value) in list.enumerated() { arguments[String(index)] = value }
            case let value?: arguments["0"] = value
            }
        } else {
            for (name, value) in query where !["workspace", "service_id", "function_key", "_mode", "token"].contains(name) {
                arguments[name] = normalize(value)
            }
        }
        // Positional arguments take the names of the function's parameters.
        for (index, name) in parameters.enumerated() {
            if let value = arguments.removeValue(forKey: String(index)) { arguments[name] = value }
        }
        return arguments
    }

    static func normalize(_ value: String) -> Any {
        if let integer = Int(value) { return integer }
        if let number = Double(value), value.contains(".") { return number }
        if value.hasPrefix("{"), let object = try? JSONSerialization.jsonObject(with: Data(value.utf8)) { return object }
        return value
    }

    // MARK: Calls

    private func call(_ function: String, workspace urlWorkspace: String, caller: HyphaCaller, arguments: [String: Any]) async throws -> Any {
        // Calls through `/public/…` run in the caller's own workspace, as in Hypha.
        let workspace: String
        if urlWorkspace == "public" {
            guard let current = caller.currentWorkspace else {
                throw ServiceFailure.permission("Anonymous users cannot use \(function); sign in with a token")
            }
            workspace = current
        } else {
            workspace = urlWorkspace
        }
        let (permission, record) = try servicePermission(workspace, caller: caller)
        func need(_ level: WorkspacePermission) throws {
            guard permission >= level else { throw ServiceFailure.permission("Permission denied: \(workspace)") }
            if level >= .readWrite, record?.isReadOnly == true {
                throw ServiceFailure.permission("Permission denied: workspace (\(workspace)) is read-only")
            }
        }
        let useProxy = Self.bool(arguments["use_proxy"])
        switch function {
        case "put_file", "get_file":
            try need(function == "put_file" ? .readWrite : .read)
            let expires = try Self.int(arguments["expires_in"], default: 3600, name: "expires_in")
            var extra = [(name: String, value: String)]()
            if function == "put_file", let ttl = try Self.optionalInt(arguments["ttl"], name: "ttl"), ttl > 0 {
                extra.append((S3Service.ttlQueryName, String(ttl)))
            }
            let method = function == "put_file" ? "PUT" : "GET"
            let make = { (path: String) throws -> String in
                try self.presign(method, key: try self.resolve(path, workspace: workspace, caller: caller), expiresSeconds: expires, useProxy: useProxy, extraQuery: extra)
            }
            switch arguments["file_path"] {
            case let path as String: return try make(path)
            case let paths as [Any]:
                var urls = [String: String]()
                for case let path as String in paths { urls[path] = try make(path) }
                return urls
            default: throw ServiceFailure.value("file_path must be a path or a list of paths")
            }
        case "generate_presigned_url":
            let method = (arguments["client_method"] as? String) ?? "get_object"
            guard let path = arguments["path"] as? String ?? arguments["object_name"] as? String else { throw ServiceFailure.value("path is required") }
            let http: String
            switch method {
            case "get_object": http = "GET"
            case "put_object": http = "PUT"
            default: throw ServiceFailure.value("client_method must be get_object or put_object")
            }
            try need(http == "PUT" ? .readWrite : .read)
            let expires = try Self.int(arguments["expiration"], default: 3600, name: "expiration")
            return try presign(http, key: try resolve(path, workspace: workspace, caller: caller), expiresSeconds: expires, useProxy: useProxy)
        case "put_file_start_multipart":
            try need(.readWrite)
            guard let path = arguments["file_path"] as? String else { throw ServiceFailure.value("file_path is required") }
            guard let partCount = arguments["part_count"].flatMap({ ($0 as? NSNumber)?.intValue }) else {
                throw ServiceFailure.value("part_count must be between 1 and \(Limits.partNumberMax)")
            }
            guard (1...Limits.partNumberMax).contains(partCount) else {
                throw ServiceFailure.value("part_count must be between 1 and \(Limits.partNumberMax)")
            }
            let expires = try Self.int(arguments["expires_in"], default: 3600, name: "expires_in")
            let ttl = try Self.optionalInt(arguments["ttl"], name: "ttl").flatMap { $0 > 0 ? Int64($0) : nil }
            return try await startMultipart(workspace, path: path, partCount: partCount, expiresSeconds: expires, ttlSeconds: ttl, useProxy: useProxy)
        case "put_file_complete_multipart":
            try need(.readWrite)
            guard let uploadID = arguments["upload_id"] as? String, let parts = arguments["parts"] as? [Any] else {
                throw ServiceFailure.value("upload_id and parts are required")
            }
            do {
                return try await completeMultipart(workspace, uploadID: uploadID, parts: parts)
            } catch let error as HyphaError {
                throw ServiceFailure.value(error.detail)
            }
        case "list_files":
            try need(.read)
            let path = (arguments["path"] as? String) ?? ""
            let limit = try Self.int(arguments["max_length"], default: 1000, name: "max_length")
            let offset = try Self.int(arguments["offset"], default: 0, name: "offset", minimum: 0)
            return try list(prefix: try resolve(path, workspace: workspace, caller: caller), limit: min(limit, Self.listLengthMax), offset: offset)
        case "remove_file", "delete_file", "delete_directory":
            try need(.readWrite)
            guard let path = arguments["path"] as? String else { throw ServiceFailure.value("path is required") }
            return try await remove(path, workspace: workspace, caller: caller, function: function)
        case "generate_credential":
            try need(.readWrite)
            return try await generateCredential(workspace, caller: caller)
        case "generate_token":
            return try generateToken(caller: caller, defaultWorkspace: workspace, arguments: arguments)
        default:
            throw ServiceFailure.key("\(function) not found.")
        }
    }

    /// The caller's permission in the workspace a call runs in, and the workspace's record.
    private func servicePermission(_ workspace: String, caller: HyphaCaller) throws -> (WorkspacePermission, WorkspaceRecord?) {
        let (exists, record) = lookupWorkspace(workspace)
        guard exists else { throw ServiceFailure.key("Workspace \(workspace) does not exist") }
        guard let permission = caller.permission(workspace, record: record) else {
            throw ServiceFailure.permission("Permission denied: \(workspace)")
        }
        return (permission, record)
    }

    /// A path as a key: relative to the workspace, or bucket-absolute (`/…`, admins only).
    private func resolve(_ path: String, workspace: String, caller: HyphaCaller) throws -> String {
        if path.hasPrefix("/") {
            guard caller.isAdmin else { throw ServiceFailure.permission("Bucket-absolute paths need admin permission: \(path)") }
            let absolute = String(path.drop { $0 == "/" })
            guard !absolute.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) else { throw ServiceFailure.value("Invalid path: \(path)") }
            return absolute
        }
        do {
            return try key(workspace, path)
        } catch let error as HyphaError {
            throw ServiceFailure.value(error.detail)
        }
    }

    private func remove(_ path: String, workspace: String, caller: HyphaCaller, function: String) async throws -> [String: Any] {
        let target = try resolve(path, workspace: workspace, caller: caller)
        let isDirectory = path.isEmpty || path.hasSuffix("/") || function == "delete_directory"
        if !isDirectory || function == "delete_file" {
            if try exists(target) {
                try await removeKeys([target])
                return ["success": true, "message": "File removed: \(path)"]
            }
            if function == "delete_file" { return ["success": false, "message": "File does not exist: \(path)"] }
        }
        var prefix = target
        if !prefix.hasSuffix("/") { prefix += "/" }
        let removed = try await removePrefix(prefix)
        if removed == 0 { return ["success": false, "message": "File or directory does not exist: \(path)"] }
        return ["success": true, "message": "Directory removed: \(path) (\(removed) files)"]
    }

    // MARK: Credentials and tokens

    /// A key limited to the workspace's prefix of the workspace bucket (what Hypha's MinIO mode
    /// hands out). Each call replaces the caller's previous key for that workspace, as Hypha resets
    /// the MinIO password.
    private func generateCredential(_ workspace: String, caller: HyphaCaller) async throws -> [String: Any] {
        let label = "hypha:\(caller.userID):\(workspace)"
        for old in try s3.catalog.accessKeys(user: configuration.signer.user) where old.label == label {
            try await s3.catalog.deleteAccessKey(old.accessKey)
        }
        let accessKey = RandomText.make(length: 20, alphabet: RandomText.accessKeyAlphabet)
        let secret = RandomText.make(length: 40, alphabet: RandomText.secretAlphabet)
        try await s3.catalog.createAccessKey(AccessKeyRecord(
            accessKey: accessKey, user: configuration.signer.user, sealedSecret: try sealer.seal(secret),
            scopes: [KeyScope(bucket: bucket, prefix: workspace + "/")], isReadOnly: false, expiresAtMilliseconds: nil,
            createdAtMilliseconds: s3.clock.nowMilliseconds(), label: label
        ))
        return [
            "endpoint_url": configuration.s3BaseURL, "access_key_id": accessKey, "secret_access_key": secret, "region_name": configuration.region,
            "bucket": bucket, "prefix": workspace + "/",
        ]
    }

    /// `generate_token(config)`: a token for a workspace the caller administers (by default the one
    /// the call runs in), with `read`, `read_write` (default) or `admin`.
    private func generateToken(caller: HyphaCaller, defaultWorkspace: String, arguments: [String: Any]) throws -> String {
        guard let token = caller.token else { throw ServiceFailure.permission("Anonymous users cannot generate tokens") }
        let config = (arguments["config"] as? [String: Any]) ?? arguments
        let workspace = (config["workspace"] as? String) ?? (defaultWorkspace == "public" ? caller.currentWorkspace ?? defaultWorkspace : defaultWorkspace)
        let (exists, record) = lookupWorkspace(workspace)
        guard exists else { throw ServiceFailure.key("Workspace \(workspace) does not exist") }
        guard caller.permission(workspace, record: record) == .admin else {
            throw ServiceFailure.permission("Only admins of \(workspace) can generate tokens for it")
        }
        let permissionName = (config["permission"] as? String) ?? "read_write"
        guard let permission = WorkspacePermission(name: permissionName) else {
            throw ServiceFailure.value("permission must be read, read_write or admin")
        }
        let expires = try Self.int(config["expires_in"], default: 3600, name: "expires_in")
        guard Int64(expires) <= Self.tokenLifetimeSecondsMax else { throw ServiceFailure.value("expires_in is at most \(Self.tokenLifetimeSecondsMax) seconds") }
        let now = s3.clock.nowMilliseconds() / 1000
        let minted = HyphaToken(
            userID: token.userID, subject: RandomText.make(length: 16, alphabet: RandomText.tokenAlphabet), email: token.email,
            roles: token.roles, workspaces: [workspace: permission], currentWorkspace: workspace, issuedAtSeconds: now,
            expiresAtSeconds: now + Int64(expires)
        )
        return try minted.encoded(secret: configuration.jwtSecret)
    }

    // MARK: Argument values

    static func bool(_ value: Any?) -> Bool? {
        switch value {
        case let flag as Bool: return flag
        case let text as String: return text.lowercased() == "true" ? true : (text.lowercased() == "false" ? false : nil)
        case let number as NSNumber: return number.boolValue
        default: return nil
        }
    }

    static func optionalInt(_ value: Any?, name: String) throws -> Int? {
        switch value {
        case nil, is NSNull: return nil
        case let number as NSNumber: return number.intValue
        case let text as String:
            guard let parsed = Int(text) ?? Double(text).map({ Int($0) }) else { throw ServiceFailure.value("\(name) must be a number") }
            return parsed
        default: throw ServiceFailure.value("\(name) must be a number")
        }
    }

    static func int(_ value: Any?, default fallback: Int, name: String, minimum: Int = 1) throws -> Int {
        let parsed = try optionalInt(value, name: name) ?? fallback
        guard parsed >= minimum else { throw ServiceFailure.value("\(name) must be at least \(minimum)") }
        return parsed
    }
}
