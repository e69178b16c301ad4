import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Objects
import SporeJSON

/// `/{workspace}/services/…`: the service list, a service's description, and calls of service
/// functions over HTTP (GET with query arguments, POST with a JSON body), as Hypha's HTTP proxy
/// serves them.
struct ServiceRoutes {
    let face: HyphaFace

    func register(on router: Router<SporeRequestContext>) {
        router.get("/:workspace/services") { request, context in try await listOrRedirect(request, context) }
        router.get("/:workspace/services/:service") { request, context in try await describe(request, context) }
        for method in [HTTPRequest.Method.get, .post] {
            router.on("/:workspace/services/:service/:function", method: method) { request, context in try await call(request, context) }
        }
    }

    private func listOrRedirect(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let workspace = try HyphaFace.workspace(context)
        guard request.uri.path.hasSuffix("/") else {
            let first = request.uri.path.split(separator: "/").first.map(String.init) ?? ""
            return Response(status: .temporaryRedirect, headers: [.location: "/\(first)/services/"])
        }
        _ = try face.caller(request, query: HyphaQuery(target: request.uri.description))
        try await face.ensureBucket()
        guard face.lookupWorkspace(workspace).exists else { throw HyphaError.notFound("Workspace does not exists: \(workspace)") }
        let available = face.services.services.filter { !$0.onlyInPublic || workspace == "public" }
        return JSONResponse.make(.array(available.map(\.description)))
    }

    private func describe(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        _ = try HyphaFace.workspace(context)
        _ = try face.caller(request, query: HyphaQuery(target: request.uri.description))
        let name = try Self.decoded(context.parameters.get("service"))
        guard let service = face.services.service(named: name) else { throw HyphaError.notFound("Service \(name) not found.") }
        return JSONResponse.make(service.description)
    }

    private func call(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let urlWorkspace = try HyphaFace.workspace(context)
        let query = HyphaQuery(target: request.uri.description)
        let caller = try face.caller(request, query: query)
        try await face.ensureBucket()
        let serviceName = try Self.decoded(context.parameters.get("service"))
        guard let service = face.services.service(named: serviceName) else { throw HyphaError.notFound("Service \(serviceName) not found.") }
        if service.onlyInPublic, urlWorkspace != "public" {
            let failure = PythonException(
                kind: .keyError, message: "'Service not found: \(urlWorkspace)/*:\(service.id)@*'", prefix: "RemoteException: ")
            throw HyphaError(status: failure.status, detail: failure.detail)
        }
        let functionName = try Self.decoded(context.parameters.get("function"))
        guard let function = service.function(named: functionName) else { throw HyphaError.notFound("\(functionName) not found.") }
        context.labels.set(operation: "\(service.id).\(function.name)", resource: urlWorkspace)
        do {
            let body: JSONValue?
            if request.method == .post {
                // Hypha reads the body by exact content type: JSON, or none (meaning JSON).
                if let type = request.headers[.contentType], type != "application/json" {
                    let isJSON = service.acceptsJSONWithParameters && type.lowercased().hasPrefix("application/json;")
                    if !isJSON { throw PythonException.value("Invalid content type: \(type)") }
                }
                body = try await RequestBodies.collectJSON(request, byteCountMax: Limits.jsonBodyByteCountMax)
            } else {
                body = ServiceArguments.fromQuery(query)
            }
            return JSONResponse.make(try await face.invoke(service, function, arguments: body, caller: caller, urlWorkspace: urlWorkspace))
        } catch var failure as PythonException {
            failure.prefix = service.exceptionPrefix
            throw HyphaError(status: failure.status, detail: failure.detail)
        }
    }

    static func decoded(_ raw: String?) throws -> String {
        guard let raw, let text = PercentEncoding.decodeString(raw[...], plusIsSpace: false) else { throw HyphaError.routeNotFound }
        return text
    }
}
