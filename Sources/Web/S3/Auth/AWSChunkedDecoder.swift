import Access
import BlobStore
import Crypto
import HTTPSupport
import NIOCore
import Objects

/// Decodes an `aws-chunked` body (`Content-Encoding: aws-chunked`), verifying the chained chunk
/// signatures of `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]` and collecting the trailing headers
/// of the `…-TRAILER` variants.
///
/// A value type with no I/O: `decode` takes the bytes as they arrive and returns the payload
/// pieces found in them; `finish` checks that the body ended where the framing says.
public struct AWSChunkedDecoder: Sendable {
    /// Longest chunk header or trailer line accepted.
    public static let lineByteCountMax = 4096
    /// Most trailer lines accepted.
    public static let trailerCountMax = 16

    /// What verifies the chunk signatures, for the signed variants.
    public struct Signer: Sendable {
        let key: SymmetricKey
        let amzDate: String
        let scope: String
        var previousSignature: String

        public init(key: SymmetricKey, amzDate: String, scope: String, seedSignature: String) {
            self.key = key
            self.amzDate = amzDate
            self.scope = scope
            self.previousSignature = seedSignature
        }
    }

    public enum DecodeError: Error, Equatable, Sendable {
        case malformed(String)
        case signatureMismatch
        case truncated
    }

    private enum State: Sendable {
        case header
        case data(remaining: Int)
        case dataEnd
        case trailer
        case done
    }

    private var state = State.header
    private var line = [UInt8]()
    private var signer: Signer?
    private var expectedSignature: String?
    private var chunkHash = SHA256()
    private let expectsTrailer: Bool
    /// Trailing headers, lowercased names.
    public private(set) var trailers: [(name: String, value: String)] = []
    private var trailerSignature: String?
    public private(set) var decodedByteCount: Int64 = 0

    public init(signer: Signer?, expectsTrailer: Bool) {
        self.signer = signer
        self.expectsTrailer = expectsTrailer
    }

    /// Consumes `input` and returns the payload bytes it held.
    public mutating func decode(_ input: ByteBuffer) throws(DecodeError) -> [ByteBuffer] {
        var buffer = input
        var output = [ByteBuffer]()
        while buffer.readableBytes > 0 {
            switch state {
            case .header:
                guard let text = try readLine(&buffer) else { continue }
                try startChunk(text)
            case .data(let remaining):
                let count = min(remaining, buffer.readableBytes)
                let piece = buffer.readSlice(length: count)!
                if signer != nil { piece.withUnsafeReadableBytes { chunkHash.update(bufferPointer: $0) } }
                output.append(piece)
                decodedByteCount += Int64(count)
                state = remaining == count ? .dataEnd : .data(remaining: remaining - count)
            case .dataEnd:
                guard let text = try readLine(&buffer) else { continue }
                guard text.isEmpty else { throw .malformed("chunk data is not followed by CRLF") }
                try verifyChunkSignature()
                state = .header
            case .trailer:
                guard let text = try readLine(&buffer) else { continue }
                try addTrailer(text)
            case .done:
                // Bytes after the final CRLF are not part of any chunk.
                throw .malformed("data after the final chunk")
            }
        }
        return output
    }

    /// Checks that the body ended exactly at the end of the framing.
    public func finish() throws(DecodeError) {
        guard case .done = state else { throw .truncated }
    }

    /// The value of a trailing header, if it came.
    public func trailer(_ name: String) -> String? { trailers.first { $0.name == name }?.value }

    // MARK: Steps

    private mutating func startChunk(_ text: [UInt8]) throws(DecodeError) {
        var sizeText = text[...]
        var signature: String?
        if let semicolon = text.firstIndex(of: UInt8(ascii: ";")) {
            sizeText = text[..<semicolon]
            let extensionText = String(decoding: text[(semicolon + 1)...], as: UTF8.self)
            guard extensionText.hasPrefix("chunk-signature=") else { throw .malformed("unknown chunk extension") }
            signature = String(extensionText.dropFirst("chunk-signature=".count))
        }
        guard !sizeText.isEmpty, sizeText.count <= 16, let size = Int(String(decoding: sizeText, as: UTF8.self), radix: 16), size >= 0 else {
            throw .malformed("bad chunk size")
        }
        if signer != nil {
            guard let signature, signature.utf8.count == 64 else { throw .malformed("missing chunk signature") }
            expectedSignature = signature
        } else if signature != nil {
            throw .malformed("unexpected chunk signature")
        }
        chunkHash = SHA256()
        if size == 0 {
            try verifyChunkSignature()
            state = .trailer
            // Without trailers, the final chunk is followed by an empty line.
        } else {
            state = .data(remaining: size)
        }
    }

    private mutating func verifyChunkSignature() throws(DecodeError) {
        guard var current = signer, let provided = expectedSignature else { return }
        let dataHash = Hex.encode(chunkHash.finalize())
        let stringToSign =
            "AWS4-HMAC-SHA256-PAYLOAD\n\(current.amzDate)\n\(current.scope)\n\(current.previousSignature)\n\(SigV4.emptyPayloadHash)\n\(dataHash)"
        let computed = SigV4.signature(key: current.key, stringToSign: stringToSign)
        guard SigV4.constantTimeEqual(computed, provided) else { throw .signatureMismatch }
        current.previousSignature = computed
        signer = current
        expectedSignature = nil
    }

    private mutating func addTrailer(_ text: [UInt8]) throws(DecodeError) {
        if text.isEmpty {
            try verifyTrailerSignature()
            state = .done
            return
        }
        guard trailers.count < Self.trailerCountMax, let colon = text.firstIndex(of: UInt8(ascii: ":")) else {
            throw .malformed("bad trailer line")
        }
        let name = String(decoding: text[..<colon], as: UTF8.self).lowercased()
        let value = String(decoding: text[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: " \t")
        if name == "x-amz-trailer-signature" {
            trailerSignature = value
        } else {
            guard expectsTrailer else { throw .malformed("trailer without x-amz-trailer") }
            trailers.append((name, value))
        }
    }

    private mutating func verifyTrailerSignature() throws(DecodeError) {
        guard let current = signer, expectsTrailer else { return }
        guard let provided = trailerSignature else { throw .malformed("missing trailer signature") }
        let canonical = trailers.map { "\($0.name):\($0.value)\n" }.joined()
        let hash = Hex.encode(SHA256.hash(data: Array(canonical.utf8)))
        let stringToSign = "AWS4-HMAC-SHA256-TRAILER\n\(current.amzDate)\n\(current.scope)\n\(current.previousSignature)\n\(hash)"
        guard SigV4.constantTimeEqual(SigV4.signature(key: current.key, stringToSign: stringToSign), provided) else {
            throw .signatureMismatch
        }
    }

    /// Reads up to CRLF; nil when the line is not complete yet (it is kept for the next buffer).
    private mutating func readLine(_ buffer: inout ByteBuffer) throws(DecodeError) -> [UInt8]? {
        while let byte = buffer.readInteger(as: UInt8.self) {
            if byte == UInt8(ascii: "\n") {
                guard line.last == UInt8(ascii: "\r") else { throw .malformed("line not ended by CRLF") }
                let text = Array(line.dropLast())
                line.removeAll(keepingCapacity: true)
                return text
            }
            line.append(byte)
            guard line.count <= Self.lineByteCountMax else { throw .malformed("chunk header too long") }
        }
        return nil
    }
}
