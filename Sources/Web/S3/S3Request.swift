import Access
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import NIOCore
import Objects

/// A request as the S3 face sees it: method, bucket and key decoded from the path (or the host for
/// virtual-host style), and the decoded query parameters in the order they came.
public struct S3Request: Sendable {
    public let method: HTTPRequest.Method
    public let headers: HTTPFields
    /// The Host (HTTP/1.1) or :authority the client sent, used for signing.
    public let host: String
    /// The path as sent, before decoding, without the query.
    public let rawPath: String
    /// The raw query string, without `?`.
    public let rawQuery: String
    /// Decoded query parameters; `value` is nil for a bare `?name`.
    public let query: [(name: String, value: String?)]
    public let bucket: String?
    /// The decoded key bytes (may be invalid UTF-8 or too long; handlers validate).
    public let keyBytes: [UInt8]?
    /// The S3 path the signature covers: `/bucket/key` for path style, `/key` for virtual hosts.
    public let decodedPath: [UInt8]
    /// The path prefix the request arrived under (`/s3` on the HTTP listener), or empty. A client
    /// pointed at `http://host/s3` signs the path with the prefix; a presigned URL rewritten onto
    /// `/s3` (Hypha's proxy) was signed without it: both verify.
    public let mountPrefix: String
    /// The event loop of the connection the request came on; streamed response bodies pace their
    /// writes by it (see `S3Service.body(of:window:pacedBy:)`). Nil for requests made in process.
    public var eventLoop: (any EventLoop)?

    /// Parses the request line. `domain` enables virtual-host style (`bucket.domain`).
    public init(method: HTTPRequest.Method, path: String, host: String, headers: HTTPFields, domain: String?, pathPrefix: String = "") throws {
        self.method = method
        self.headers = headers
        self.host = host
        var pathPart = Substring(path)
        var queryPart: Substring = ""
        if let mark = path.utf8.firstIndex(of: UInt8(ascii: "?")) {
            pathPart = path[..<mark]
            queryPart = path[path.index(after: mark)...]
        }
        if !pathPrefix.isEmpty, pathPart.hasPrefix(pathPrefix) {
            pathPart = pathPart.dropFirst(pathPrefix.count)
            if pathPart.isEmpty { pathPart = "/" }
            mountPrefix = pathPrefix
        } else {
            mountPrefix = ""
        }
        rawPath = String(pathPart)
        rawQuery = String(queryPart)
        var parameters = [(name: String, value: String?)]()
        for item in queryPart.splitting(onASCII: UInt8(ascii: "&")) {
            if let equals = item.utf8.firstIndex(of: UInt8(ascii: "=")) {
                guard let name = PercentEncoding.decodeString(item[..<equals], plusIsSpace: true),
                    let value = PercentEncoding.decodeString(item[item.utf8.index(after: equals)...], plusIsSpace: true)
                else { throw S3Error.invalidArgument("The query string is not valid UTF-8 or is malformed.") }
                parameters.append((name, value))
            } else {
                guard let name = PercentEncoding.decodeString(item, plusIsSpace: true) else {
                    throw S3Error.invalidArgument("The query string is not valid UTF-8 or is malformed.")
                }
                parameters.append((name, nil))
            }
        }
        query = parameters
        guard let decoded = PercentEncoding.decode(pathPart, plusIsSpace: false), decoded.first == UInt8(ascii: "/") else {
            throw S3Error.invalidArgument("The request path is malformed.")
        }
        decodedPath = decoded
        if let domain, case let hostName = Self.hostName(host), hostName.hasSuffix("." + domain.lowercased()) {
            // Virtual-host style: the bucket is the host's first labels, the whole path is the key.
            bucket = String(hostName.dropLast(domain.count + 1))
            keyBytes = decoded.count > 1 ? Array(decoded.dropFirst()) : nil
            return
        }
        let rest = decoded.dropFirst()
        if rest.isEmpty {
            bucket = nil
            keyBytes = nil
        } else if let slash = rest.firstIndex(of: UInt8(ascii: "/")) {
            bucket = String(decoding: rest[..<slash], as: UTF8.self)
            let key = rest[(slash + 1)...]
            keyBytes = key.isEmpty ? nil : Array(key)
        } else {
            bucket = String(decoding: rest, as: UTF8.self)
            keyBytes = nil
        }
    }

    /// The host without its port, lowercased.
    static func hostName(_ host: String) -> String {
        let name = host.utf8.firstIndex(of: UInt8(ascii: ":")).map { host[..<$0] } ?? Substring(host)
        return name.lowercased()
    }

    /// The first value of a query parameter (an empty string for a bare `?name`).
    public func queryValue(_ name: String) -> String? {
        guard let item = query.first(where: { $0.name == name }) else { return nil }
        return item.value ?? ""
    }

    public func hasQuery(_ name: String) -> Bool { query.contains { $0.name == name } }

    /// The first value of a header.
    public func header(_ name: String) -> String? {
        guard let fieldName = HTTPField.Name(name) else { return nil }
        return headers.value(fieldName)
    }

    /// The validated object key, or the S3 error for a bad one.
    public func objectKey() throws -> ObjectKey {
        guard let bytes = keyBytes else { throw S3Error.invalidArgument("A key is required.") }
        guard bytes.count <= ObjectKey.byteCountMax else { throw S3Error.keyTooLong() }
        guard let key = ObjectKey(bytes: bytes) else {
            throw S3Error.invalidArgument("Object keys must be valid UTF-8.", name: "key")
        }
        return key
    }

    /// The decoded paths a signature may cover: without and with the mount prefix.
    public var signingPaths: [[UInt8]] {
        mountPrefix.isEmpty ? [decodedPath] : [decodedPath, Array(mountPrefix.utf8) + decodedPath]
    }

    /// `/bucket/key` for error documents.
    public var resource: String { String(decoding: decodedPath, as: UTF8.self) }
}
