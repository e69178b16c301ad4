import Index
import SporeJSON

extension HyphaFace {
    /// Runs one service function for a caller: arguments bound to the function's parameters as
    /// Hypha binds them, the workspace the call runs in, the caller's permission there, then the
    /// handler. The one path both transports take (HTTP service calls and hypha-rpc), so both
    /// give the same results and the same errors.
    func invoke(
        _ service: ServiceDefinition, _ function: ServiceFunction, arguments body: JSONValue?, caller: HyphaCaller, urlWorkspace: String
    ) async throws -> JSONValue {
        // A token limited to its scopes (one file, a reconnection) is for the routes that check
        // those scopes, never for service calls, whatever the transport.
        if caller.token?.isSpecialized == true {
            throw PythonException.permission("This token is limited to its scopes and cannot be used here.")
        }
        let arguments = try ServiceArguments(call: body, function: function, rejectingUnknown: service.rejectsUnknownArguments)
        let workspace = try service.contextWorkspace(urlWorkspace, caller, function.name)
        if service.requiresWorkspacePermission {
            try checkPermission(workspace, caller: caller, needed: function.permission)
        }
        let call = ServiceCall(face: self, caller: caller, workspace: workspace, urlWorkspace: urlWorkspace, arguments: arguments)
        return try await function.handler(call)
    }

    /// The caller's permission in the workspace a call runs in: it must exist, the caller must
    /// have some permission there, and `needed` when the function names it (write levels also need
    /// a writable workspace).
    func checkPermission(_ workspace: String, caller: HyphaCaller, needed: WorkspacePermission?) throws {
        let (exists, record) = lookupWorkspace(workspace)
        guard exists else { throw PythonException.key("Workspace \(workspace) does not exist") }
        guard let permission = caller.permission(workspace, record: record) else {
            throw PythonException.permission("Permission denied: \(workspace)")
        }
        guard let needed else { return }
        guard permission >= needed else { throw PythonException.permission("Permission denied: \(workspace)") }
        if needed >= .readWrite, record?.isReadOnly == true {
            throw PythonException.permission("Permission denied: workspace (\(workspace)) is read-only")
        }
    }
}

extension HyphaFace {
    /// Runs a service function for a verified token exactly as an HTTP call to
    /// `/<urlWorkspace>/services/<service>/<function>` would: the path another front end (the web
    /// console) takes, so its answers and permission checks are this face's own. Failures are
    /// `HyphaError`s (the status and detail an HTTP caller would get).
    public func callService(_ serviceName: String, _ functionName: String, arguments: JSONValue, token: HyphaToken?, urlWorkspace: String)
        async throws -> JSONValue
    {
        do {
            try await ensureBucket()
            guard let service = services.service(named: serviceName), let function = service.function(named: functionName) else {
                throw HyphaError.notFound("\(serviceName).\(functionName) not found.")
            }
            return try await invoke(service, function, arguments: arguments, caller: HyphaCaller(token: token), urlWorkspace: urlWorkspace)
        } catch {
            throw HyphaError.from(error)
        }
    }
}
