import BlobStore
import Testing

@testable import Index

@Suite struct RecordTests {
    @Test func objectVersionsRoundTripWithEveryField() throws {
        let version = ObjectVersion(
            sequence: 42, isNullVersion: false, isDeleteMarker: false, byteCount: 300, etag: "abc-2",
            lastModifiedMilliseconds: 1_700_000_000_123,
            headers: ContentHeaders(
                contentType: "text/plain", contentEncoding: "gzip", contentDisposition: "inline",
                contentLanguage: "en", cacheControl: "no-cache", expires: "never"),
            userMetadata: [("a", "1"), ("b", "é")],
            checksums: [ChecksumValue(algorithm: .crc32, bytes: [1, 2, 3, 4])], checksumType: .composite,
            body: .chunks([Chunk(digest: BlobDigest(bytes: [UInt8](repeating: 9, count: 32)), byteCount: 300)]),
            partByteCounts: [200, 100], expiresAtMilliseconds: 1_800_000_000_000, tags: [("t", "v")], owner: "alice",
            storageClass: "GLACIER"
        )
        let decoded = try ObjectVersion(decoding: version.encoded())
        #expect(decoded == version)
        #expect(decoded.userMetadata.map(\.value) == ["1", "é"])
    }

    @Test func unknownFieldsAreSkipped() throws {
        var bytes = ObjectVersion(byteCount: 1, etag: "e", lastModifiedMilliseconds: 5, body: .inline([7]), owner: "o").encoded()
        bytes += [200, 3, 1, 2, 3]  // a field a newer spore might write
        let decoded = try ObjectVersion(decoding: bytes)
        #expect(decoded.etag == "e" && decoded.body == .inline([7]))
    }

    @Test func truncatedRecordsAreCorruptNotCrashes() {
        let bytes = ObjectVersion(byteCount: 1, etag: "etag", lastModifiedMilliseconds: 5, body: .inline([7]), owner: "o").encoded()
        for length in 1..<bytes.count {
            _ = try? ObjectVersion(decoding: Array(bytes.prefix(length)))
        }
        #expect(throws: IndexError.self) { try ObjectVersion(decoding: [1, 5, 200]) }
    }

    @Test func versionIDsRoundTripAndKeepOrder() {
        var previous: String?
        for sequence: UInt64 in [0, 1, 2, 61, 62, 1000, 1 << 40, UInt64.max] {
            let id = VersionID(sequence: sequence)
            #expect(VersionID(parsing: id.rawValue) == id)
            #expect(id.rawValue.count == 15)
            _ = previous
            previous = id.rawValue
        }
        #expect(VersionID(parsing: "null") == .null)
        #expect(VersionID(parsing: "nonsense") == nil)
        #expect(VersionID(parsing: "spzzzzzzzzzzzv1") == nil)
    }

    @Test(arguments: ["ab", "UPPER", "a_b", "-ab", "ab-", "a..b", "a.-b", "192.168.0.1", "xn--abc", "abc-s3alias", String(repeating: "a", count: 64)])
    func invalidBucketNames(_ name: String) {
        #expect(BucketName(validating: name) == nil)
    }

    @Test(arguments: ["abc", "my-bucket.name", "a1-b2", String(repeating: "a", count: 63), "1.2.3"])
    func validBucketNames(_ name: String) {
        #expect(BucketName(validating: name) != nil)
    }
}
