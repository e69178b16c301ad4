import BlobStore
import Crypto
import Hummingbird
import Index
import NIOCore

/// What a body must satisfy as it is stored.
struct IngestSpec {
    /// The body's length when the client declared it (Content-Length, x-amz-decoded-content-length).
    var declaredByteCount: Int64?
    var byteCountMax: Int64
    var contentMD5: [UInt8]?
    var payload: PayloadCheck
    var expectedChecksums: [ChecksumValue]
    var algorithms: Set<ChecksumAlgorithm>
    /// Whether a small body may live in the index record.
    var allowsInline: Bool
    /// The trailing checksum of an aws-chunked body, known only once the body is read.
    var trailer: TrailerBox?

    init(
        declaredByteCount: Int64?, byteCountMax: Int64, payload: PayloadCheck, expectedChecksums: [ChecksumValue],
        algorithms: Set<ChecksumAlgorithm>, allowsInline: Bool
    ) {
        self.declaredByteCount = declaredByteCount
        self.byteCountMax = byteCountMax
        self.payload = payload
        self.expectedChecksums = expectedChecksums
        self.algorithms = algorithms
        self.allowsInline = allowsInline
    }

    /// Reads Content-MD5 and the checksum headers of a request.
    init(request: S3Request, auth: Authentication, declaredByteCount: Int64?, byteCountMax: Int64, allowsInline: Bool) throws {
        self.declaredByteCount = declaredByteCount
        self.byteCountMax = byteCountMax
        self.payload = auth.payload
        self.allowsInline = allowsInline
        if let header = request.header("content-md5") {
            guard let digest = Base64.decode(header), digest.count == 16 else { throw S3Error.invalidDigest() }
            contentMD5 = digest
        }
        (expectedChecksums, algorithms) = try ChecksumHeaders.parse(request)
    }
}

/// A stored body: where its bytes are and what they hash to. The lease keeps a new blob from the
/// collector until the index entry is committed; release it after the commit.
struct IngestedBody {
    let body: ObjectBody
    let digests: ContentDigests
    let lease: BlobLease?
}

extension S3Service {
    /// Streams a request body into the store: inline in memory when it is small and its length is
    /// known, otherwise into a blob. Every declared digest is checked before anything becomes
    /// durable, so a body that fails a check leaves nothing behind.
    func ingest<Body: AsyncSequence>(_ body: Body, _ spec: IngestSpec) async throws -> IngestedBody where Body.Element == ByteBuffer {
        if let declared = spec.declaredByteCount, declared > spec.byteCountMax {
            throw S3Error.entityTooLarge(spec.byteCountMax)
        }
        try await checkFreeSpace()
        if spec.allowsInline, let declared = spec.declaredByteCount, declared <= Int64(configuration.inlineObjectByteCountMax) {
            return try await ingestInline(body, spec, declared: Int(declared))
        }
        let writer = try await blobs.makeWriter(
            checksums: spec.algorithms, byteCountMax: spec.byteCountMax, expectedByteCount: spec.declaredByteCount
        )
        let staged: StagedBlob
        do {
            for try await chunk in body { try await writer.write(chunk) }
            staged = try await writer.finish()
        } catch {
            await writer.abort()
            throw Self.bodyError(error, spec)
        }
        do {
            try Self.verify(staged.digests, spec)
        } catch {
            await blobs.discard(staged)
            throw error
        }
        let lease = try await blobs.place(staged)
        let chunks = staged.digests.byteCount == 0 ? [] : [Chunk(digest: staged.digests.sha256, byteCount: staged.digests.byteCount)]
        return IngestedBody(body: .chunks(chunks), digests: staged.digests, lease: lease)
    }

    private func ingestInline<Body: AsyncSequence>(_ body: Body, _ spec: IngestSpec, declared: Int) async throws -> IngestedBody
    where Body.Element == ByteBuffer {
        var bytes = [UInt8]()
        bytes.reserveCapacity(declared)
        var hasher = ContentHasher(checksums: spec.algorithms)
        do {
            for try await chunk in body {
                guard bytes.count + chunk.readableBytes <= declared else { throw S3Error.incompleteBody() }
                chunk.withUnsafeReadableBytes { raw in
                    hasher.update(raw)
                    bytes.append(contentsOf: raw)
                }
            }
        } catch {
            throw Self.bodyError(error, spec)
        }
        guard bytes.count == declared else { throw S3Error.incompleteBody() }
        let digests = hasher.finalize()
        try Self.verify(digests, spec)
        return IngestedBody(body: .inline(bytes), digests: digests, lease: nil)
    }

    /// Hands a blob that will not be referenced (its commit failed) to the collector.
    func abandon(_ ingested: IngestedBody) async {
        defer { ingested.lease?.release() }
        guard case .chunks(let chunks) = ingested.body, !chunks.isEmpty else { return }
        try? await catalog.adoptOrphans(chunks.map(\.digest), nowMilliseconds: clock.nowMilliseconds())
    }

    /// Refuses writes when the disk holding the blobs is below the configured reserve.
    func checkFreeSpace() async throws {
        guard configuration.diskFreeByteCountMin > 0 else { return }
        if try await disk.availableBytes() < configuration.diskFreeByteCountMin { throw S3Error.storageFull() }
    }

    private static func bodyError(_ error: any Error, _ spec: IngestSpec) -> any Error {
        if let error = error as? BlobStoreError {
            switch error.kind {
            case .tooLarge: return S3Error.entityTooLarge(spec.byteCountMax)
            case .lengthMismatch: return S3Error.incompleteBody()
            default: return error
            }
        }
        return error
    }

    /// Compares the digests of what arrived with every digest the client declared.
    static func verify(_ digests: ContentDigests, _ spec: IngestSpec) throws {
        if let expected = spec.contentMD5, expected != digests.md5 { throw S3Error.badDigest() }
        if case .sha256(let expected) = spec.payload, digests.sha256.hex != expected {
            throw S3Error.contentSHA256Mismatch(client: expected, server: digests.sha256.hex)
        }
        var expectations = spec.expectedChecksums
        if let trailed = spec.trailer?.checksum { expectations.append(trailed) }
        for expected in expectations where digests.checksum(expected.algorithm) != expected {
            throw S3Error.badDigest("The \(ChecksumHeaders.name(expected.algorithm)) you specified did not match the calculated checksum.")
        }
    }
}
