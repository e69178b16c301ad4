import Access
import AsyncHTTPClient
import BlobStore
import Crypto
import Foundation
import HTTPSupport
import HyphaAPI
import NIOCore
import NIOHTTP1
import NIOSSL
import Objects
import S3API
import SporeJSON

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

    /// The daemon's certificate chain, trusted when the address speaks TLS.
    let trustedCertificatePath: String?

    init(settings: SporeConfiguration, directory: DataDirectory) throws {
        // An address given by flag, environment or file wins; otherwise the one the daemon running
        // on this data directory recorded (it may have been started with --s3-address).
        var address = try settings.address("s3_address")
        let recorded = directory.runningDaemonAddress()
        if let recorded, settings.source("s3_address") == .defaultValue || recorded.url.hasSuffix("://" + address.description) {
            // The recorded address also says whether the daemon speaks TLS.
            address = recorded
        } else if try settings.tlsFiles("s3") != nil {
            // A configured address speaks TLS when the S3 listener's certificate is configured too.
            address = address.secured(true)
        }
        overriddenAddress = recorded.map(\.url).flatMap { $0 == address.url ? nil : $0 }
        endpoint = address.url
        host = String(address.url.drop { $0 != "/" }.dropFirst(2))
        let recordedChain = FileManager.default.fileExists(atPath: directory.listenerCertificatePath) ? directory.listenerCertificatePath : nil
        trustedCertificatePath = try settings.tlsFiles("s3")?.certificate ?? recordedChain
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
        let url = endpoint + path + (queryString.isEmpty ? "" : "?" + queryString)
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        request.body = .bytes(body)
        request.headers.add(name: "x-amz-content-sha256", value: payloadHash)
        request.headers.add(name: "x-amz-date", value: amzDate)
        request.headers.add(
            name: "Authorization",
            value: "AWS4-HMAC-SHA256 Credential=\(credential.accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)")
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration())
        let status: UInt
        let text: String
        do {
            let response = try await client.execute(request, timeout: .seconds(300))
            status = response.status.code
            text = String(buffer: try await response.body.collect(upTo: Self.answerByteCountMax))
            try? await client.shutdown()
        } catch {
            try? await client.shutdown()
            if let overriddenAddress {
                throw SporeError(
                    "no spore daemon answers at \(endpoint) (\(Self.reason(error))), the configured s3_address; "
                        + "the daemon serving \(directoryPath) listens on \(overriddenAddress)"
                )
            }
            throw AdminCall.notServed(directoryPath, tried: "\(endpoint): \(Self.reason(error))")
        }
        guard status < 300 else { throw AdminAnswer.refusal(status: Int(status), body: text) }
        return try AdminAnswer.parse(text)
    }

    /// Largest admin answer read.
    static let answerByteCountMax = 64 << 20

    /// Over TLS the daemon's own certificate chain is trusted besides the system's roots (a LAN
    /// box's certificate is usually self-made); on the loopback address the host name is not
    /// checked, since a certificate for `box.lan` is still the daemon's own.
    private func clientConfiguration() -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10)))
        if endpoint.hasPrefix("https://") {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.minimumTLSVersion = .tlsv12
            if let certificate = trustedCertificatePath { tls.additionalTrustRoots = [.file(certificate)] }
            if isLoopback { tls.certificateVerification = .noHostnameVerification }
            configuration.tlsConfiguration = tls
        }
        return configuration
    }

    private var isLoopback: Bool {
        let host = self.host.lastIndex(of: ":").map { String(self.host[..<$0]) } ?? self.host
        return host == "127.0.0.1" || host == "localhost" || host == "[::1]"
    }

    /// Why a request got no answer, in a few words.
    static func reason(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("Connection refused") || text.contains("connectionRefused") { return "connection refused" }
        if text.contains("connectTimeout") || text.contains("deadlineExceeded") || text.contains("readTimeout") { return "no answer in time" }
        if text.contains("NXDOMAIN") || text.contains("dns") || text.contains("getaddrinfo") { return "no such host" }
        if text.contains("remoteConnectionClosed") { return "the connection was closed" }
        if error is NIOSSLError || text.contains("handshakeFailed") || text.contains("BoringSSL") { return "TLS handshake failed: \(text)" }
        return text
    }
}

enum SystemClockMilliseconds {
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
