import HTTPTypes
import Hummingbird
import Index

/// The Hypha-style API and share links act through the S3 handlers on behalf of callers they have
/// authorized themselves. They do so as root confined to one prefix: the scope check still runs,
/// so a bug in their own checks cannot reach past that prefix.
extension S3Service {
    func delegatedAuthentication(user: String, bucket: String, prefix: String, action: String, readOnly: Bool = false) -> Authentication {
        let principal = Principal(user: user, isRoot: true, accessKey: "delegated", scopes: [KeyScope(bucket: bucket, prefix: prefix)], isReadOnly: readOnly)
        var auth = Authentication(principal: principal, payload: .unsigned)
        auth.action = action
        return auth
    }

    /// An S3 request for `bucket`/`key` made inside spore (no signature: the caller is delegated).
    func delegatedRequest(_ method: HTTPRequest.Method, bucket: String, key: String, query: String = "", headers: HTTPFields = HTTPFields()) throws -> S3Request {
        let path = "/\(bucket)/\(PercentEncoding.encode(key, keepSlash: true))" + (query.isEmpty ? "" : "?" + query)
        return try S3Request(method: method, path: path, host: "", headers: headers, domain: nil)
    }
}
