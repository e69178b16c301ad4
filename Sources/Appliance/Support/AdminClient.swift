import Access
import BlobStore
import Crypto
import Foundation
import FoundationNetworking
import HTTPSupport
import HyphaAPI
import Objects
import S3API
import SporeJSON

#if canImport(FoundationNetworking)
#endif

/// Calls the running daemon's admin API with the root credentials, signed with SigV4.
struct AdminClient {
    let endpoint: String
    let host: String
    let credential: Credential
    /// The data directory the daemon is expected to serve, for the messages.
    let directoryPath: String
    /// Where the daemon holding the directory says it listens, when that is not where the call goes
    /// (an address was configured).
    let overriddenAddress: String?

    init(settings: SporeConfiguration, directory: DataDirectory) throws {
        // An address given by flag, environment or file wins; otherwise the one the daemon running
        // on this data directory recorded (it may have been started with --s3-address).
        var address = try settings.address("s3_address")
        let recorded = directory.runningDaemonAddress()
        if settings.source("s3_address") == .defaultValue, let recorded { address = recorded }
        overriddenAddress = recorded.map(\.url).flatMap { $0 == address.url ? nil : $0 }
        endpoint = address.url
        host = String(address.url.dropFirst("http://".count))
        credential = try directory.rootCredentials(user: settings.string("root_user"), password: settings.string("root_password")).credential
        directoryPath = directory.path
    }

    /// Sends a call and returns the JSON answer. Throws one sentence for the operator when the
    /// daemon cannot be reached or refuses (its message, not its JSON).
    func call(_ method: String, _ command: String, query: [String: String] = [:], body: [UInt8] = []) async throws -> JSONValue {
        let path = AdminRequest.pathPrefix + command
        let queryItems = query.map { (name: $0.key, value: Optional($0.value)) }
        let queryString = SigV4.canonicalQuery(queryItems)
        let amzDate = Timestamp.amzDate(milliseconds: SystemClockMilliseconds.now())
        let payloadHash = Hex.encode(SHA256.hash(data: body))
        let headers: [(name: String, value: String)] = [("host", host), ("x-amz-content-sha256", payloadHash), ("x-amz-date", amzDate)]
        let signedHeaders = headers.map(\.name).joined(separator: ";")
        let canonical = SigV4.canonicalRequest(
            method: method, canonicalURI: SigV4.canonicalURI(decodedPath: Array(path.utf8)), canonicalQuery: queryString,
            headers: headers, signedHeaders: signedHeaders, payloadHash: payloadHash
        )
        let date = String(amzDate.prefix(8))
        let scope = "\(date)/us-east-1/s3/aws4_request"
        let key = SigV4.signingKey(secret: credential.secretKey, date: date, region: "us-east-1", service: "s3")
        let signature = SigV4.signature(key: key, stringToSign: SigV4.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonical))
        guard let url = URL(string: endpoint + path + (queryString.isEmpty ? "" : "?" + queryString)) else { throw SporeError("bad admin URL") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = Data(body)
        request.setValue(payloadHash, forHTTPHeaderField: "x-amz-content-sha256")
        request.setValue(amzDate, forHTTPHeaderField: "x-amz-date")
        request.setValue(
            "AWS4-HMAC-SHA256 Credential=\(credential.accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)",
            forHTTPHeaderField: "Authorization"
        )
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            // Foundation's own text for these is a dump of NSURLErrorDomain and the request.
            if let overriddenAddress {
                throw SporeError(
                    "no spore daemon answers at \(endpoint) (\(Self.reason(error))), the configured s3_address; "
                        + "the daemon serving \(directoryPath) listens on \(overriddenAddress)"
                )
            }
            throw AdminCall.notServed(directoryPath, tried: "\(endpoint): \(Self.reason(error))")
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let http = response as? HTTPURLResponse else { throw SporeError("\(endpoint) did not answer in HTTP") }
        guard http.statusCode < 300 else { throw AdminAnswer.refusal(status: http.statusCode, body: text) }
        return try AdminAnswer.parse(text)
    }

    /// Why a request got no answer, in a few words.
    static func reason(_ error: any Error) -> String {
        let error = error as NSError
        guard error.domain == NSURLErrorDomain else { return error.localizedDescription }
        switch URLError.Code(rawValue: error.code) {
        case .cannotConnectToHost: return "connection refused"
        case .cannotFindHost, .dnsLookupFailed: return "no such host"
        case .timedOut: return "no answer in time"
        case .networkConnectionLost: return "the connection was closed"
        case .notConnectedToInternet: return "the network is unreachable"
        default: return "network error \(error.code)"
        }
    }
}

enum SystemClockMilliseconds {
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
