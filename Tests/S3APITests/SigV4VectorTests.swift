import Access
import Foundation
import HTTPTypes
import Index
import Testing

@testable import HTTPSupport
@testable import Objects
@testable import S3API

/// The worked examples of AWS's "Signature Calculations for the Authorization Header" and
/// "Query String Authentication" pages for S3, run through spore's verifier.
@Suite struct SigV4VectorTests {
    static let accessKey = "AKIAIOSFODNN7EXAMPLE"
    static let secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let exampleTime: Int64 = 1_369_353_600_000  // 2013-05-24T00:00:00Z
    static let credentials = StaticCredentialStore([Credential(accessKey: accessKey, secretKey: secretKey, user: "example", isRoot: false)])

    func authenticator(at milliseconds: Int64 = exampleTime) -> Authenticator {
        Authenticator(credentials: Self.credentials, clock: ManualWallClock(milliseconds: milliseconds))
    }

    func request(_ method: HTTPRequest.Method, _ path: String, _ headers: [(String, String)]) throws -> S3Request {
        var fields = HTTPFields()
        for (name, value) in headers { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return try S3Request(method: method, path: path, host: "examplebucket.s3.amazonaws.com", headers: fields, domain: "s3.amazonaws.com")
    }

    func authorization(_ signedHeaders: String, _ signature: String) -> String {
        "AWS4-HMAC-SHA256 Credential=\(Self.accessKey)/20130524/us-east-1/s3/aws4_request,SignedHeaders=\(signedHeaders),Signature=\(signature)"
    }

    @Test func timestampOfTheExamples() {
        #expect(Timestamp.parseAmzDate("20130524T000000Z") == Self.exampleTime)
    }

    @Test func getObjectExample() throws {
        let request = try request(
            .get, "/test.txt",
            [
                ("Range", "bytes=0-9"),
                ("x-amz-content-sha256", SigV4.emptyPayloadHash),
                ("x-amz-date", "20130524T000000Z"),
                (
                    "Authorization",
                    authorization("host;range;x-amz-content-sha256;x-amz-date", "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
                ),
            ])
        #expect(request.bucket == "examplebucket")
        let result = try authenticator().authenticate(request)
        #expect(result.principal.user == "example")
        #expect(result.payload == .sha256(SigV4.emptyPayloadHash))
    }

    @Test func getObjectCanonicalRequestAndStringToSign() {
        let canonical = SigV4.canonicalRequest(
            method: "GET", canonicalURI: "/test.txt", canonicalQuery: "",
            headers: [
                ("host", "examplebucket.s3.amazonaws.com"), ("range", "bytes=0-9"),
                ("x-amz-content-sha256", SigV4.emptyPayloadHash), ("x-amz-date", "20130524T000000Z"),
            ],
            signedHeaders: "host;range;x-amz-content-sha256;x-amz-date", payloadHash: SigV4.emptyPayloadHash
        )
        let stringToSign = SigV4.stringToSign(amzDate: "20130524T000000Z", scope: "20130524/us-east-1/s3/aws4_request", canonicalRequest: canonical)
        #expect(
            stringToSign
                == "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
        )
    }

    @Test func putObjectExampleWithAnEncodedKey() throws {
        let request = try request(
            .put, "/test%24file.text",
            [
                ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                ("x-amz-date", "20130524T000000Z"),
                ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                ("x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"),
                (
                    "Authorization",
                    authorization(
                        "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
                        "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
                ),
            ])
        #expect(try request.objectKey().value == "test$file.text")
        let result = try authenticator().authenticate(request)
        #expect(result.payload == .sha256("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"))
    }

    @Test func getBucketLifecycleExampleWithAValuelessParameter() throws {
        let request = try request(
            .get, "/?lifecycle",
            [
                ("x-amz-date", "20130524T000000Z"),
                ("x-amz-content-sha256", SigV4.emptyPayloadHash),
                (
                    "Authorization",
                    authorization("host;x-amz-content-sha256;x-amz-date", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
                ),
            ])
        _ = try authenticator().authenticate(request)
    }

    @Test func listObjectsExampleWithSortedParameters() throws {
        let request = try request(
            .get, "/?max-keys=2&prefix=J",
            [
                ("x-amz-date", "20130524T000000Z"),
                ("x-amz-content-sha256", SigV4.emptyPayloadHash),
                (
                    "Authorization",
                    authorization("host;x-amz-content-sha256;x-amz-date", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
                ),
            ])
        _ = try authenticator().authenticate(request)
    }

    static let presignedPath =
        "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"

    @Test func presignedURLExample() throws {
        let result = try authenticator(at: Self.exampleTime + 3_600_000).authenticate(try request(.get, Self.presignedPath, []))
        #expect(result.principal.user == "example")
    }

    @Test func presignedURLsExpire() throws {
        let late = authenticator(at: Self.exampleTime + 86_401_000)
        #expect(throws: S3Error.self) { try late.authenticate(try request(.get, Self.presignedPath, [])) }
        do {
            _ = try late.authenticate(try request(.get, Self.presignedPath, []))
        } catch let error as S3Error {
            #expect(error.code == "AccessDenied" && error.message == "Request has expired")
        }
    }

    @Test(arguments: [
        ("X-Amz-Expires=86400", "X-Amz-Expires=86401", "SignatureDoesNotMatch"),
        ("X-Amz-Expires=86400", "X-Amz-Expires=-1", "AccessDenied"),
        ("X-Amz-Expires=86400", "X-Amz-Expires=604801", "AccessDenied"),
        ("/test.txt", "/test2.txt", "SignatureDoesNotMatch"),
        ("X-Amz-Signature=aeee", "X-Amz-Signature=beee", "SignatureDoesNotMatch"),
        ("AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLF", "InvalidAccessKeyId"),
    ])
    func tamperedPresignedURLsAreRefused(_ original: String, _ replacement: String, _ code: String) throws {
        let path = Self.presignedPath.replacingOccurrences(of: original, with: replacement)
        do {
            _ = try authenticator(at: Self.exampleTime + 1000).authenticate(try request(.get, path, []))
            Issue.record("tampered URL accepted")
        } catch let error as S3Error {
            #expect(error.code == code)
        }
    }

    @Test func aSkewedClockIsRefused() throws {
        let request = try request(
            .get, "/test.txt",
            [
                ("Range", "bytes=0-9"), ("x-amz-content-sha256", SigV4.emptyPayloadHash), ("x-amz-date", "20130524T000000Z"),
                (
                    "Authorization",
                    authorization("host;range;x-amz-content-sha256;x-amz-date", "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
                ),
            ])
        do {
            _ = try authenticator(at: Self.exampleTime + 16 * 60 * 1000).authenticate(request)
            Issue.record("skewed request accepted")
        } catch let error as S3Error {
            #expect(error.code == "RequestTimeTooSkewed")
        }
    }

    @Test func aChangedHeaderBreaksTheSignature() throws {
        let request = try request(
            .get, "/test.txt",
            [
                ("Range", "bytes=0-10"), ("x-amz-content-sha256", SigV4.emptyPayloadHash), ("x-amz-date", "20130524T000000Z"),
                (
                    "Authorization",
                    authorization("host;range;x-amz-content-sha256;x-amz-date", "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
                ),
            ])
        #expect(throws: S3Error.self) { try authenticator().authenticate(request) }
    }

    @Test func theCanonicalURIReencodesTheDecodedPath() {
        // A proxy may send `a%20b+c` for the key `a b+c`; the signer saw `a%20b%2Bc`.
        #expect(SigV4.canonicalURI(decodedPath: Array("/bucket/a b+c!'()*".utf8)) == "/bucket/a%20b%2Bc%21%27%28%29%2A")
        #expect(SigV4.canonicalURI(decodedPath: Array("/b/é".utf8)) == "/b/%C3%A9")
    }

    @Test func sigV2ExampleFromTheS3Documentation() throws {
        // "Example Object GET" of AWS's REST authentication (SigV2) page.
        var fields = HTTPFields()
        fields[.date] = "Tue, 27 Mar 2007 19:36:42 +0000"
        let request = try S3Request(
            method: .get, path: "/photos/puppy.jpg", host: "awsexamplebucket1.us-west-1.s3.amazonaws.com", headers: fields,
            domain: "us-west-1.s3.amazonaws.com")
        let stringToSign = SigV2.stringToSign(request: request, dateOrExpires: "Tue, 27 Mar 2007 19:36:42 +0000")
        #expect(stringToSign == "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/awsexamplebucket1/photos/puppy.jpg")
        #expect(SigV2.signature(secret: Self.secretKey, stringToSign: stringToSign) == "qgk2+6Sv9/oM7G3qLEjTH1a1l1g=")
    }
}
