import Access
import BlobStore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Index
import NIOCore
import SporeTestSupport
import Testing

@testable import HTTPSupport
@testable import Objects
@testable import S3API

@Suite struct FuzzTests {
    static let xmlTokens = [
        "<", ">", "</", "/>", "&amp;", "&#x", "&#", ";", "<![CDATA[", "]]>", "<!--", "-->", "<?xml", "?>", "=\"", "\"", "xmlns=\"x\"",
    ]

    @Test func xmlDocuments() {
        let seeds = [
            #"<Delete><Object><Key>a</Key><VersionId>v</VersionId></Object><Quiet>true</Quiet></Delete>"#,
            #"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>"#,
            #"<LifecycleConfiguration><Rule><ID>r</ID><Filter><And><Prefix>p/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration><NoncurrentVersionExpiration><NoncurrentDays>2</NoncurrentDays></NoncurrentVersionExpiration><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>"#,
            #"<CORSConfiguration><CORSRule><AllowedOrigin>https://*.x</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3</MaxAgeSeconds></CORSRule></CORSConfiguration>"#,
            #"<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>"#,
            #"<?xml version="1.0"?><VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"#,
        ]
        let count = Fuzzer.run("xml", seeds: seeds, dictionary: Self.xmlTokens + ["<Rule>", "<Days>", "<Tag>", "<CORSRule>", "<Part>"]) { bytes in
            _ = try? XMLReader.parse(bytes)
            _ = try? LifecycleDocument.parse(bytes)
            _ = try? CORSConfiguration.parse(bytes)
            _ = try? TagSet.parse(bytes, countMax: Limits.objectTagCountMax)
        }
        #expect(count > 0)
    }

    @Test func jsonPolicies() {
        let seeds = [
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"StringLikeIfExists":{"s3:prefix":["a*"]}}}]}"#,
            #"{"expiration":"2030-01-01T00:00:00Z","conditions":[{"bucket":"b"},["starts-with","$key",""],["content-length-range",0,10]]}"#,
        ]
        Fuzzer.run("json", seeds: seeds, dictionary: ["{", "}", "[", "]", ",", ":", "\"", "null", "1e999", "-", "\\u0000", "*", "?"]) { bytes in
            if let policy = try? BucketPolicy(json: bytes, bucket: "b") {
                _ = policy.evaluate(
                    BucketPolicy.Request(
                        action: "s3:GetObject", resource: "arn:aws:s3:::b/a", user: nil, canonicalID: nil,
                        context: ["aws:sourceip": "10.1.2.3", "s3:prefix": "ab"]))
            }
            if let post = try? PostPolicy.parse(json: bytes) {
                try? post.check(fields: ["bucket": "b", "key": "k"], nowMilliseconds: 0)
            }
            _ = try? PostPolicy.parse(base64: String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test func awsChunkedBodies() throws {
        let seed = "5;chunk-signature=aaaa\r\nhello\r\n0;chunk-signature=bbbb\r\nx-amz-checksum-crc32:AAAAAA==\r\nx-amz-trailer-signature:cc\r\n\r\n"
        let unsigned = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"
        let key = SymmetricKey(data: [UInt8](repeating: 1, count: 32))
        var splitter = Fuzzer(target: "chunk-splits")
        Fuzzer.run(
            "aws-chunked", seeds: [seed, unsigned], dictionary: ["\r\n", ";", "chunk-signature=", "0", "ffffffff", "x-amz-checksum-crc32:", ":"]
        ) { bytes in
            for signed in [true, false] {
                let signer = signed ? AWSChunkedDecoder.Signer(key: key, amzDate: "20260101T000000Z", scope: "s", seedSignature: "0") : nil
                var decoder = AWSChunkedDecoder(signer: signer, expectsTrailer: splitter.below(2) == 0)
                var offset = 0
                var produced = 0
                do {
                    while offset < bytes.count {
                        let length = 1 + splitter.below(max(1, bytes.count - offset))
                        for piece in try decoder.decode(ByteBuffer(bytes: bytes[offset..<min(bytes.count, offset + length)])) {
                            produced += piece.readableBytes
                        }
                        offset += length
                    }
                    try decoder.finish()
                } catch {}
                // Memory stays bounded: the decoder never makes more bytes than it was given.
                precondition(produced <= bytes.count, "the decoder produced more bytes than it read")
            }
        }
    }

    @Test func requestLinesAndRouting() {
        let seeds = [
            "/bucket/key%20with%2Fslash?versionId=abc&partNumber=1&uploadId=00",
            "/b?list-type=2&prefix=a%2F&delimiter=%2F&continuation-token=AQ==&encoding-type=url",
            "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
            "/b/k?AWSAccessKeyId=A&Expires=1&Signature=abc%3D",
            "/s3/b/k?tagging", "/b?delete", "/b/k?uploads", "//", "/%",
        ]
        let credentials = StaticCredentialStore([Credential(accessKey: "A", secretKey: "secret-key", user: "u", isRoot: false)])
        let authenticator = Authenticator(credentials: credentials, clock: ManualWallClock(milliseconds: 1_767_225_600_000))
        let authorizations = [
            "AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
            "AWS A:abc=", "AWS4-HMAC-SHA256 ", "Bearer x", "AWS :", "AWS4-HMAC-SHA256 Credential=,,,",
        ]
        var picker = Fuzzer(target: "routing-headers")
        Fuzzer.run(
            "routing", seeds: seeds, dictionary: ["%", "%2F", "%00", "?", "&", "=", "/", "..", "+", "%C3%A9", "uploadId=", "versionId=", "X-Amz-"]
        ) { bytes in
            let path = String(decoding: bytes, as: UTF8.self)
            var headers = HTTPFields()
            headers[.authorization] = authorizations[picker.below(authorizations.count)]
            headers[HTTPField.Name("x-amz-date")!] = "20260101T000000Z"
            headers[HTTPField.Name("x-amz-content-sha256")!] = ["UNSIGNED-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "zz"][picker.below(3)]
            for method in [HTTPRequest.Method.get, .put, .post, .delete] {
                guard
                    let request = try? S3Request(
                        method: method, path: path.hasPrefix("/") ? path : "/" + path, host: "h", headers: headers,
                        domain: picker.below(2) == 0 ? "s3.test" : nil, pathPrefix: picker.below(4) == 0 ? "/s3" : "")
                else { continue }
                _ = S3Operation.resolve(request)
                _ = try? request.objectKey()
                _ = try? authenticator.authenticate(request)
                _ = SigV4.canonicalQuery(request.query, excluding: "X-Amz-Signature")
                _ = SigV4.canonicalURI(decodedPath: request.decodedPath)
                _ = SigV2.stringToSign(request: request, dateOrExpires: "1")
                _ = try? ChecksumHeaders.parse(request)
            }
        }
    }

    @Test func headerValues() {
        Fuzzer.run(
            "headers",
            seeds: [
                "bytes=0-10", "bytes=-5", "bytes=3-", "k1=v1&k2=v%20x", "Wed, 21 Oct 2026 07:28:00 GMT", "2026-01-01T00:00:00.123Z",
                "20260101T000000Z", "a%2Fb", "aGVsbG8=",
            ],
            dictionary: ["-", ",", "=", "&", "%", "bytes=", " GMT", "T", "Z", "."]
        ) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? ByteRange.parse(text, size: 100)
            _ = try? ByteRange.parse(text, size: 0)
            _ = try? TagSet.parseHeader(text)
            _ = Timestamp.parseHTTPDate(text)
            _ = Timestamp.parseISO8601(text)
            _ = Timestamp.parseAmzDate(text)
            _ = SigV4.canonicalHeaderValue(text)
            // Round trips that must hold for any input.
            precondition(PercentEncoding.decode(PercentEncoding.encode(bytes), plusIsSpace: false) == bytes, "percent-encoding round trip")
            precondition(Base64.decode(Base64.encode(bytes)) == bytes, "base64 round trip")
            _ = PercentEncoding.decode(text, plusIsSpace: true)
            _ = Base64.decode(text)
            _ = Hex.decode(text)
        }
    }

    @Test func multipartForms() async throws {
        let seed =
            "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nuploads/${filename}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n"
        var inputs = [[UInt8]]()
        Fuzzer.run(
            "multipart-form", seeds: [seed], dictionary: ["\r\n", "--XyZ", "--", "Content-Disposition: form-data; name=\"", "\"", ";", "filename="]
        ) { bytes in
            if inputs.count < 3000 { inputs.append(bytes) }
        }
        for bytes in inputs {
            let reader = MultipartFormReader(body: RequestBody(buffer: ByteBuffer(bytes: bytes)), boundary: "XyZ")
            do {
                try await reader.start()
                var parts = 0
                while let part = try await reader.nextPart(), parts < MultipartFormReader.fieldCountMax {
                    parts += 1
                    if part.name == "file" {
                        var total = 0
                        for try await chunk in FormFileBody(reader: reader) { total += chunk.readableBytes }
                        precondition(total <= bytes.count, "the form reader produced more bytes than it read")
                        break
                    }
                    _ = try await reader.readField()
                    try await reader.endPart()
                }
            } catch {}
        }
    }

    /// The whole S3 face: random methods, paths, queries and bodies through the router, signed as
    /// root so the handlers behind authentication are reached. Every answer must be well-formed.
    @Test func theS3Router() async throws {
        let harness = try S3Harness()
        var requests = [(HTTPRequest.Method, String, [UInt8])]()
        var picker = Fuzzer(target: "router-choices")
        let paths = [
            "/fz", "/fz/k", "/fz/k?uploads", "/fz?delete", "/fz?lifecycle", "/fz?cors", "/fz?policy", "/fz/k?tagging", "/fz?versioning", "/fz/k?acl",
            "/fz?acl", "/fz?publicAccessBlock", "/fz?ownershipControls", "/fz?tagging",
        ]
        Fuzzer.run("router", seeds: FuzzTests.routerBodies, dictionary: Self.xmlTokens) { bytes in
            if requests.count < 600 {
                let methods: [HTTPRequest.Method] = [.get, .put, .post, .delete, .head]
                requests.append((methods[picker.below(methods.count)], paths[picker.below(paths.count)], bytes))
            }
        }
        let chosen = requests
        try await harness.run { client in
            try await client.send(.put, "/fz")
            try await client.send(.put, "/fz/k", body: [1, 2, 3])
            for (method, path, body) in chosen {
                let response = try await client.send(method, path, body: body)
                precondition(response.status.code < 500 || response.status.code == 501, "\(method) \(path) answered \(response.status)")
            }
        }
    }

    static let routerBodies = [
        #"<Delete><Object><Key>k</Key></Object></Delete>"#,
        #"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>"#,
        #"<LifecycleConfiguration><Rule><Status>Enabled</Status><Filter/><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>"#,
        #"<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList><Grant><Grantee><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>"#,
        #"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::fz/*"}]}"#,
        #"<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration>"#,
        #"<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>"#,
        #"<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>"#,
    ]
}
