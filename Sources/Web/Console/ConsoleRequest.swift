import Access
import BlobStore
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Logging
import NIOCore
import Objects
import SporeJSON
import Synchronization

/// Reading console requests: base64url keys, query parameters, small JSON bodies.
enum ConsoleRequest {
    /// Largest JSON body the console accepts.
    static let jsonBodyByteCountMax = 64 * 1024

    /// Decodes a base64url (padding optional) key or prefix from a URL segment.
    static func decodeKey(_ encoded: String, allowEmpty: Bool = false) throws -> String {
        if encoded.isEmpty, allowEmpty { return "" }
        guard let bytes = Base64URL.decode(encoded), let text = String(validating: bytes, as: UTF8.self) else {
            throw ConsoleError.invalid("'\(encoded.prefix(64))' is not base64url-encoded UTF-8.")
        }
        if text.isEmpty, allowEmpty { return "" }
        guard ObjectKey(validating: text) != nil else { throw ConsoleError.invalid("'\(text.prefix(64))' is not a valid object key.") }
        return text
    }

    static func parameter(_ context: SporeRequestContext, _ name: String) throws -> String {
        guard let value = context.parameters.get(name) else { throw ConsoleError.invalid("missing \(name)") }
        return value
    }

    /// The query parameters, percent-decoded; the last of a repeated name wins.
    static func query(_ request: Request) -> [String: String] {
        let path = request.head.path ?? ""
        guard let mark = path.firstIndex(of: "?") else { return [:] }
        var items = [String: String]()
        for item in path[path.index(after: mark)...].split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentEncoding.decodeString(pair[0], plusIsSpace: true) ?? ""
            items[name] = pair.count > 1 ? (PercentEncoding.decodeString(pair[1], plusIsSpace: true) ?? "") : ""
        }
        return items
    }

    /// A JSON object body (an empty body is an empty object).
    static func jsonObject(_ request: Request) async throws -> JSONObject {
        let bytes = try await RequestBodies.collect(request, byteCountMax: jsonBodyByteCountMax)
        if bytes.isEmpty { return [:] }
        guard let value = try? JSONValue(parsing: bytes), let object = value.objectValue else {
            throw ConsoleError.invalid("The body must be a JSON object.")
        }
        return object
    }

    static func int(_ text: String?, name: String, range: ClosedRange<Int64>) throws -> Int64? {
        guard let text else { return nil }
        guard let value = Int64(text), range.contains(value) else {
            throw ConsoleError.invalid("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }

    static func int(_ value: JSONValue?, name: String, range: ClosedRange<Int64>) throws -> Int64? {
        guard let value, value != .null else { return nil }
        guard let number = value.intValue, range.contains(number) else {
            throw ConsoleError.invalid("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return number
    }
}

/// RFC 4648 base64url, the encoding of keys in console URLs (the seed's `base64 | tr '+/' '-_' | tr -d '='`).
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        var text = Base64.encode(bytes)
        while text.hasSuffix("=") { text.removeLast() }
        return String(text.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }

    static func encode(_ text: String) -> String { encode(Array(text.utf8)) }

    static func decode(_ text: String) -> [UInt8]? {
        var standard = String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        // Standard base64 from a client that did not translate is accepted too.
        guard standard.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/" || $0 == "=") }) else { return nil }
        while standard.count % 4 != 0 { standard += "=" }
        return Base64.decode(standard)
    }
}
