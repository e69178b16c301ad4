import BlobStore
import HTTPTypes
import HummingbirdTesting
import Index
import NIOCore
import Objects
import SporeJSON
import Testing

@testable import HTTPSupport
@testable import HyphaAPI

/// The Hypha face in process: what `tests/integration/test_hypha.py` asks of the running daemon,
/// with the same statuses and bodies.
@Suite struct HyphaRouterTests {
    static let ws = HyphaHarness.personalWorkspace
    static let modified: JSONValue = .double(Double(HyphaHarness.startMilliseconds) / 1000)

    /// The URL the face must hand out for `key` (relative to the workspace bucket), signed now.
    static func presigned(
        _ method: String, _ key: String, expires: Int64 = 3600, base: String = HyphaHarness.s3BaseURL,
        extra: [(name: String, value: String)] = []
    ) throws -> String {
        try PresignedURL.make(
            base: base, method: method, bucket: HyphaHarness.bucket, key: key, credential: HyphaHarness.signer, region: "us-east-1",
            nowMilliseconds: HyphaHarness.startMilliseconds, expiresSeconds: expires, extraQuery: extra
        )
    }

    // MARK: /files

    @Test func aFileIsStoredAndReadBackWithItsETagAGuessedTypeRangesAndConditions() async throws {
        try await HyphaHarness().run { client in
            let data = Array("a,b\n1,2\n".utf8)
            let url = "/\(Self.ws)/files/docs/report.csv"
            let put = try await client.send(.put, url, body: data)
            #expect(put.status == .ok)
            #expect(put.json == ["success": true, "message": "File uploaded successfully"])
            #expect(put.header("etag") == quotedETag(data))

            let get = try await client.send(.get, url)
            #expect(get.status == .ok && get.bytes == data)
            #expect(get.header("content-type") == "text/csv")
            #expect(get.header("etag") == quotedETag(data))
            #expect(get.header("content-length") == "8" && get.header("accept-ranges") == "bytes")
            #expect(get.header("last-modified") == "Fri, 15 Jan 2027 08:00:00 GMT")

            let head = try await client.send(.head, url)
            #expect(head.status == .ok && head.body.readableBytes == 0)
            #expect(head.header("content-length") == "8" && head.header("etag") == quotedETag(data))

            let ranged = try await client.send(.get, url, headers: ["range": "bytes=4-6"])
            #expect(ranged.status == .partialContent && ranged.bytes == Array("1,2".utf8))
            #expect(ranged.header("content-range") == "bytes 4-6/8" && ranged.header("content-length") == "3")
            let malformed = try await client.send(.get, url, headers: ["range": "bytes=0--1"])
            #expect(malformed.status == .ok && malformed.bytes == data && malformed.header("content-range") == nil)
            let beyond = try await client.send(.get, url, headers: ["range": "bytes=8-"])
            #expect(beyond.status == .rangeNotSatisfiable)
            #expect(beyond.json == ["success": false, "detail": "Requested range not satisfiable (the file has 8 bytes)."])

            let notModified = try await client.send(.get, url, headers: ["if-none-match": quotedETag(data)])
            #expect(notModified.status == .notModified && notModified.body.readableBytes == 0)
            #expect(try await client.send(.get, url, headers: ["if-none-match": "\"other\""]).status == .ok)
            let failed = try await client.send(.get, url, headers: ["if-match": "\"other\""])
            #expect(failed.status == .preconditionFailed && failed.json == ["success": false, "detail": "Precondition Failed"])

            // The token may also come as a cookie or as ?token=.
            let cookie = try await client.send(.get, url, headers: ["cookie": "theme=dark; access_token=\(HyphaHarness.userToken)"], token: nil)
            #expect(cookie.status == .ok && cookie.bytes == data)
            let query = try await client.send(.get, url + "?token=\(HyphaHarness.userToken)", token: nil)
            #expect(query.status == .ok && query.bytes == data)
        }
    }

    @Test(arguments: [0, 1, 16 * 1024 + 1, 300_000])
    func filesOfEverySizeRoundTripInlineAndAsBlobs(_ size: Int) async throws {
        let data = testBytes(size)
        try await HyphaHarness().run { client in
            let url = "/\(Self.ws)/files/sizes/blob.bin"
            #expect(try await client.send(.put, url, body: data).header("etag") == quotedETag(data))
            let get = try await client.send(.get, url)
            #expect(get.status == .ok && get.bytes == data && get.header("content-length") == String(size))
            #expect(get.header("content-type") == "application/octet-stream")
            if size > 10 {
                let ranged = try await client.send(.get, url, headers: ["range": "bytes=3-9"])
                #expect(ranged.status == .partialContent && ranged.bytes == Array(data[3...9]))
                #expect(ranged.header("content-range") == "bytes 3-9/\(size)")
                let suffix = try await client.send(.get, url, headers: ["range": "bytes=-4"])
                #expect(suffix.status == .partialContent && suffix.bytes == Array(data.suffix(4)))
            }
            let beyond = try await client.send(.get, url, headers: ["range": "bytes=\(size)-"])
            #expect(beyond.status == .rangeNotSatisfiable)
        }
    }

    @Test func deletingAFileAnswersSuccessThenNotFound() async throws {
        try await HyphaHarness().run { client in
            let url = "/\(Self.ws)/files/docs/report.csv"
            try await client.putFile("docs/report.csv", [1, 2, 3])
            let deleted = try await client.send(.delete, url)
            #expect(deleted.status == .ok && deleted.json == ["success": true, "message": "File deleted successfully"])
            #expect(try await client.send(.get, url).status == .notFound)
            let again = try await client.send(.delete, url)
            #expect(again.status == .notFound)
            #expect(again.json == ["success": false, "detail": .string("File does not exists: \(Self.ws)/docs/report.csv")])
        }
    }

    @Test func aMissingFileIsAPlainTextNotFoundWithS3sDetails() async throws {
        try await HyphaHarness().run { client in
            try await client.putFile("docs/present.txt", [1])
            let missing = try await client.send(.get, "/\(Self.ws)/files/docs/missing.txt")
            #expect(missing.status == .notFound)
            #expect(missing.header("content-type") == "text/plain; charset=utf-8")
            let details =
                #"{"Error":{"Code":"NoSuchKey","Message":"The specified key does not exist.","Key":"ws-user-user-1/docs/missing.txt"},"#
                + #""ResponseMetadata":{"HTTPStatusCode":404}}"#
            #expect(missing.text == "File not found, details: " + details)
        }
    }

    @Test func directoryListingsShowFilesThenDirectories() async throws {
        try await HyphaHarness().run { client in
            let empty = try await client.send(.get, "/\(Self.ws)/files/")
            #expect(empty.status == .notFound && empty.json == ["success": false, "detail": .string("Directory does not exists: \(Self.ws)/")])
            try await client.putFile("top.txt", Array("top".utf8))
            try await client.putFile("b-dir/deeper/x.txt", [1])
            try await client.putFile("a-dir/y.txt", [2])
            client.clock.advance(milliseconds: 1_500)
            try await client.putFile("zeta.md", [3])

            let root = try await client.send(.get, "/\(Self.ws)/files/")
            #expect(root.status == .ok)
            let children: JSONValue = [
                ["type": "file", "name": "top.txt", "size": 3, "last_modified": Self.modified],
                ["type": "file", "name": "zeta.md", "size": 1, "last_modified": 1_800_000_001.5],
                ["type": "directory", "name": "a-dir"],
                ["type": "directory", "name": "b-dir"],
            ]
            #expect(root.json == ["success": true, "type": "directory", "name": "", "children": children])
            let first = try await client.send(.get, "/\(Self.ws)/files/?max_length=1")
            #expect(first.json?["children"] == [["type": "file", "name": "top.txt", "size": 3, "last_modified": Self.modified]])
            let zero = try await client.send(.get, "/\(Self.ws)/files/?max_length=0")
            #expect(zero.status == .badRequest && zero.json == ["success": false, "detail": "max_length must be between 1 and 10000"])

            let sub = try await client.send(.get, "/\(Self.ws)/files/b-dir/")
            #expect(sub.json == ["success": true, "type": "directory", "name": "b-dir", "children": [["type": "directory", "name": "deeper"]]])
            let nothing = try await client.send(.get, "/\(Self.ws)/files/nothing-here/")
            #expect(nothing.status == .notFound)
            #expect(nothing.json == ["success": false, "detail": .string("Directory does not exists: \(Self.ws)/nothing-here/")])

            let removed = try await client.send(.delete, "/\(Self.ws)/files/b-dir/")
            #expect(removed.status == .ok && removed.json == ["success": true, "message": .string("Deleted 1 files under \(Self.ws)/b-dir/")])
            #expect(try await client.send(.get, "/\(Self.ws)/files/b-dir/deeper/x.txt").status == .notFound)
        }
    }

    // MARK: Workspaces, permissions and tokens

    @Test func workspacesThatDoNotExistAreForbiddenOrReadOnlyAnswerHyphasMessages() async throws {
        try await HyphaHarness().run { client in
            let missing = try await client.putFile("x", [1], workspace: "no-such-ws")
            #expect(missing.status == .notFound && missing.json == ["success": false, "detail": "Workspace does not exists: no-such-ws"])
            let foreign = try await client.putFile("x", [1], workspace: "ws-user-user-2")
            #expect(foreign.status == .forbidden && foreign.json == ["success": false, "detail": "Permission denied: ws-user-user-2"])
            let anonymous = try await client.send(.get, "/\(Self.ws)/files/x", token: nil)
            #expect(anonymous.status == .forbidden && anonymous.json == ["success": false, "detail": .string("Permission denied: \(Self.ws)")])
            let escape = try await client.send(.put, "/\(Self.ws)/files/a/../../ws-user-user-2/x", body: [1])
            #expect(escape.status == .badRequest)
            #expect(escape.json == ["success": false, "detail": "Invalid path: a/../../ws-user-user-2/x"])

            try await client.catalog.workspaces.create(WorkspaceRecord(name: "lab", owners: ["user-1"]))
            try await client.catalog.workspaces.create(WorkspaceRecord(name: "archive", owners: ["user-1"], isReadOnly: true))
            #expect(try await client.putFile("notes.txt", Array("lab notes".utf8), workspace: "lab").status == .ok)
            let readOnly = try await client.putFile("x", [1], workspace: "archive")
            #expect(readOnly.status == .forbidden)
            #expect(readOnly.json == ["success": false, "detail": "Permission denied: workspace (archive) is read-only"])
            let readOnlyCall = try await client.call("put_file", ["file_path": "x"], workspace: "archive")
            #expect(readOnlyCall.status == .forbidden)
            #expect(readOnlyCall.json == ["success": false, "detail": "PermissionError: Permission denied: workspace (archive) is read-only"])
            #expect(try await client.call("list_files", workspace: "archive").json == [])

            let reader = HyphaHarness.token(user: "user-3", workspaces: ["lab": .read], current: "lab")
            let read = try await client.send(.get, "/lab/files/notes.txt", token: reader)
            #expect(read.status == .ok && read.bytes == Array("lab notes".utf8))
            let write = try await client.putFile("notes.txt", [9], workspace: "lab", token: reader)
            #expect(write.status == .forbidden && write.json == ["success": false, "detail": "Permission denied: lab"])
        }
    }

    @Test func badAndExpiredTokensAre401WithOnlyADetail() async throws {
        try await HyphaHarness().run { client in
            let listURL = "/\(Self.ws)/services/s3-storage/list_files"
            let garbage = try await client.send(.get, listURL, token: "not-a-jwt")
            #expect(garbage.status == .unauthorized && garbage.json == ["detail": "Error decoding token headers."])
            let dotted = try await client.send(.get, "/\(Self.ws)/files/x", token: "a.b.c")
            #expect(dotted.status == .unauthorized && dotted.json?.objectValue?.keys == ["detail"])
            let expired = HyphaHarness.token(user: HyphaHarness.user, lifetimeSeconds: 0)
            let refused = try await client.send(.get, "/\(Self.ws)/files/x", token: expired)
            #expect(refused.status == .unauthorized && refused.json == ["detail": "The token has expired."])
            let foreign = HyphaHarness.token(user: HyphaHarness.user, secret: Array("another-secret".utf8))
            let forged = try await client.send(.get, listURL, token: foreign)
            #expect(forged.status == .unauthorized && forged.json == ["detail": "Signature verification failed."])

            // A valid token stops working when the clock passes its expiry.
            #expect(try await client.send(.get, listURL).status == .ok)
            client.clock.advance(milliseconds: 86_400_000)
            let later = try await client.send(.get, listURL)
            #expect(later.status == .unauthorized && later.json == ["detail": "The token has expired."])
        }
    }

    @Test func generateTokenMintsANarrowerToken() async throws {
        try await HyphaHarness().run { client in
            try await client.putFile("t.txt", [1])
            let minted = try await client.call("generate_token", ["config": ["permission": "read", "expires_in": 600]], service: "ws")
            let token = try #require(minted.json?.stringValue)
            let decoded = try HyphaToken.decode(token, secret: HyphaHarness.secret, nowSeconds: HyphaHarness.startSeconds)
            #expect(decoded.workspaces == [Self.ws: .read] && decoded.expiresAtSeconds == HyphaHarness.startSeconds + 600)
            #expect(try await client.send(.get, "/\(Self.ws)/files/t.txt", token: token).bytes == [1])
            #expect(try await client.putFile("t.txt", [2], token: token).status == .forbidden)
            let denied = try await client.call("generate_token", service: "ws", token: token)
            #expect(denied.status == .forbidden && denied.json?["detail"]?.stringValue?.hasPrefix("PermissionError") == true)
            let anonymous = try await client.call("generate_token", service: "ws", token: nil)
            #expect(anonymous.status == .forbidden && anonymous.json?["success"] == false)
        }
    }

    // MARK: Service functions

    @Test func putFileAndGetFileHandOutPresignedURLsForOneOrManyPaths() async throws {
        try await HyphaHarness().run { client in
            let put = try await client.call("put_file", ["file_path": "data/myfile.txt"])
            #expect(put.status == .ok)
            let url = try #require(put.json?.stringValue)
            #expect(url.hasPrefix("http://s3.spore.test:9000/hypha-workspaces/ws-user-user-1/data/myfile.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&"))
            #expect(url.contains("&X-Amz-Credential=HYPHASIGNERKEY%2F20270115%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20270115T080000Z&"))
            let expected = try Self.presigned("PUT", "\(Self.ws)/data/myfile.txt")
            #expect(url == expected)
            let get = try await client.call("get_file", ["file_path": "data/myfile.txt"])
            #expect(get.json == .string(try Self.presigned("GET", "\(Self.ws)/data/myfile.txt")))

            let batch = try await client.call("put_file", ["file_path": ["batch/a.txt", "batch/b.txt"]])
            #expect(batch.json?.objectValue?.keys == ["batch/a.txt", "batch/b.txt"])
            #expect(batch.json?["batch/b.txt"] == .string(try Self.presigned("PUT", "\(Self.ws)/batch/b.txt")))
            let downloads = try await client.call("get_file", ["file_path": ["batch/a.txt", "batch/b.txt"]])
            #expect(downloads.json?["batch/a.txt"] == .string(try Self.presigned("GET", "\(Self.ws)/batch/a.txt")))

            let proxied = try await client.call("put_file", ["file_path": "proxy/x.txt", "use_proxy": true])
            let proxyBase = HyphaHarness.httpBaseURL + "/s3"
            #expect(proxied.json == .string(try Self.presigned("PUT", "\(Self.ws)/proxy/x.txt", base: proxyBase)))
            let ttl = try await client.call("put_file", ["file_path": "temp/data.txt", "ttl": 3600])
            #expect(ttl.json == .string(try Self.presigned("PUT", "\(Self.ws)/temp/data.txt", extra: [(PresignedURL.ttlName, "3600")])))
        }
    }

    @Test func positionalArgumentsAndQueryArgumentsReachTheFunction() async throws {
        try await HyphaHarness().run { client in
            // A JSON list names the function's parameters in order.
            let positional = try await client.call("get_file", ["batch/a.txt", false, false, 60])
            #expect(positional.status == .ok)
            #expect(positional.json == .string(try Self.presigned("GET", "\(Self.ws)/batch/a.txt", expires: 60)))
            let single = try await client.send(.post, "/public/services/s3-storage/get_file", body: Array(#"["batch/a.txt"]"#.utf8))
            #expect(single.json == .string(try Self.presigned("GET", "\(Self.ws)/batch/a.txt")))

            // GET: query values that look like numbers become numbers, "true" a flag.
            let query = try await client.get("get_file", query: [("file_path", "q/x.txt"), ("expires_in", "60"), ("use_proxy", "true")])
            let proxyBase = HyphaHarness.httpBaseURL + "/s3"
            #expect(query.json == .string(try Self.presigned("GET", "\(Self.ws)/q/x.txt", expires: 60, base: proxyBase)))
            let number = try await client.get("get_file", query: [("file_path", "123")])
            #expect(number.status == .badRequest)
            #expect(number.json == ["success": false, "detail": "ValueError: file_path must be a path or a list of paths"])
            let fractional = try await client.get("get_file", query: [("file_path", "f.txt"), ("expires_in", "90.0")])
            #expect(fractional.json == .string(try Self.presigned("GET", "\(Self.ws)/f.txt", expires: 90)))
        }
    }

    @Test func listFilesAndRemoveFileWorkAsInTheDocumentation() async throws {
        try await HyphaHarness().run { client in
            try await client.putFile("data/myfile.txt", Array("local file contents".utf8))
            try await client.putFile("data/sub/deep.bin", Array("12345".utf8))
            let files = try await client.call("list_files", ["path": "data/"])
            #expect(files.status == .ok)
            #expect(
                files.json == [
                    ["type": "file", "name": "myfile.txt", "size": 19, "last_modified": Self.modified], ["type": "directory", "name": "sub"],
                ])
            let page = try await client.get("list_files", query: [("path", "data"), ("max_length", "1"), ("offset", "1")])
            #expect(page.json == [["type": "directory", "name": "sub"]])

            let removed = try await client.call("remove_file", ["path": "data/myfile.txt"])
            #expect(removed.status == .ok && removed.json == ["success": true, "message": "File removed: data/myfile.txt"])
            let directory = try await client.call("remove_file", ["path": "data/"])
            #expect(directory.json == ["success": true, "message": "Directory removed: data/ (1 files)"])
            #expect(try await client.call("list_files", ["path": "data/"]).json == [])
            let missing = try await client.call("remove_file", ["path": "data/nothing.txt"])
            #expect(missing.status == .ok)
            #expect(missing.json == ["success": false, "message": "File or directory does not exist: data/nothing.txt"])
        }
    }

    @Test func serviceCallFailuresAnswerPythonExceptionsWithHyphasStatuses() async throws {
        try await HyphaHarness().run { client in
            let unknown = try await client.call("x")
            #expect(unknown.status == .notFound && unknown.json == ["success": false, "detail": "x not found."])
            let noService = try await client.call("x", service: "nope")
            #expect(noService.status == .notFound && noService.json == ["success": false, "detail": "Service nope not found."])
            for count in [0, 10_001] {
                let parts = try await client.call("put_file_start_multipart", ["file_path": "x", "part_count": .int(count)])
                #expect(parts.status == .badRequest)
                #expect(parts.json == ["success": false, "detail": "ValueError: part_count must be between 1 and 10000"])
            }
            let wrongType = try await client.send(
                .post, "/public/services/s3-storage/list_files", headers: ["content-type": "application/json; charset=utf-8"], body: Array("{}".utf8)
            )
            #expect(wrongType.status == .badRequest)
            #expect(wrongType.json == ["success": false, "detail": "ValueError: Invalid content type: application/json; charset=utf-8"])
            let required = try await client.call("put_file")
            #expect(required.status == .badRequest)
            #expect(required.json == ["success": false, "detail": "TypeError: put_file() missing 1 required positional argument: 'file_path'"])
            let escape = try await client.call("put_file", ["file_path": "../ws-user-user-2/x"])
            #expect(escape.status == .badRequest && escape.json == ["success": false, "detail": "ValueError: Invalid path: ../ws-user-user-2/x"])
            let absolute = try await client.call("get_file", ["file_path": "/other-bucket-key"])
            #expect(absolute.status == .forbidden)
            #expect(absolute.json == ["success": false, "detail": "PermissionError: Bucket-absolute paths need admin permission: /other-bucket-key"])
            let foreign = try await client.call("list_files", workspace: "ws-user-user-2")
            #expect(foreign.status == .forbidden)
            #expect(foreign.json == ["success": false, "detail": "PermissionError: Permission denied: ws-user-user-2"])
            let anonymous = try await client.call("put_file", ["file_path": "x"], token: nil)
            #expect(anonymous.status == .forbidden)
            #expect(anonymous.json == ["success": false, "detail": "PermissionError: Anonymous users cannot use put_file; sign in with a token"])
        }
    }

    @Test func theServiceListRedirectsToItsSlashedURLAndDescribesEachService() async throws {
        try await HyphaHarness().run { client in
            let redirect = try await client.send(.get, "/public/services", token: nil)
            #expect(redirect.status == .temporaryRedirect && redirect.header("location") == "/public/services/")
            let list = try await client.send(.get, "/public/services/", token: nil)
            let storage: JSONValue = [
                "id": "s3-storage", "name": "s3-storage", "type": "s3-storage",
                "functions": [
                    "delete_directory", "delete_file", "generate_credential", "generate_presigned_url", "get_file", "list_files", "put_file",
                    "put_file_complete_multipart", "put_file_start_multipart", "remove_file",
                ],
            ]
            let manager: JSONValue = ["id": "ws", "name": "ws", "type": "workspace-manager", "functions": ["generate_token"]]
            #expect(list.status == .ok)
            // Other services may join the list (the artifact manager); these two are always there, as described.
            let services = try #require(list.json?.arrayValue)
            #expect(Set(services.compactMap { $0["id"]?.stringValue }).count == services.count)
            #expect(services.filter { $0["id"] == "s3-storage" || $0["id"] == "ws" } == [storage, manager])
            #expect(try await client.send(.get, "/public/services/s3-storage").json == storage)
            #expect(try await client.send(.get, "/public/services/~").json == manager)
            let missing = try await client.send(.get, "/no-such-ws/services/")
            #expect(missing.status == .notFound && missing.json == ["success": false, "detail": "Workspace does not exists: no-such-ws"])
        }
    }

    // MARK: CORS and routing

    @Test func pagesMayCallTheAPICrossOrigin() async throws {
        try await HyphaHarness().run { client in
            let preflight = try await client.send(
                .options, "/\(Self.ws)/files/x.txt",
                headers: [
                    "origin": "http://page.example", "access-control-request-method": "PUT", "access-control-request-headers": "authorization",
                ],
                token: nil
            )
            #expect(preflight.status == .noContent && preflight.body.readableBytes == 0)
            #expect(preflight.header("access-control-allow-origin") == "http://page.example")
            #expect(preflight.header("access-control-allow-headers") == "authorization")
            #expect(preflight.header("access-control-allow-methods") == "GET, HEAD, PUT, POST, DELETE")
            #expect(preflight.header("access-control-allow-credentials") == nil)

            let put = try await client.send(.put, "/\(Self.ws)/files/x.txt", headers: ["origin": "http://page.example"], body: [1])
            #expect(put.status == .ok && put.header("access-control-allow-origin") == "http://page.example")
            #expect(put.header("access-control-expose-headers")?.contains("ETag") == true && put.header("vary") == "Origin")
            let failed = try await client.send(.get, "/\(Self.ws)/files/missing", headers: ["origin": "http://page.example"])
            #expect(failed.status == .notFound && failed.header("access-control-allow-origin") == "http://page.example")
            let sameOrigin = try await client.send(.get, "/\(Self.ws)/files/x.txt")
            #expect(sameOrigin.status == .ok && sameOrigin.header("access-control-allow-origin") == nil)
        }
    }

    @Test func unknownRoutesAndMethodsAnswerFastAPIsDetail() async throws {
        try await HyphaHarness().run { client in
            for target in ["/", "/nothing", "/\(Self.ws)/unknown/thing", "/\(Self.ws)/services/s3-storage/list_files/extra"] {
                let response = try await client.send(.get, target)
                #expect(response.status == .notFound && response.json == ["detail": "Not Found"], "\(target)")
                #expect(response.header("content-type") == "application/json")
            }
            let patch = try await client.send(.patch, "/\(Self.ws)/files/x.txt", body: [1])
            #expect(patch.status == .methodNotAllowed && patch.json == ["detail": "Method Not Allowed"])
        }
    }

    // MARK: Multipart

    static let smallParts = ObjectSettings(partByteCountMin: 1024)

    @Test func aMultipartUploadStartedAndCompletedOverHTTPServesTheJoinedParts() async throws {
        try await HyphaHarness(settings: Self.smallParts).run { client in
            var upload: JSONValue = nil
            for endpoint in ["create-multipart-upload", "files/create-multipart-upload"] {
                let created = try await client.send(.post, "/\(Self.ws)/\(endpoint)?path=mp/big.bin&part_count=2&expires_in=3600")
                #expect(created.status == .ok, "\(created.text)")
                upload = try #require(created.json)
                #expect(upload.objectValue?.keys.sorted() == ["parts", "upload_id"])
            }
            let uploadID = try #require(upload["upload_id"]?.stringValue)
            let key = "\(Self.ws)/mp/big.bin"
            let expectedParts: JSONValue = .array(
                try (1...2).map { number in
                    [
                        "part_number": .int(number),
                        "url": .string(try Self.presigned("PUT", key, extra: [("partNumber", String(number)), ("uploadId", uploadID)])),
                    ]
                })
            #expect(upload["parts"] == expectedParts)

            let first = testBytes(2048)
            let last = testBytes(10, seed: 9)
            let etags = [
                try await client.putPart(first, number: 1, key: key, uploadID: uploadID),
                try await client.putPart(last, number: 2, key: key, uploadID: uploadID),
            ]
            let parts: JSONValue = [["part_number": 1, "etag": .string(etags[0])], ["part_number": 2, "etag": .string(etags[1])]]
            let complete = try await client.send(
                .post, "/\(Self.ws)/complete-multipart-upload", body: (["upload_id": .string(uploadID), "parts": parts] as JSONValue).jsonBytes
            )
            let joined = ContentHasher.digests(of: ContentHasher.digests(of: first).md5 + ContentHasher.digests(of: last).md5).md5
            #expect(complete.status == .ok)
            #expect(
                complete.json == [
                    "success": true, "message": "File uploaded successfully", "etag": .string("\"\(Hex.encode(joined))-2\""),
                    "location": "http://s3.spore.test:9000/hypha-workspaces/ws-user-user-1/mp/big.bin",
                ])
            let got = try await client.send(.get, "/\(Self.ws)/files/mp/big.bin")
            #expect(got.status == .ok && got.bytes == first + last && got.header("content-type") == "application/octet-stream")
        }
    }

    @Test func multipartEndpointsRefuseBadCountsUnknownUploadsOtherWorkspacesAndWrongParts() async throws {
        try await HyphaHarness(settings: Self.smallParts).run { client in
            let bad = try await client.send(.post, "/\(Self.ws)/create-multipart-upload?path=x&part_count=0")
            #expect(bad.status == .badRequest && bad.json == ["success": false, "detail": "part_count must be between 1 and 10000"])
            let noPath = try await client.send(.post, "/\(Self.ws)/create-multipart-upload?part_count=1")
            #expect(noPath.status == .badRequest && noPath.json == ["success": false, "detail": "path is required"])
            let zeros = String(repeating: "0", count: 32)
            let completeURL = "/\(Self.ws)/complete-multipart-upload"
            let unknown = try await client.send(.post, completeURL, body: (["upload_id": .string(zeros), "parts": []] as JSONValue).jsonBytes)
            #expect(
                unknown.status == .badRequest && unknown.json == ["success": false, "detail": .string("Upload ID \(zeros) not found or expired")])

            let started = try await client.send(.post, "/\(Self.ws)/create-multipart-upload?path=mine&part_count=1")
            let uploadID = try #require(started.json?["upload_id"]?.stringValue)
            let other = HyphaHarness.token(user: "user-2")
            let stolen = try await client.send(
                .post, "/ws-user-user-2/complete-multipart-upload", body: (["upload_id": .string(uploadID), "parts": []] as JSONValue).jsonBytes,
                token: other
            )
            #expect(stolen.status == .badRequest)
            #expect(stolen.json == ["success": false, "detail": .string("Upload ID \(uploadID) not found or expired")])
            let wrongPart: JSONValue = ["upload_id": .string(uploadID), "parts": [["part_number": 1, "etag": "x"]]]
            let failed = try await client.send(.post, completeURL, body: wrongPart.jsonBytes)
            #expect(failed.status == .badRequest)
            #expect(
                failed.json == [
                    "success": false, "detail": "Failed to complete multipart upload: One or more of the specified parts could not be found.",
                ])

            // Every part but the last must reach the minimum part size.
            let small = try await client.send(.post, "/\(Self.ws)/create-multipart-upload?path=small&part_count=2")
            let smallID = try #require(small.json?["upload_id"]?.stringValue)
            var parts = [JSONValue]()
            for number in 1...2 {
                let etag = try await client.putPart(testBytes(10), number: number, key: "\(Self.ws)/small", uploadID: smallID)
                parts.append(["part_number": .int(number), "etag": .string(etag)])
            }
            let smallCompletion: JSONValue = ["upload_id": .string(smallID), "parts": .array(parts)]
            let tooSmall = try await client.send(.post, completeURL, body: smallCompletion.jsonBytes)
            #expect(tooSmall.status == .badRequest)
            #expect(
                tooSmall.json == [
                    "success": false,
                    "detail": "Failed to complete multipart upload: Your proposed upload is smaller than the minimum allowed object size.",
                ])
            let malformed = try await client.send(.post, completeURL, body: Array(#"{"upload_id": 1}"#.utf8))
            #expect(malformed.status == .badRequest)
        }
    }

    @Test func aMultipartUploadThroughTheServiceFunctions() async throws {
        try await HyphaHarness(settings: Self.smallParts).run { client in
            let started = try await client.call("put_file_start_multipart", ["file_path": "svc/one.bin", "part_count": 1, "expires_in": 600])
            #expect(started.status == .ok)
            let uploadID = try #require(started.json?["upload_id"]?.stringValue)
            let key = "\(Self.ws)/svc/one.bin"
            let url = try Self.presigned("PUT", key, expires: 600, extra: [("partNumber", "1"), ("uploadId", uploadID)])
            #expect(started.json?["parts"] == [["part_number": 1, "url": .string(url)]])
            let etag = try await client.putPart(Array("parts".utf8), number: 1, key: key, uploadID: uploadID)
            let completed = try await client.call(
                "put_file_complete_multipart", ["upload_id": .string(uploadID), "parts": [["part_number": 1, "etag": .string(etag)]]]
            )
            #expect(completed.status == .ok && completed.json?["success"] == true && completed.json?["message"] == "File uploaded successfully")
            #expect(completed.json?["etag"]?.stringValue?.hasSuffix("-1\"") == true)
            #expect(try await client.send(.get, "/\(Self.ws)/files/svc/one.bin").bytes == Array("parts".utf8))

            let zeros = String(repeating: "0", count: 32)
            let unknown = try await client.call("put_file_complete_multipart", ["upload_id": .string(zeros), "parts": []])
            // Hypha's HTTP proxy derives the status from the text: "not found" is 404, even for a ValueError.
            #expect(unknown.status == .notFound)
            #expect(unknown.json == ["success": false, "detail": .string("ValueError: Upload ID \(zeros) not found or expired")])
        }
    }
}
