import Access
import BlobStore
import Crypto
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Index
import Logging
import NIOCore
import SporeTestSupport

@testable import HTTPSupport
@testable import Objects
@testable import S3API

/// A spore S3 service on a temporary data directory, driven in process through Hummingbird's
/// router test framework, with a request signer standing in for an SDK.
final class S3Harness {
    static let root = Credential(accessKey: "ROOTACCESSKEY", secretKey: "root-secret-key", user: "root", isRoot: true)
    static let alice = Credential(accessKey: "ALICEACCESSKEY", secretKey: "alice-secret-key", user: "alice", isRoot: false)
    static let bob = Credential(accessKey: "BOBACCESSKEY", secretKey: "bob-secret-key-1", user: "bob", isRoot: false)

    let directory = TemporaryDirectory()
    let catalog: Catalog
    let blobs: LocalBlobStore
    let clock = ManualWallClock(milliseconds: 1_800_000_000_000)
    let service: S3Service

    init(
        configuration: S3Configuration = S3Configuration(), settings: ObjectSettings = ObjectSettings(), io: any FileSystemIO = PosixFileSystem()
    ) throws {
        catalog = try Catalog(directory: directory.path + "/index")
        blobs = try LocalBlobStore(root: directory.path, io: io, threadCount: 2)
        catalog.connect(blobs)
        service = S3Service(
            objects: ObjectService(catalog: catalog, blobs: blobs, clock: clock, settings: settings),
            credentials: StaticCredentialStore([Self.root, Self.alice, Self.bob]), configuration: configuration, logger: Logger(label: "test")
        )
    }

    func close() async {
        await catalog.close()
        await blobs.shutdown()
    }

    /// Runs `body` with a client talking to the service in process.
    func run(_ body: @Sendable (Client) async throws -> Void) async throws {
        let app = Application(responder: S3Responder(service: service))
        let clock = self.clock
        try await app.test(.router) { client in try await body(Client(inner: client, clock: clock)) }
        await close()
    }

    struct Client: Sendable {
        let inner: any TestClientProtocol
        let clock: ManualWallClock

        /// Sends a request signed with SigV4 by `credential` (nil: anonymous). `signPayload: false`
        /// sends UNSIGNED-PAYLOAD; `payloadHash` overrides the hash the request claims.
        @discardableResult
        func send(
            _ method: HTTPRequest.Method, _ target: String, headers: [String: String] = [:], body: [UInt8]? = nil,
            as credential: Credential? = S3Harness.root, signPayload: Bool = true, payloadHash: String? = nil,
            secretOverride: String? = nil
        ) async throws -> TestResponse {
            var fields = HTTPFields()
            for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
            if let credential {
                let amzDate = Timestamp.amzDate(milliseconds: clock.nowMilliseconds())
                let hash = payloadHash ?? (signPayload ? Hex.encode(SHA256.hash(data: body ?? [])) : SigV4.unsignedPayload)
                fields[HTTPField.Name("x-amz-date")!] = amzDate
                fields[HTTPField.Name("x-amz-content-sha256")!] = hash
                if let body { fields[.contentLength] = String(body.count) }
                let request = try S3Request(method: method, path: target, host: "localhost", headers: fields, domain: nil)
                var signed = [(name: String, value: String)]([("host", "localhost")])
                for field in fields {
                    signed.append((field.name.canonicalName, SigV4.canonicalHeaderValue(field.value)))
                }
                signed.sort { $0.name < $1.name }
                let signedNames = signed.map(\.name).joined(separator: ";")
                let canonical = SigV4.canonicalRequest(
                    method: method.rawValue, canonicalURI: SigV4.canonicalURI(decodedPath: request.decodedPath),
                    canonicalQuery: SigV4.canonicalQuery(request.query), headers: signed, signedHeaders: signedNames, payloadHash: hash
                )
                let date = String(amzDate.prefix(8))
                let scope = "\(date)/us-east-1/s3/aws4_request"
                let key = SigV4.signingKey(secret: secretOverride ?? credential.secretKey, date: date, region: "us-east-1", service: "s3")
                let signature = SigV4.signature(
                    key: key, stringToSign: SigV4.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonical))
                fields[.authorization] =
                    "AWS4-HMAC-SHA256 Credential=\(credential.accessKey)/\(scope), SignedHeaders=\(signedNames), Signature=\(signature)"
            }
            return try await inner.execute(uri: target, method: method, headers: fields, body: body.map { ByteBuffer(bytes: $0) })
        }
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var bytes: [UInt8] { Array(body.readableBytesView) }

    /// The `<Code>` of an S3 error document.
    var errorCode: String? {
        guard let document = try? XMLReader.parse(bytes), document.name == "Error" else { return nil }
        return document.value("Code")
    }

    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
}
