import Access
import BlobStore
import HTTPSupport
import Objects

extension IngestSpec {
    /// What a request's body must satisfy: Content-MD5, the signed SHA-256 and the checksum headers.
    init(request: S3Request, auth: Authentication, declaredByteCount: Int64?, byteCountMax: Int64, allowsInline: Bool) throws {
        var contentMD5: [UInt8]?
        if let header = request.header("content-md5") {
            guard let digest = Base64.decode(header), digest.count == 16 else { throw S3Error.invalidDigest() }
            contentMD5 = digest
        }
        var contentSHA256: String?
        if case .sha256(let expected) = auth.payload { contentSHA256 = expected }
        let (checksums, algorithms) = try ChecksumHeaders.parse(request)
        self.init(
            declaredByteCount: declaredByteCount, byteCountMax: byteCountMax, contentMD5: contentMD5, contentSHA256: contentSHA256,
            expectedChecksums: checksums, algorithms: algorithms, allowsInline: allowsInline
        )
    }

    /// Checks the checksum that trails an aws-chunked body too, once the body has been read.
    mutating func expectTrailer(_ trailer: TrailerBox?) {
        guard let trailer else { return }
        trailingChecksum = { trailer.checksum }
        if let algorithm = trailer.algorithm { algorithms.insert(algorithm) }
    }
}
