import Access
import HTTPSupport
import Hummingbird
import Objects

/// Serves the S3 API on a listener of its own.
public struct S3Responder: HTTPResponder {
    public typealias Context = SporeRequestContext
    let service: S3Service
    let pathPrefix: String

    public init(service: S3Service, pathPrefix: String = "") {
        self.service = service
        self.pathPrefix = pathPrefix
    }

    public func respond(to request: Request, context: SporeRequestContext) async throws -> Response {
        await service.respond(to: request, context: context, pathPrefix: pathPrefix)
    }
}
