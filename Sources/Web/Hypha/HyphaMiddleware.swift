import HTTPSupport
import HTTPTypes
import Hummingbird

/// Wraps every route of the Hypha face: answers CORS preflights, turns any error into Hypha's
/// JSON shapes (the one mapping, `HyphaError.from`), adds the CORS headers to every answer, and
/// names the route for the request log.
struct HyphaMiddleware: RouterMiddleware {
    typealias Context = SporeRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let endpoint = context.coreContext.endpointPath.value ?? "unmatched"
        context.labels.set(operation: "\(request.method.rawValue) \(endpoint)", resource: request.uri.path)
        let origin = request.headers[.origin]
        if request.method == .options, let origin { return Self.preflight(request, origin: origin) }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = HyphaError.from(error).response
        }
        // Any page may call the API with a token it holds (as Hypha allows every origin); cookies
        // are never sent cross-origin, since credentials are not allowed.
        if let origin {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlExposeHeaders] = "ETag, Content-Range, Content-Length"
            response.headers[.vary] = "Origin"
        }
        return response
    }

    static func preflight(_ request: Request, origin: String) -> Response {
        var headers = HTTPFields()
        headers[.accessControlAllowOrigin] = origin
        headers[.accessControlAllowMethods] = "GET, HEAD, PUT, POST, DELETE"
        if let requested = request.headers[.accessControlRequestHeaders] { headers[.accessControlAllowHeaders] = requested }
        headers[.accessControlMaxAge] = "600"
        headers[.vary] = "Origin"
        return Response(status: .noContent, headers: headers)
    }
}
