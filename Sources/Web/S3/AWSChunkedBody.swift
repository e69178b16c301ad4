import Access
import BlobStore
import HTTPSupport
import Hummingbird
import NIOCore
import Objects
import Synchronization

/// The trailing checksum of an aws-chunked body, filled in when the body has been read.
final class TrailerBox: Sendable {
    let algorithm: ChecksumAlgorithm?
    private let value = Mutex<ChecksumValue?>(nil)

    init(algorithm: ChecksumAlgorithm?) { self.algorithm = algorithm }

    var checksum: ChecksumValue? { value.withLock { $0 } }

    func set(_ checksum: ChecksumValue) { value.withLock { $0 = checksum } }
}

/// A request body in aws-chunked encoding, decoded as it is read.
struct AWSChunkedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody
    let decoder: AWSChunkedDecoder
    let trailer: TrailerBox

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        var decoder: AWSChunkedDecoder
        let trailer: TrailerBox
        var pending: [ByteBuffer] = []
        var finished = false

        mutating func next() async throws -> ByteBuffer? {
            while pending.isEmpty {
                guard !finished else { return nil }
                guard let input = try await base.next() else {
                    finished = true
                    do { try decoder.finish() } catch { throw Self.translate(error) }
                    try recordTrailer()
                    return nil
                }
                do { pending = try decoder.decode(input) } catch { throw Self.translate(error) }
            }
            return pending.removeFirst()
        }

        private func recordTrailer() throws {
            guard let algorithm = trailer.algorithm else { return }
            let name = ChecksumHeaders.headerName(algorithm).canonicalName
            guard let text = decoder.trailer(name) else {
                throw S3Error.invalidRequest("The x-amz-trailer header names \(name), which the body did not carry.")
            }
            guard let bytes = Base64.decode(text), bytes.count == algorithm.digestByteCount else {
                throw S3Error.badDigest("The \(ChecksumHeaders.name(algorithm)) you specified did not match the calculated checksum.")
            }
            trailer.set(ChecksumValue(algorithm: algorithm, bytes: bytes))
        }

        private static func translate(_ error: AWSChunkedDecoder.DecodeError) -> S3Error {
            switch error {
            case .signatureMismatch: return S3Error.signatureDoesNotMatch()
            case .truncated: return S3Error.incompleteBody()
            case .malformed(let reason): return S3Error("InvalidRequest", .badRequest, "Invalid aws-chunked encoding: \(reason).")
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), decoder: decoder, trailer: trailer)
    }
}

extension S3Service {
    /// The body to store: the request body, decoded when it is aws-chunked; and the box that will
    /// hold its trailing checksum.
    func payload(_ http: Request, _ request: S3Request, _ auth: Authentication) throws -> (
        body: any AsyncSequence<ByteBuffer, any Error> & Sendable, trailer: TrailerBox?
    ) {
        let trailerName = request.header("x-amz-trailer")?.lowercased()
        var trailerAlgorithm: ChecksumAlgorithm?
        if let trailerName {
            guard let algorithm = ChecksumAlgorithm.allCases.first(where: { ChecksumHeaders.headerName($0).canonicalName == trailerName }) else {
                throw S3Error.invalidRequest("The value specified in the x-amz-trailer header is not supported")
            }
            trailerAlgorithm = algorithm
        }
        switch auth.payload {
        case .signedChunks(let seed, let key, let amzDate, let scope, let hasTrailer):
            let signer = AWSChunkedDecoder.Signer(key: key, amzDate: amzDate, scope: scope, seedSignature: seed)
            let box = TrailerBox(algorithm: hasTrailer ? trailerAlgorithm : nil)
            return (AWSChunkedBody(base: http.body, decoder: AWSChunkedDecoder(signer: signer, expectsTrailer: hasTrailer), trailer: box), box)
        case .unsignedChunks(let hasTrailer):
            let box = TrailerBox(algorithm: hasTrailer ? trailerAlgorithm : nil)
            return (AWSChunkedBody(base: http.body, decoder: AWSChunkedDecoder(signer: nil, expectsTrailer: hasTrailer), trailer: box), box)
        case .unsigned, .sha256:
            return (http.body, nil)
        }
    }
}
