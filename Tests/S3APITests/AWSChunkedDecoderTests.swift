import Crypto
import NIOCore
import Testing

@testable import HTTPSupport
@testable import Objects
@testable import S3API

/// AWS's "Signature Calculation: Transfer Payload in Multiple Chunks" example: 66560 bytes of 'a' in
/// chunks of 64 KiB, 1 KiB and 0.
@Suite struct AWSChunkedDecoderTests {
    static let key = SigV4.signingKey(secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", date: "20130524", region: "us-east-1", service: "s3")
    static let seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    static let signatures = [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ]

    static func body(signatures: [String] = signatures) -> [UInt8] {
        var bytes = [UInt8]()
        bytes += Array("10000;chunk-signature=\(signatures[0])\r\n".utf8) + [UInt8](repeating: 97, count: 65536) + Array("\r\n".utf8)
        bytes += Array("400;chunk-signature=\(signatures[1])\r\n".utf8) + [UInt8](repeating: 97, count: 1024) + Array("\r\n".utf8)
        bytes += Array("0;chunk-signature=\(signatures[2])\r\n\r\n".utf8)
        return bytes
    }

    func decoder() -> AWSChunkedDecoder {
        AWSChunkedDecoder(
            signer: .init(key: Self.key, amzDate: "20130524T000000Z", scope: "20130524/us-east-1/s3/aws4_request", seedSignature: Self.seed),
            expectsTrailer: false
        )
    }

    /// Feeds `bytes` in pieces of `step` and returns the payload.
    func run(_ decoder: inout AWSChunkedDecoder, _ bytes: [UInt8], step: Int) throws -> [UInt8] {
        var payload = [UInt8]()
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + step, bytes.count)
            for piece in try decoder.decode(ByteBuffer(bytes: bytes[offset..<end])) { payload += piece.readableBytesView }
            offset = end
        }
        try decoder.finish()
        return payload
    }

    @Test(arguments: [1, 7, 1000, 70_000])
    func theAWSExampleDecodesAndVerifiesInAnySplit(_ step: Int) throws {
        var decoder = decoder()
        let payload = try run(&decoder, Self.body(), step: step)
        #expect(payload == [UInt8](repeating: 97, count: 66560))
        #expect(decoder.decodedByteCount == 66560)
    }

    @Test func aTamperedChunkSignatureIsRefused() {
        var tampered = Self.signatures
        tampered[1] = String(tampered[1].reversed())
        var decoder = decoder()
        #expect(throws: AWSChunkedDecoder.DecodeError.signatureMismatch) { _ = try run(&decoder, Self.body(signatures: tampered), step: 4096) }
    }

    @Test func tamperedDataIsRefused() {
        var body = Self.body()
        body[200] = 98
        var decoder = decoder()
        #expect(throws: AWSChunkedDecoder.DecodeError.signatureMismatch) { _ = try run(&decoder, body, step: 4096) }
    }

    @Test func aTruncatedBodyIsRefused() {
        var decoder = decoder()
        #expect(throws: AWSChunkedDecoder.DecodeError.truncated) { _ = try run(&decoder, Array(Self.body().dropLast(10)), step: 4096) }
    }

    @Test(arguments: ["zz\r\nabc\r\n0\r\n\r\n", "3\r\nabcX\r\n0\r\n\r\n", "3;foo=bar\r\nabc\r\n", "3\nabc\r\n", "3\r\nabc\r\n0\r\n\r\nextra"])
    func malformedFramingIsRefused(_ text: String) {
        var decoder = AWSChunkedDecoder(signer: nil, expectsTrailer: true)
        #expect(throws: AWSChunkedDecoder.DecodeError.self) { _ = try run(&decoder, Array(text.utf8), step: 3) }
    }

    @Test func unsignedChunksCarryTheirTrailer() throws {
        var decoder = AWSChunkedDecoder(signer: nil, expectsTrailer: true)
        let text = "8\r\n{\"a\": 1}\r\n0\r\nx-amz-checksum-crc32:+6GOlw==\r\n\r\n"
        let payload = try run(&decoder, Array(text.utf8), step: 5)
        #expect(String(decoding: payload, as: UTF8.self) == "{\"a\": 1}")
        #expect(decoder.trailer("x-amz-checksum-crc32") == "+6GOlw==")
    }
}
