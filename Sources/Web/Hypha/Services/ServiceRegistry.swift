import HTTPSupport
import Index
import SporeJSON

/// One parameter of a service function: its name and, for optional ones, its default. The order
/// of declaration is the order positional arguments take.
struct ServiceParameter: Sendable {
    let name: String
    /// nil: the caller must give it.
    let defaultValue: JSONValue?

    static func required(_ name: String) -> ServiceParameter { ServiceParameter(name: name, defaultValue: nil) }
    static func optional(_ name: String, _ defaultValue: JSONValue = .null) -> ServiceParameter {
        ServiceParameter(name: name, defaultValue: defaultValue)
    }
}

/// A call of a service function: who calls, in which workspace, with which arguments.
struct ServiceCall: Sendable {
    let face: HyphaFace
    let caller: HyphaCaller
    /// The workspace the call runs in: the URL's, or for `/public/…` the caller's current one.
    let workspace: String
    /// The workspace named in the URL.
    let urlWorkspace: String
    let arguments: ServiceArguments
}

/// One service function: one declaration holds its name, parameters, the workspace permission it
/// needs (nil when the function checks permissions itself) and its handler, so the HTTP endpoint
/// and a hypha-rpc endpoint can serve the same registry.
struct ServiceFunction: Sendable {
    let name: String
    let parameters: [ServiceParameter]
    let permission: WorkspacePermission?
    /// Takes whatever keywords are given (a stand-in that refuses every call anyway).
    let acceptsAnyArguments: Bool
    let handler: @Sendable (ServiceCall) async throws -> JSONValue

    init(
        _ name: String, _ parameters: [ServiceParameter], permission: WorkspacePermission?, acceptsAnyArguments: Bool = false,
        handler: @escaping @Sendable (ServiceCall) async throws -> JSONValue
    ) {
        self.name = name
        self.parameters = parameters
        self.permission = permission
        self.acceptsAnyArguments = acceptsAnyArguments
        self.handler = handler
    }
}

/// A service: its id (`s3-storage`), its type, its functions, and how it reports failures.
struct ServiceDefinition: Sendable {
    let id: String
    let type: String
    /// Other names the service answers to in URLs (`~` for the workspace manager).
    var aliases: [String] = []
    let functions: [ServiceFunction]
    /// Prefixed to failure details (`RemoteException: ` for services Hypha runs remotely).
    var exceptionPrefix = ""
    /// Whether a keyword the function does not declare is a TypeError, as Python raises it.
    var rejectsUnknownArguments = false
    /// Whether the service exists only in `public` (the artifact manager), not in every workspace.
    var onlyInPublic = false
    /// Whether a POST body may say `application/json; charset=…` (Hypha answers 500 for anything
    /// but the exact type; spore accepts the parameters where the service is new to spore).
    var acceptsJSONWithParameters = false
    /// Whether the caller needs some permission on the call's workspace before any function runs
    /// (the storage and workspace services; the artifact manager checks per artifact).
    var requiresWorkspacePermission = true
    /// The workspace a call runs in, from the URL's workspace and the caller.
    var contextWorkspace: @Sendable (_ urlWorkspace: String, _ caller: HyphaCaller, _ function: String) throws -> String = { url, caller, function in
        // Calls through `/public/…` run in the caller's own workspace, as in Hypha.
        guard url == "public" else { return url }
        guard let current = caller.currentWorkspace else {
            throw PythonException.permission("Anonymous users cannot use \(function); sign in with a token")
        }
        return current
    }

    func function(named name: String) -> ServiceFunction? { functions.first { $0.name == name } }

    /// The service as Hypha lists it under `/{workspace}/services/`.
    var description: JSONValue {
        ["id": .string(id), "name": .string(id), "type": .string(type), "functions": .array(functions.map(\.name).sorted().map(JSONValue.string))]
    }
}

/// Every service of the face, by id.
struct ServiceRegistry: Sendable {
    let services: [ServiceDefinition]

    func service(named name: String) -> ServiceDefinition? {
        services.first { $0.id == name || $0.aliases.contains(name) }
    }
}
