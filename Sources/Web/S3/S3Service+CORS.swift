import HTTPTypes
import Hummingbird

extension S3Service {
    /// CORS preflight (`OPTIONS`). Preflights carry no credentials, so they are answered before
    /// authentication, from the bucket's CORS rules alone.
    func preflight(_ request: S3Request) throws -> Response {
        guard request.headers[.origin] != nil else {
            throw S3Error("BadRequest", .badRequest, "Insufficient information. Origin request header needed.")
        }
        guard request.headers[.accessControlRequestMethod] != nil else {
            throw S3Error("BadRequest", .badRequest, "Invalid Access-Control-Request-Method: null")
        }
        throw S3Error(
            "AccessForbidden", .forbidden,
            "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."
        )
    }
}
