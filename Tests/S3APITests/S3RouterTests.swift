import Access
import BlobStore
import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import Index
import NIOCore
import Testing

@testable import HTTPSupport
@testable import Objects
@testable import S3API

@Suite struct S3RouterTests {
    func bytes(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) } }

    @Test func bucketOperationsAndTheirErrors() async throws {
        try await S3Harness().run { client in
            #expect(try await client.send(.put, "/photos").status == .ok)
            // us-east-1 (the default region) lets the owner create an existing bucket again, as AWS does.
            #expect(try await client.send(.put, "/photos").status == .ok)
            #expect(try await client.send(.put, "/photos", as: S3Harness.alice).errorCode == "BucketAlreadyExists")
            #expect(try await client.send(.put, "/Bad_Name").errorCode == "InvalidBucketName")
            let config = "<CreateBucketConfiguration><LocationConstraint>EU</LocationConstraint></CreateBucketConfiguration>"
            #expect(try await client.send(.put, "/located", body: Array(config.utf8)).status == .ok)
            let location = try await client.send(.get, "/located?location")
            #expect(location.text.contains(">EU</LocationConstraint>"))
            #expect(try await client.send(.put, "/broken", body: Array("<Create".utf8)).errorCode == "MalformedXML")
            let list = try await client.send(.get, "/")
            #expect(list.text.contains("<Name>photos</Name>") && list.text.contains("<Name>located</Name>"))
            #expect(try await client.send(.head, "/photos").status == .ok)
            let missing = try await client.send(.head, "/nothing-here")
            #expect(missing.status == .notFound && missing.body.readableBytes == 0)
            #expect(try await client.send(.get, "/nothing-here?list-type=2").errorCode == "NoSuchBucket")
            #expect(try await client.send(.put, "/photos/k", body: [1]).status == .ok)
            #expect(try await client.send(.delete, "/photos").errorCode == "BucketNotEmpty")
            #expect(try await client.send(.delete, "/photos/k").status == .noContent)
            #expect(try await client.send(.delete, "/photos").status == .noContent)
            #expect(try await client.send(.head, "/photos").status == .notFound)
        }
    }

    @Test(arguments: [0, 1, 16 * 1024, 16 * 1024 + 1, 2_500_000])
    func objectsRoundTripInlineAndAsBlobs(_ size: Int) async throws {
        let data = bytes(size)
        try await S3Harness().run { client in
            try await client.send(.put, "/b1b")
            let put = try await client.send(
                .put, "/b1b/dir/obj%20name", headers: ["x-amz-meta-Color": "blue", "content-type": "text/x-test"], body: data)
            #expect(put.status == .ok)
            let etag = "\"\(Hex.encode(Insecure.MD5.hash(data: data)))\""
            #expect(put.header("etag") == etag)
            let get = try await client.send(.get, "/b1b/dir/obj%20name")
            #expect(get.status == .ok && get.bytes == data)
            #expect(get.header("etag") == etag && get.header("content-type") == "text/x-test")
            #expect(get.header("x-amz-meta-color") == "blue")
            #expect(get.header("content-length") == String(size))
            #expect(get.header("x-amz-request-id") != nil)
            let head = try await client.send(.head, "/b1b/dir/obj%20name")
            #expect(head.status == .ok && head.body.readableBytes == 0 && head.header("content-length") == String(size))
            if size > 10 {
                let range = try await client.send(.get, "/b1b/dir/obj%20name", headers: ["range": "bytes=3-9"])
                #expect(range.status == .partialContent && range.bytes == Array(data[3...9]))
                #expect(range.header("content-range") == "bytes 3-9/\(size)")
            }
            let beyond = try await client.send(.get, "/b1b/dir/obj%20name", headers: ["range": "bytes=\(size)-"])
            #expect(beyond.status == .rangeNotSatisfiable && beyond.header("content-range") == "bytes */\(size)")
        }
    }

    @Test func errorDocumentsFollowS3() async throws {
        try await S3Harness().run { client in
            try await client.send(.put, "/errors")
            let missing = try await client.send(.get, "/errors/no%20such")
            #expect(missing.status == .notFound)
            let document = try XMLReader.parse(missing.bytes)
            #expect(document.value("Code") == "NoSuchKey")
            #expect(document.value("Key") == "no such")
            #expect(document.value("Resource") == "/errors/no such")
            #expect(document.value("RequestId") == missing.header("x-amz-request-id"))
            #expect(missing.header("content-type") == "application/xml")
            let bodiless = try await client.send(.head, "/errors/no%20such")
            #expect(bodiless.status == .notFound && bodiless.body.readableBytes == 0)
            #expect(try await client.send(.put, "/errors/k?restore", body: []).status == .notImplemented)
            #expect(try await client.send(.put, "/errors/k").errorCode == "MissingContentLength")
            let longKey = String(repeating: "k", count: 1025)
            #expect(try await client.send(.put, "/errors/\(longKey)", body: [1]).errorCode == "KeyTooLongError")
        }
    }

    @Test func authenticationFailuresChangeNothing() async throws {
        try await S3Harness().run { client in
            try await client.send(.put, "/guarded")
            let wrongSecret = try await client.send(.put, "/guarded/k", body: [1], secretOverride: "not-the-secret")
            #expect(wrongSecret.status == .forbidden && wrongSecret.errorCode == "SignatureDoesNotMatch")
            let unknown = Credential(accessKey: "NOBODY", secretKey: "whatever-secret", user: "nobody", isRoot: false)
            #expect(try await client.send(.put, "/guarded/k", body: [1], as: unknown).errorCode == "InvalidAccessKeyId")
            #expect(try await client.send(.put, "/guarded/k", body: [1], as: nil).errorCode == "AccessDenied")
            #expect(try await client.send(.get, "/", as: nil).errorCode == "AccessDenied")
            client.clock.advance(milliseconds: 0)
            let listing = try await client.send(.get, "/guarded?list-type=2")
            #expect(listing.text.contains("<KeyCount>0</KeyCount>"))
        }
    }

    @Test func usersSeeOnlyTheirBuckets() async throws {
        try await S3Harness().run { client in
            try await client.send(.put, "/alice-bucket", as: S3Harness.alice)
            try await client.send(.put, "/alice-bucket/k", body: [1, 2], as: S3Harness.alice)
            #expect(try await client.send(.get, "/alice-bucket/k", as: S3Harness.bob).errorCode == "AccessDenied")
            #expect(try await client.send(.put, "/alice-bucket/x", body: [1], as: S3Harness.bob).errorCode == "AccessDenied")
            #expect(try await client.send(.delete, "/alice-bucket", as: S3Harness.bob).errorCode == "AccessDenied")
            #expect(!(try await client.send(.get, "/", as: S3Harness.bob).text.contains("alice-bucket")))
            #expect(try await client.send(.get, "/", as: S3Harness.alice).text.contains("alice-bucket"))
            #expect(try await client.send(.get, "/alice-bucket/k").bytes == [1, 2])
        }
    }

    @Test func bodiesThatFailTheirDigestsAreNotStored() async throws {
        try await S3Harness().run { client in
            try await client.send(.put, "/digests")
            for size in [10, 100_000] {
                let data = bytes(size)
                let wrongMD5 = Base64.encode(Array(Insecure.MD5.hash(data: [1])))
                #expect(try await client.send(.put, "/digests/md5", headers: ["content-md5": wrongMD5], body: data).errorCode == "BadDigest")
                #expect(try await client.send(.put, "/digests/md5", headers: ["content-md5": "not base64"], body: data).errorCode == "InvalidDigest")
                let wrongHash = Hex.encode(SHA256.hash(data: [1]))
                #expect(try await client.send(.put, "/digests/sha", body: data, payloadHash: wrongHash).errorCode == "XAmzContentSHA256Mismatch")
                #expect(
                    try await client.send(.put, "/digests/crc", headers: ["x-amz-checksum-crc32": "AAAAAA=="], body: data).errorCode == "BadDigest")
                let good = Base64.encode(Array(Insecure.MD5.hash(data: data)))
                #expect(
                    try await client.send(.put, "/digests/ok\(size)", headers: ["content-md5": good], body: data, signPayload: false).status == .ok)
            }
            let listing = try await client.send(.get, "/digests?list-type=2")
            #expect(listing.text.contains("<KeyCount>2</KeyCount>"))
        }
    }

    @Test func conditionalReads() async throws {
        try await S3Harness().run { client in
            try await client.send(.put, "/cond")
            let etag = try await client.send(.put, "/cond/k", body: [1, 2, 3]).header("etag")!
            #expect(try await client.send(.get, "/cond/k", headers: ["if-none-match": etag]).status == .notModified)
            #expect(try await client.send(.get, "/cond/k", headers: ["if-match": "\"nope\""]).status == .preconditionFailed)
            #expect(try await client.send(.get, "/cond/k", headers: ["if-match": etag]).status == .ok)
            let later = Timestamp.httpDate(milliseconds: client.clock.nowMilliseconds() + 60_000)
            let earlier = Timestamp.httpDate(milliseconds: client.clock.nowMilliseconds() - 60_000)
            #expect(try await client.send(.get, "/cond/k", headers: ["if-modified-since": later]).status == .notModified)
            #expect(try await client.send(.get, "/cond/k", headers: ["if-modified-since": earlier]).status == .ok)
            #expect(try await client.send(.get, "/cond/k", headers: ["if-unmodified-since": earlier]).status == .preconditionFailed)
            #expect(try await client.send(.put, "/cond/k", headers: ["if-none-match": "*"], body: [9]).status == .preconditionFailed)
            #expect(try await client.send(.get, "/cond/k").bytes == [1, 2, 3])
        }
    }

    @Test func listingEncodesKeysAndRollsUpPrefixes() async throws {
        try await S3Harness().run { client in
            try await client.send(.put, "/lister")
            for key in ["a+b", "dir/one", "dir/two", "dir/sub/three", "z z"] {
                try await client.send(.put, "/lister/" + PercentEncoding.encode(key, keepSlash: true), body: [1])
            }
            let page = try XMLReader.parse(try await client.send(.get, "/lister?list-type=2&delimiter=%2F&encoding-type=url").bytes)
            #expect(page.children("Contents").map { $0.value("Key") } == ["a%2Bb", "z%20z"])
            #expect(page.children("CommonPrefixes").map { $0.value("Prefix") } == ["dir/"])
            #expect(page.value("EncodingType") == "url")
            #expect(page.value("KeyCount") == "3")
            let first = try XMLReader.parse(try await client.send(.get, "/lister?list-type=2&max-keys=2").bytes)
            #expect(first.value("IsTruncated") == "true")
            let token = try #require(first.value("NextContinuationToken"))
            let second = try XMLReader.parse(
                try await client.send(.get, "/lister?list-type=2&max-keys=10&continuation-token=\(PercentEncoding.encode(token))").bytes)
            #expect(second.children("Contents").map { $0.value("Key") } == ["dir/sub/three", "dir/two", "z z"])
            #expect(try await client.send(.get, "/lister?list-type=2&continuation-token=garbage").errorCode == "InvalidArgument")
            #expect(try await client.send(.get, "/lister?list-type=2&max-keys=-1").errorCode == "InvalidArgument")
        }
    }

    @Test func deleteObjectsNeedsAnIntegrityHeaderAndWellFormedXML() async throws {
        try await S3Harness().run { client in
            try await client.send(.put, "/multi")
            try await client.send(.put, "/multi/a", body: [1])
            let document = Array("<Delete><Object><Key>a</Key></Object><Object><Key>missing</Key></Object></Delete>".utf8)
            #expect(try await client.send(.post, "/multi?delete", body: document).errorCode == "InvalidRequest")
            let md5 = Base64.encode(Array(Insecure.MD5.hash(data: document)))
            let result = try XMLReader.parse(try await client.send(.post, "/multi?delete", headers: ["content-md5": md5], body: document).bytes)
            #expect(result.children("Deleted").map { $0.value("Key") } == ["a", "missing"])
            let crc = ContentHasher.digests(of: document, checksums: [.crc32]).checksum(.crc32)!
            let quietDocument = Array("<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object></Delete>".utf8)
            let quietCRC = ContentHasher.digests(of: quietDocument, checksums: [.crc32]).checksum(.crc32)!
            let quiet = try await client.send(
                .post, "/multi?delete", headers: ["x-amz-checksum-crc32": Base64.encode(quietCRC.bytes)], body: quietDocument)
            #expect(quiet.status == .ok && !quiet.text.contains("<Deleted>"))
            #expect(
                try await client.send(.post, "/multi?delete", headers: ["x-amz-checksum-crc32": Base64.encode(crc.bytes)], body: quietDocument)
                    .errorCode == "BadDigest")
            let broken = Array("<Delete><Object>".utf8)
            #expect(
                try await client.send(
                    .post, "/multi?delete", headers: ["content-md5": Base64.encode(Array(Insecure.MD5.hash(data: broken)))], body: broken
                ).errorCode == "MalformedXML")
        }
    }
}
