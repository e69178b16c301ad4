import BlobStore
import Crypto
import Index
import NIOCore
import NIOHTTP1

/// What a body must satisfy as it is stored.
public struct IngestSpec: Sendable {
    /// The body's length when the client declared it (Content-Length, x-amz-decoded-content-length).
    public var declaredByteCount: Int64?
    public var byteCountMax: Int64
    public var contentMD5: [UInt8]?
    /// The SHA-256 (hex) the client signed for the body, if it signed one.
    public var contentSHA256: String?
    public var expectedChecksums: [ChecksumValue]
    public var algorithms: Set<ChecksumAlgorithm>
    /// Whether a small body may live in the index record.
    public var allowsInline: Bool
    /// The checksum that trails an aws-chunked body, known only once the body is read.
    public var trailingChecksum: (@Sendable () -> ChecksumValue?)?

    public init(
        declaredByteCount: Int64?, byteCountMax: Int64, contentMD5: [UInt8]? = nil, contentSHA256: String? = nil,
        expectedChecksums: [ChecksumValue] = [], algorithms: Set<ChecksumAlgorithm> = [], allowsInline: Bool
    ) {
        self.declaredByteCount = declaredByteCount
        self.byteCountMax = byteCountMax
        self.contentMD5 = contentMD5
        self.contentSHA256 = contentSHA256
        self.expectedChecksums = expectedChecksums
        self.algorithms = algorithms
        self.allowsInline = allowsInline
    }
}

/// A stored body: where its bytes are and what they hash to. The lease keeps a new blob from the
/// collector until the index entry is committed; release it after the commit.
public struct IngestedBody: Sendable {
    public let body: ObjectBody
    public let digests: ContentDigests
    public let lease: BlobLease?
}

extension ObjectService {
    /// Streams a request body into the store: inline in memory when it is small and its length is
    /// known, otherwise into a blob. Every declared digest is checked before anything becomes
    /// durable, so a body that fails a check leaves nothing behind.
    public func ingest<Body: AsyncSequence>(_ body: Body, _ spec: IngestSpec) async throws -> IngestedBody where Body.Element == ByteBuffer {
        if let declared = spec.declaredByteCount, declared > spec.byteCountMax {
            throw ObjectError.tooLarge(byteCountMax: spec.byteCountMax)
        }
        try await checkFreeSpace()
        if spec.allowsInline, let declared = spec.declaredByteCount, declared <= Int64(settings.inlineObjectByteCountMax) {
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

    /// Streams a request body into the store encrypted with `key` (`ChunkCipher`'s format): the
    /// digests and checks are of the plaintext the client sent, the blob is named by its
    /// ciphertext. Never inline: the index must not hold an encrypted object's bytes in clear.
    public func ingest<Body: AsyncSequence>(_ body: Body, _ spec: IngestSpec, encryptingWith key: SymmetricKey?) async throws -> IngestedBody
    where Body.Element == ByteBuffer {
        guard let key else { return try await ingest(body, spec) }
        if let declared = spec.declaredByteCount, declared > spec.byteCountMax {
            throw ObjectError.tooLarge(byteCountMax: spec.byteCountMax)
        }
        try await checkFreeSpace()
        let writer = try await blobs.makeWriter(
            checksums: [], byteCountMax: ChunkCipher.cipherByteCount(plain: spec.byteCountMax),
            expectedByteCount: spec.declaredByteCount.map { ChunkCipher.cipherByteCount(plain: $0) }, computesMD5: false
        )
        let hasher = BackgroundHasher(checksums: spec.algorithms)
        var sealer = ChunkSealer(objectKey: key)
        var plainByteCount: Int64 = 0
        let staged: StagedBlob
        do {
            for try await chunk in body {
                plainByteCount += Int64(chunk.readableBytes)
                guard plainByteCount <= spec.byteCountMax else { throw ObjectError.tooLarge(byteCountMax: spec.byteCountMax) }
                if let declared = spec.declaredByteCount, plainByteCount > declared { throw ObjectError.incompleteBody }
                await hasher.update(chunk)
                let sealed = try chunk.withUnsafeReadableBytes { raw in try sealer.seal(raw) }
                if !sealed.isEmpty { try await writer.write(ByteBuffer(bytes: sealed)) }
            }
            let tail = try sealer.finish()
            if !tail.isEmpty { try await writer.write(ByteBuffer(bytes: tail)) }
            staged = try await writer.finish()
        } catch {
            await writer.abort()
            _ = await hasher.finalize()
            throw Self.bodyError(error, spec)
        }
        let digests = await hasher.finalize()
        do {
            try Self.verify(digests, spec)
        } catch {
            await blobs.discard(staged)
            throw error
        }
        let lease = try await blobs.place(staged)
        let chunks = staged.digests.byteCount == 0 ? [] : [Chunk(digest: staged.digests.sha256, byteCount: staged.digests.byteCount)]
        return IngestedBody(body: .chunks(chunks), digests: digests, lease: lease)
    }

    private func ingestInline<Body: AsyncSequence>(_ body: Body, _ spec: IngestSpec, declared: Int) async throws -> IngestedBody
    where Body.Element == ByteBuffer {
        var bytes = [UInt8]()
        bytes.reserveCapacity(declared)
        var hasher = ContentHasher(checksums: spec.algorithms)
        do {
            for try await chunk in body {
                guard bytes.count + chunk.readableBytes <= declared else { throw ObjectError.incompleteBody }
                chunk.withUnsafeReadableBytes { raw in
                    hasher.update(raw)
                    bytes.append(contentsOf: raw)
                }
            }
        } catch {
            throw Self.bodyError(error, spec)
        }
        guard bytes.count == declared else { throw ObjectError.incompleteBody }
        let digests = hasher.finalize()
        try Self.verify(digests, spec)
        return IngestedBody(body: .inline(bytes), digests: digests, lease: nil)
    }

    /// Hands a blob that will not be referenced (its commit failed) to the collector.
    public func abandon(_ ingested: IngestedBody) async {
        defer { ingested.lease?.release() }
        guard case .chunks(let chunks) = ingested.body, !chunks.isEmpty else { return }
        try? await catalog.objects.adoptOrphans(chunks.map(\.digest), nowMilliseconds: clock.nowMilliseconds())
    }

    /// Refuses writes when the disk holding the blobs is below the configured reserve.
    public func checkFreeSpace() async throws {
        guard settings.diskFreeByteCountMin > 0 else { return }
        if try await disk.availableBytes() < settings.diskFreeByteCountMin { throw ObjectError.storageFull }
    }

    private static func bodyError(_ error: any Error, _ spec: IngestSpec) -> any Error {
        if let error = error as? BlobStoreError {
            switch error.kind {
            case .tooLarge: return ObjectError.tooLarge(byteCountMax: spec.byteCountMax)
            case .lengthMismatch: return ObjectError.incompleteBody
            default: return error
            }
        }
        // The connection ended or broke inside the body (a client cut off mid-upload): the
        // client's doing, answered 400 IncompleteBody and logged as such, not as a server fault.
        if error is HTTPParserError || error is ChannelError { return ObjectError.incompleteBody }
        return error
    }

    /// Compares the digests of what arrived with every digest the client declared.
    public static func verify(_ digests: ContentDigests, _ spec: IngestSpec) throws {
        if let expected = spec.contentMD5, expected != digests.md5 { throw ObjectError.md5Mismatch }
        if let expected = spec.contentSHA256, digests.sha256.hex != expected {
            throw ObjectError.contentSHA256Mismatch(client: expected, server: digests.sha256.hex)
        }
        var expectations = spec.expectedChecksums
        if let trailed = spec.trailingChecksum?() { expectations.append(trailed) }
        for expected in expectations where digests.checksum(expected.algorithm) != expected {
            throw ObjectError.checksumMismatch(expected.algorithm)
        }
    }
}
