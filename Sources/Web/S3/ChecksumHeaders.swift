import Access
import BlobStore
import HTTPSupport
import HTTPTypes
import Objects

/// The `x-amz-checksum-*` family of headers.
enum ChecksumHeaders {
    static func name(_ algorithm: ChecksumAlgorithm) -> String {
        switch algorithm {
        case .crc32: return "CRC32"
        case .crc32c: return "CRC32C"
        case .crc64nvme: return "CRC64NVME"
        case .sha1: return "SHA1"
        case .sha256: return "SHA256"
        }
    }

    static func algorithm(named name: String) -> ChecksumAlgorithm? {
        ChecksumAlgorithm.allCases.first { self.name($0) == name.uppercased() }
    }

    static func headerName(_ algorithm: ChecksumAlgorithm) -> HTTPField.Name {
        HTTPField.Name("x-amz-checksum-\(name(algorithm).lowercased())")!
    }

    /// Checksums given as headers, and the algorithms to compute (those plus
    /// `x-amz-sdk-checksum-algorithm` / `x-amz-checksum-algorithm`, whose value may come later in a
    /// trailer).
    static func parse(_ request: S3Request) throws -> (expected: [ChecksumValue], algorithms: Set<ChecksumAlgorithm>) {
        var expected = [ChecksumValue]()
        var algorithms = Set<ChecksumAlgorithm>()
        for algorithm in ChecksumAlgorithm.allCases {
            guard let value = request.headers[headerName(algorithm)] else { continue }
            guard let bytes = Base64.decode(value), bytes.count == algorithm.digestByteCount else {
                throw S3Error.badDigest("The \(name(algorithm)) you specified did not match the calculated checksum.")
            }
            expected.append(ChecksumValue(algorithm: algorithm, bytes: bytes))
            algorithms.insert(algorithm)
        }
        guard expected.count <= 1 else {
            throw S3Error.invalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
        }
        for header in ["x-amz-sdk-checksum-algorithm", "x-amz-checksum-algorithm"] {
            guard let value = request.header(header) else { continue }
            guard let algorithm = algorithm(named: value) else {
                throw S3Error.invalidRequest(
                    "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]"
                )
            }
            algorithms.insert(algorithm)
        }
        return (expected, algorithms)
    }

    /// The header value for a stored checksum (`…-N` for composite multipart checksums).
    static func value(_ checksum: ChecksumValue, partCount: Int?) -> String {
        let encoded = Base64.encode(checksum.bytes)
        if let partCount { return "\(encoded)-\(partCount)" }
        return encoded
    }
}
