import BlobStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Index
import NIOCore
import Objects
import SporeJSON
import SporeTestSupport

@testable import HTTPSupport
@testable import HyphaAPI

/// The Hypha face on a temporary data directory (a real catalog, blob store and object service,
/// a manual clock), driven in process through Hummingbird's router test framework: no listener,
/// no S3 face. Presigned URLs point at an S3 listener that is not here, so tests check their shape;
/// multipart parts go straight into the catalog (`Client.putPart`), as the S3 face would store them.
final class HyphaHarness {
    static let secret = Array("hypha-harness-jwt-secret-of-32-b".utf8)
    static let bucket = "hypha-workspaces"
    static let s3BaseURL = "http://s3.spore.test:9000"
    static let httpBaseURL = "http://http.spore.test:8080"
    static let signer = AccessKeyPair(accessKey: "HYPHASIGNERKEY", secretKey: "hypha-signer-secret")
    static let storageOwner = "root"
    /// 2027-01-15T08:00:00Z: presigned URLs are dated 20270115.
    static let startMilliseconds: Int64 = 1_800_000_000_000
    static let startSeconds = startMilliseconds / 1000

    static let user = "user-1"
    static let personalWorkspace = HyphaToken.personalWorkspace(of: user)
    /// `user-1`'s own token (as `spore token create --user user-1` makes it), valid for a day.
    static let userToken = token(user: user)

    /// A token for `user` signed with the harness's secret; `lifetimeSeconds` ≤ 0 gives one that
    /// has already expired.
    static func token(
        user: String, subject: String? = nil, workspaces: [String: WorkspacePermission]? = nil, current: String? = nil,
        lifetimeSeconds: Int64 = 86_400, secret: [UInt8] = HyphaHarness.secret
    ) -> String {
        let personal = HyphaToken.personalWorkspace(of: user)
        return HyphaToken(
            userID: user, subject: subject, workspaces: workspaces ?? [personal: .admin], currentWorkspace: current ?? personal,
            issuedAtSeconds: startSeconds - 60, expiresAtSeconds: startSeconds + lifetimeSeconds
        ).encoded(secret: secret)
    }

    let directory = TemporaryDirectory()
    let catalog: Catalog
    let blobs: LocalBlobStore
    let clock = ManualWallClock(milliseconds: HyphaHarness.startMilliseconds)
    let objects: ObjectService
    let face: HyphaFace

    init(settings: ObjectSettings = ObjectSettings(), useProxyByDefault: Bool = false) throws {
        catalog = try Catalog(directory: directory.path + "/index")
        blobs = try LocalBlobStore(root: directory.path, threadCount: 2)
        catalog.connect(blobs)
        objects = ObjectService(catalog: catalog, blobs: blobs, clock: clock, settings: settings)
        let configuration = HyphaConfiguration(
            workspaceBucket: Self.bucket, s3BaseURL: Self.s3BaseURL, httpBaseURL: Self.httpBaseURL, useProxyByDefault: useProxyByDefault,
            region: "us-east-1", jwtSecret: Self.secret, signer: Self.signer, storageOwner: Self.storageOwner
        )
        face = HyphaFace(
            objects: objects, configuration: configuration, sealer: SecretSealer(serverSecret: "hypha-harness-server-secret"),
            artifacts: HyphaFace.makeArtifactService(objects: objects, configuration: configuration)
        )
    }

    func close() async {
        await catalog.close()
        await blobs.shutdown()
    }

    /// Runs `body` with a client talking to the face in process, then closes the store.
    func run(_ body: @Sendable (Client) async throws -> Void) async throws {
        let app = Application(responder: face.makeResponder())
        let objects = self.objects
        let clock = self.clock
        do {
            try await app.test(.router) { inner in try await body(Client(inner: inner, objects: objects, clock: clock)) }
        } catch {
            await close()
            throw error
        }
        await close()
    }

    struct Client: Sendable {
        let inner: any TestClientProtocol
        let objects: ObjectService
        let clock: ManualWallClock

        var catalog: Catalog { objects.catalog }

        /// Sends a request with `Authorization: Bearer <token>` (no header when `token` is nil).
        @discardableResult
        func send(
            _ method: HTTPRequest.Method, _ target: String, headers: [String: String] = [:], body: [UInt8]? = nil,
            token: String? = HyphaHarness.userToken
        ) async throws -> TestResponse {
            var fields = HTTPFields()
            if let token { fields[.authorization] = "Bearer \(token)" }
            for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
            return try await inner.execute(uri: target, method: method, headers: fields, body: body.map { ByteBuffer(bytes: $0) })
        }

        /// PUT of a file through `/{workspace}/files/…`.
        @discardableResult
        func putFile(
            _ path: String, _ bytes: [UInt8], workspace: String = HyphaHarness.personalWorkspace, token: String? = HyphaHarness.userToken
        ) async throws -> TestResponse {
            try await send(.put, "/\(workspace)/files/\(PercentEncoding.encode(path, keepSlash: true))", body: bytes, token: token)
        }

        /// A service function called as hypha-rpc's HTTP clients call it: POST with a JSON body.
        func call(
            _ function: String, _ arguments: JSONValue = [:], workspace: String = "public", service: String = "s3-storage",
            token: String? = HyphaHarness.userToken
        ) async throws -> TestResponse {
            try await send(
                .post, "/\(workspace)/services/\(service)/\(function)", headers: ["content-type": "application/json"], body: arguments.jsonBytes,
                token: token
            )
        }

        /// A service function called with GET and its arguments in the query string.
        func get(
            _ function: String, query: [(String, String)], workspace: String = "public", service: String = "s3-storage",
            token: String? = HyphaHarness.userToken
        ) async throws -> TestResponse {
            let pairs = query.map { PercentEncoding.encode($0.0) + "=" + PercentEncoding.encode($0.1) }
            return try await send(.get, "/\(workspace)/services/\(service)/\(function)?" + pairs.joined(separator: "&"), token: token)
        }

        /// Stores `bytes` as part `number` of an upload, as the S3 face's UploadPart does (the
        /// presigned part URLs point at the S3 listener, which this harness does not run). Answers
        /// the part's ETag without quotes.
        func putPart(_ bytes: [UInt8], number: Int, key: String, uploadID: String) async throws -> String {
            guard let objectKey = ObjectKey(validating: key), let upload = UploadID(parsing: uploadID) else {
                throw HarnessFailure(description: "not a key and upload id: \(key), \(uploadID)")
            }
            let spec = IngestSpec(declaredByteCount: Int64(bytes.count), byteCountMax: Limits.partByteCountMax, allowsInline: false)
            let ingested = try await objects.ingest(OneBuffer(bytes: bytes), spec)
            let part = UploadPart(
                partNumber: number, etag: Hex.encode(ingested.digests.md5), byteCount: ingested.digests.byteCount,
                chunks: ingested.body.chunks, checksum: nil, lastModifiedMilliseconds: clock.nowMilliseconds()
            )
            try await catalog.uploads.putPart(bucket: HyphaHarness.bucket, key: objectKey, uploadID: upload, part: part, md5: ingested.digests.md5)
            ingested.lease?.release()
            return part.etag
        }
    }
}

struct HarnessFailure: Error, CustomStringConvertible {
    let description: String
}

/// A request body of one buffer.
struct OneBuffer: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let bytes: [UInt8]

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: [UInt8]?
        mutating func next() async throws -> ByteBuffer? {
            defer { remaining = nil }
            return remaining.map { ByteBuffer(bytes: $0) }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: bytes) }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var bytes: [UInt8] { Array(body.readableBytesView) }
    /// The body as JSON, nil when it is not JSON.
    var json: JSONValue? { try? JSONValue(parsing: bytes) }

    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
}

/// Test data that is not all one byte.
func testBytes(_ count: Int, seed: UInt8 = 3) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) }
}

/// The ETag of a body as the face sends it: its MD5 in hex, quoted.
func quotedETag(_ bytes: [UInt8]) -> String {
    "\"" + Hex.encode(ContentHasher.digests(of: bytes).md5) + "\""
}
