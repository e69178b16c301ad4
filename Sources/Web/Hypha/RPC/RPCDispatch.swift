import BlobStore
import HyphaRPC
import SporeJSON

/// One call from a connected client, routed by target and method: the workspace manager
/// (`*/manager-spore`, §5–6) or the public services' host (`public/spore`, §7).
struct RPCDispatch {
    let face: HyphaFace
    let peer: RPCPeer

    /// The public services reachable over RPC, as Hypha's `public` workspace offers them.
    static let publicServices = ["s3-storage", "artifact-manager"]

    func call(target: String, method: String, arguments: (positional: [MessagePackValue], keyword: [(String, MessagePackValue)])) async throws
        -> MessagePackValue
    {
        // Revoking a token ends what it can do at once, on open connections too.
        if let token = peer.caller.token, face.isRevoked(token) {
            throw RPCFailure(type: "PermissionError", message: "The token has been revoked.")
        }
        let base = face.configuration.httpBaseURL
        if method == "services.built-in.get_service" {
            let id = arguments.positional.first?.stringValue ?? keyword("service_id", arguments)?.stringValue ?? ""
            switch (target, id) {
            case (RPCEndpoint.managerTarget, "default"): return RPCServiceMaps.manager(base: base)
            case (_, "built-in"): return RPCServiceMaps.builtIn(target: target, base: base)
            default: throw RPCFailure(type: "KeyError", message: "'Service not found: \(id)'")
            }
        }
        switch target {
        case RPCEndpoint.managerTarget:
            guard method.hasPrefix("services.default.") else { throw RPCFailure(type: "KeyError", message: "'Method not found: \(method)'") }
            return try await manager(String(method.dropFirst("services.default.".count)), arguments, base: base)
        case RPCEndpoint.providerTarget:
            let parts = method.split(separator: ".", maxSplits: 2).map(String.init)
            guard parts.count == 3, parts[0] == "services", Self.publicServices.contains(parts[1]),
                let service = face.services.service(named: parts[1]), let function = service.function(named: parts[2])
            else { throw RPCFailure(type: "KeyError", message: "'Method not found: \(method)'") }
            let result = try await face.invoke(service, function, arguments: body(arguments), caller: peer.caller, urlWorkspace: "public")
            // Over RPC bytes are bytes: `read_file(format="binary")` answers them as msgpack bin,
            // where HTTP (JSON) can only carry base64.
            if parts[1] == "artifact-manager", parts[2] == "read_file",
                (arguments.positional.count > 2 ? arguments.positional[2] : keyword("format", arguments))?.stringValue == "binary",
                case .object(var object) = result, let text = object["content"]?.stringValue, let bytes = Base64.decode(text)
            {
                object["content"] = nil
                var value = MessagePackValue(.object(object))
                if case .map(var pairs) = value {
                    pairs.append((.string("content"), .binary(bytes)))
                    value = .map(pairs)
                }
                return value
            }
            return MessagePackValue(result)
        default:
            throw RPCFailure(type: "KeyError", message: "'Target not found: \(target)'")
        }
    }

    private func keyword(_ name: String, _ arguments: (positional: [MessagePackValue], keyword: [(String, MessagePackValue)])) -> MessagePackValue? {
        arguments.keyword.first { $0.0 == name }?.1
    }

    /// Positional arguments under their positions ("0", "1", …) and keywords under their names:
    /// `ServiceArguments` binds positions to the function's parameters in Hypha's order (§7.3).
    private func body(_ arguments: (positional: [MessagePackValue], keyword: [(String, MessagePackValue)])) -> JSONValue {
        var object = JSONObject()
        for (index, value) in arguments.positional.enumerated() { object[String(index)] = value.json }
        for (name, value) in arguments.keyword { object[name] = value.json }
        return .object(object)
    }

    private func manager(_ function: String, _ arguments: (positional: [MessagePackValue], keyword: [(String, MessagePackValue)]), base: String)
        async throws -> MessagePackValue
    {
        func argument(_ index: Int, _ name: String) -> MessagePackValue? {
            index < arguments.positional.count ? arguments.positional[index] : keyword(name, arguments)
        }
        switch function {
        case "echo":
            return argument(0, "data") ?? .nil_
        case "log":
            return .nil_
        case "register_service":
            // Every client registers its own `built-in` service on connect; spore needs none of it.
            let info = argument(0, "service")
            if info?["type"]?.stringValue == "built-in" || info?["id"]?.stringValue?.hasSuffix(":built-in") == true { return .nil_ }
            throw RPCFailure(type: "NotImplementedError", message: "spore does not host services registered by clients")
        case "unregister_service":
            return .nil_
        case "list_services":
            let query = argument(0, "query")
            let wanted: Bool
            switch query {
            case nil, .nil_?: wanted = peer.workspace == "public"
            case .string(let text)?: wanted = text == "public" || text.hasPrefix("public/") || text.hasPrefix("*")
            case .map?: wanted = query?["workspace"]?.stringValue.map { $0 == "public" || $0 == "*" } ?? (peer.workspace == "public")
            default: wanted = false
            }
            guard wanted else { return .array([]) }
            return .array(Self.publicServices.compactMap { face.services.service(named: $0) }.map { RPCServiceMaps.info($0, base: base) })
        case "get_service", "get_service_info":
            let id = argument(0, "service_id")?.stringValue ?? ""
            guard let name = Self.resolve(id, callerWorkspace: peer.workspace), let service = face.services.service(named: name) else {
                throw RPCFailure(type: "KeyError", message: "'Service not found: \(Self.qualified(id, callerWorkspace: peer.workspace))'")
            }
            return function == "get_service" ? RPCServiceMaps.service(service, base: base) : RPCServiceMaps.info(service, base: base)
        case "generate_token":
            guard let service = face.services.service(named: "ws"), let generate = service.function(named: "generate_token") else {
                throw RPCFailure(type: "KeyError", message: "'Method not found: generate_token'")
            }
            var config = argument(0, "config")?.json ?? .object(JSONObject())
            if config.isNull { config = .object(JSONObject()) }
            let result = try await face.invoke(service, generate, arguments: ["config": config], caller: peer.caller, urlWorkspace: peer.workspace)
            return MessagePackValue(result)
        case "get_workspace_info":
            let workspace = argument(0, "workspace")?.stringValue ?? peer.workspace
            return .map([(.string("id"), .string(workspace)), (.string("name"), .string(workspace)), (.string("persistent"), .bool(true))])
        default:
            throw RPCFailure(type: "KeyError", message: "'Method not found: default.\(function)'")
        }
    }

    /// A service id split as Hypha reads it: `[workspace/][client:]service[@app]`, the workspace
    /// defaulting to the caller's (§6.2).
    static func parts(_ id: String, callerWorkspace: String) -> (workspace: String, client: String?, service: String) {
        var text = id
        if let at = text.firstIndex(of: "@") { text = String(text[..<at]) }
        var workspace = callerWorkspace
        if let slash = text.firstIndex(of: "/") {
            workspace = String(text[..<slash])
            text = String(text[text.index(after: slash)...])
        }
        guard let colon = text.firstIndex(of: ":") else { return (workspace, nil, text) }
        return (workspace, String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    /// The public service an id names, in Hypha's forms (`public/s3-storage`, `public/*:s3-storage`,
    /// `public/spore:s3-storage`, optionally `@app`); a bare name is relative to the caller's
    /// workspace, so it is found only from `public`.
    static func resolve(_ id: String, callerWorkspace: String) -> String? {
        let (workspace, client, service) = parts(id, callerWorkspace: callerWorkspace)
        guard client == nil || client == "*" || client == "spore", workspace == "public", publicServices.contains(service) else { return nil }
        return service
    }

    /// The id as Hypha spells it in "Service not found" (`public/*:name@*`).
    static func qualified(_ id: String, callerWorkspace: String) -> String {
        let (workspace, client, service) = parts(id, callerWorkspace: callerWorkspace)
        return "\(workspace)/\(client ?? "*"):\(service)@*"
    }
}

/// The service maps the client turns into callables (§4.5, §6.1, §6.2).
enum RPCServiceMaps {
    /// The Hypha version the client is told; the wire protocol spore speaks is 0.21's.
    static let hyphaVersion = "0.21.137"

    static func descriptor(target: String, method: String, name: String, parameters: [String], required: [String], base: String) -> MessagePackValue {
        let properties: [(MessagePackValue, MessagePackValue)] = parameters.map { (.string($0), .map([])) }
        let schema: MessagePackValue = .map([
            (.string("name"), .string(name)), (.string("description"), .string(name)),
            (
                .string("parameters"),
                .map([
                    (.string("type"), .string("object")), (.string("properties"), .map(properties)),
                    (.string("required"), .array(required.map(MessagePackValue.string))),
                ])
            ),
        ])
        return .map([
            (.string("_rtype"), .string("method")), (.string("_rserver"), .string(base)), (.string("_rtarget"), .string(target)),
            (.string("_rmethod"), .string(method)), (.string("_rpromise"), .string("*")), (.string("_rname"), .string(name)),
            (.string("_rasync"), .bool(true)), (.string("_rdoc"), .string("")), (.string("_rschema"), schema),
        ])
    }

    static let managerFunctions: [(String, [String])] = [
        ("echo", ["data"]), ("log", ["msg"]), ("register_service", ["service", "config"]), ("unregister_service", ["service_id"]),
        ("list_services", ["query"]), ("get_service", ["service_id", "config"]), ("get_service_info", ["service_id", "config"]),
        ("generate_token", ["config"]), ("get_workspace_info", ["workspace"]),
    ]

    static func manager(base: String) -> MessagePackValue {
        var pairs: [(MessagePackValue, MessagePackValue)] = [
            (.string("id"), .string("default")), (.string("name"), .string("Default workspace management service")),
            (.string("description"), .string("Services for managing workspace.")),
            (
                .string("config"),
                .map([
                    (.string("require_context"), .bool(true)), (.string("visibility"), .string("public")),
                    (.string("server_id"), .string("spore")), (.string("hypha_version"), .string(hyphaVersion)),
                    (.string("public_base_url"), .string(base)), (.string("local_base_url"), .string(base)),
                ])
            ),
        ]
        for (name, parameters) in managerFunctions {
            let descriptor = descriptor(
                target: RPCEndpoint.managerTarget, method: "services.default.\(name)", name: name, parameters: parameters,
                required: name == "echo" || name == "get_service" ? [parameters[0]] : [], base: base
            )
            pairs.append((.string(name), descriptor))
        }
        pairs.append((.string("type"), .string("default")))
        return .map(pairs)
    }

    static func builtIn(target: String, base: String) -> MessagePackValue {
        let cache: [(MessagePackValue, MessagePackValue)] = [
            ("create", ["key", "heartbeat"]), ("set", ["key", "index", "chunk", "heartbeat"]), ("append", ["key", "chunk", "heartbeat"]),
            ("process", ["key", "heartbeat"]), ("remove", ["key"]),
        ].map { name, parameters in
            (
                .string(name),
                descriptor(
                    target: target, method: "services.built-in.message_cache.\(name)", name: name, parameters: parameters, required: [],
                    base: base)
            )
        }
        return .map([
            (.string("id"), .string("built-in")), (.string("type"), .string("built-in")), (.string("name"), .string("Built-in services")),
            (
                .string("config"),
                .map([(.string("require_context"), .bool(true)), (.string("visibility"), .string("public")), (.string("api_version"), .int(3))])
            ),
            (.string("message_cache"), .map(cache)),
        ])
    }

    static let names = ["s3-storage": "S3 Storage Service", "artifact-manager": "Artifact Manager"]
    static let descriptions = [
        "s3-storage": "S3-compatible object storage service for managing files in the caller's workspace.",
        "artifact-manager": "Manage artifacts in a workspace.",
    ]

    static func info(_ service: ServiceDefinition, base: String) -> MessagePackValue {
        var schema: [(MessagePackValue, MessagePackValue)] = []
        for function in service.functions {
            let properties: [(MessagePackValue, MessagePackValue)] = function.parameters.map { (.string($0.name), .map([])) }
            schema.append(
                (
                    .string(function.name),
                    .map([
                        (.string("type"), .string("function")),
                        (
                            .string("function"),
                            .map([
                                (.string("name"), .string(function.name)),
                                (.string("parameters"), .map([(.string("type"), .string("object")), (.string("properties"), .map(properties))])),
                            ])
                        ),
                    ])
                ))
        }
        return .map([
            (
                .string("config"),
                .map([
                    (.string("visibility"), .string("public")), (.string("require_context"), .bool(true)), (.string("workspace"), .string("public")),
                    (.string("created_by"), .map([(.string("id"), .string("root"))])),
                ])
            ),
            (.string("id"), .string("\(RPCEndpoint.providerTarget):\(service.id)")), (.string("name"), .string(names[service.id] ?? service.id)),
            (.string("type"), .string(service.type)), (.string("description"), .string(descriptions[service.id] ?? "")),
            (.string("service_schema"), .map(schema)),
        ])
    }

    static func service(_ service: ServiceDefinition, base: String) -> MessagePackValue {
        var pairs: [(MessagePackValue, MessagePackValue)] = [
            (
                .string("config"),
                .map([
                    (.string("visibility"), .string("public")), (.string("require_context"), .bool(true)), (.string("workspace"), .string("public")),
                    (.string("flags"), .array([])), (.string("singleton"), .bool(false)),
                    (.string("url"), .string("\(base)/public/services/\(service.id)")),
                ])
            ),
            (.string("id"), .string("\(RPCEndpoint.providerTarget):\(service.id)")), (.string("name"), .string(names[service.id] ?? service.id)),
            (.string("type"), .string(service.type)), (.string("description"), .string(descriptions[service.id] ?? "")),
        ]
        for function in service.functions {
            pairs.append(
                (
                    .string(function.name),
                    descriptor(
                        target: RPCEndpoint.providerTarget, method: "services.\(service.id).\(function.name)", name: function.name,
                        parameters: function.parameters.map(\.name), required: function.parameters.filter { $0.defaultValue == nil }.map(\.name),
                        base: base
                    )
                ))
        }
        return .map(pairs)
    }
}
