import Access
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Objects

extension S3Service {
    /// CORS preflight (`OPTIONS`). Preflights carry no credentials, so they are answered before
    /// authentication, from the bucket's CORS rules alone.
    func preflight(_ request: S3Request) throws -> Response {
        guard let origin = request.headers[.origin] else {
            throw S3Error("BadRequest", .badRequest, "Insufficient information. Origin request header needed.")
        }
        guard let method = request.headers[.accessControlRequestMethod] else {
            throw S3Error("BadRequest", .badRequest, "Invalid Access-Control-Request-Method: null")
        }
        let forbidden = S3Error(
            "AccessForbidden", .forbidden,
            "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."
        )
        guard let cors = corsConfiguration(forBucketNamed: request.bucket) else { throw forbidden }
        let requested = Self.requestedHeaders(request)
        guard let rule = cors.match(origin: origin, method: method, requestHeaders: requested) else { throw forbidden }
        var headers = HTTPFields()
        Self.addCORSHeaders(&headers, rule: rule, origin: origin)
        if !requested.isEmpty { headers[.accessControlAllowHeaders] = requested.joined(separator: ", ") }
        if let maxAge = rule.maxAgeSeconds { headers[.accessControlMaxAge] = String(maxAge) }
        headers[.contentLength] = "0"
        return Response(status: .ok, headers: headers)
    }

    /// Adds the CORS headers of a matching rule to an actual (non-preflight) response, success or error.
    func decorateCORS(_ response: inout Response, _ request: S3Request) {
        guard let origin = request.headers[.origin], let cors = corsConfiguration(forBucketNamed: request.bucket) else { return }
        let method = request.headers[.accessControlRequestMethod] ?? request.method.rawValue
        guard let rule = cors.match(origin: origin, method: method, requestHeaders: []) else { return }
        Self.addCORSHeaders(&response.headers, rule: rule, origin: origin)
    }

    static func addCORSHeaders(_ headers: inout HTTPFields, rule: CORSConfiguration.Rule, origin: String) {
        headers[.accessControlAllowOrigin] = rule.origins.contains("*") ? "*" : origin
        headers[.accessControlAllowMethods] = rule.methods.joined(separator: ", ")
        var exposed = rule.exposeHeaders
        for header in CORSConfiguration.alwaysExposed where !exposed.contains(where: { $0.lowercased() == header.lowercased() }) {
            exposed.append(header)
        }
        headers[.accessControlExposeHeaders] = exposed.joined(separator: ", ")
        if !rule.origins.contains("*") {
            headers[.vary] = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
        }
    }

    static func requestedHeaders(_ request: S3Request) -> [String] {
        (request.headers[.accessControlRequestHeaders] ?? "").split(separator: ",").map { $0.trimmingSpaces().lowercased() }.filter { !$0.isEmpty }
    }
}
