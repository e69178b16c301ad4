import BlobStore
import Crypto
import Index
import NIOCore

/// The object service both faces use: it stores bodies (`ingest`), records and reads object
/// versions through the catalog, and reads their bytes back by range. It knows buckets, keys and
/// versions but nothing of SigV4, XML, JSON or HTTP, so the S3 face, the Hypha face and share
/// links act on the same records in the same way and cannot disagree.
public final class ObjectService: Sendable {
    public let catalog: Catalog
    public let blobs: any BlobStorage
    public let clock: any WallClock
    public let disk: DiskMonitor
    public let settings: ObjectSettings
    /// The master keys of SSE-S3 and SSE-KMS and the SSE-C key check.
    public let keys: EncryptionKeys

    /// `serverSecret` seals the master keys; tests that never restart may leave it to a random one.
    public init(catalog: Catalog, blobs: any BlobStorage, clock: any WallClock, settings: ObjectSettings, serverSecret: String? = nil) {
        self.catalog = catalog
        self.blobs = blobs
        self.clock = clock
        self.settings = settings
        self.disk = DiskMonitor(blobs: blobs)
        self.keys = EncryptionKeys(catalog: catalog, serverSecret: serverSecret ?? Hex.encode(EncryptionKeys.randomKey()))
    }

    /// Stores `body` as a new version of `key` in `bucket` (as PutObject does: the version's id,
    /// the bucket's versioning and the preconditions are the catalog's). Durable on return; a body
    /// that fails a check or a commit that fails leaves nothing behind.
    public func put<Body: AsyncSequence & Sendable>(
        bucket: String, key: ObjectKey, body: Body, spec: IngestSpec, template: ObjectVersion,
        preconditions: WritePreconditions = WritePreconditions()
    ) async throws -> ObjectVersion where Body.Element == ByteBuffer {
        // The bucket's defaults apply to every face's writes, not only S3's.
        let defaults = try await bucketDefaults(bucket: bucket, encrypt: template.encryption == nil)
        let ingested = try await ingest(body, spec, encryptingWith: defaults.sealing?.key)
        let now = clock.nowMilliseconds()
        var version = template
        if let sealing = defaults.sealing { version.encryption = sealing.record }
        if version.retention == nil { version.retention = defaults.retention }
        version.byteCount = ingested.digests.byteCount
        version.etag = Hex.encode(ingested.digests.md5)
        version.lastModifiedMilliseconds = now
        version.checksums = ingested.digests.checksums
        version.body = ingested.body
        version.crc32 = ingested.digests.crc32
        do {
            let stored = try await catalog.objects.putObject(
                bucket: bucket, key: key, version: version, preconditions: preconditions, nowMilliseconds: now)
            ingested.lease?.release()
            return stored
        } catch {
            await abandon(ingested)
            throw error
        }
    }

    /// What a new version gets from its bucket when the request names nothing: the default
    /// encryption (a fresh data key and its record) and Object Lock's default retention.
    public func bucketDefaults(
        bucket: String, encrypt: Bool = true
    ) async throws -> (sealing: (key: SymmetricKey, record: ObjectEncryption)?, retention: Retention?) {
        guard let record = try catalog.buckets.bucket(named: bucket) else { throw IndexError.noSuchBucket(bucket) }
        var sealing: (key: SymmetricKey, record: ObjectEncryption)?
        if encrypt, let defaults = record.encryption {
            sealing = try await keys.newDataKey(
                kind: defaults.kind, masterKeyID: defaults.kind == .kms ? defaults.masterKeyID : nil, context: nil,
                bucketKeyEnabled: defaults.bucketKeyEnabled, nowMilliseconds: clock.nowMilliseconds())
        }
        let retention = record.objectLockEnabled ? record.defaultRetention?.retention(fromMilliseconds: clock.nowMilliseconds()) : nil
        return (sealing, retention)
    }

    /// Starts a multipart upload for the faces other than S3 (which reads the request's own
    /// encryption and lock headers): the bucket's default encryption and retention apply.
    public func createUpload(bucket: String, key: ObjectKey, template: MultipartUpload) async throws -> MultipartUpload {
        var upload = template
        let defaults = try await bucketDefaults(bucket: bucket, encrypt: template.encryption == nil)
        if let sealing = defaults.sealing { upload.encryption = sealing.record }
        if upload.retention == nil { upload.retention = defaults.retention }
        return try await catalog.uploads.createUpload(bucket: bucket, key: key, upload, nowMilliseconds: clock.nowMilliseconds())
    }

    /// The key an upload's parts are sealed with, for the faces other than S3: nil for a plain
    /// upload, the data key for SSE-S3/SSE-KMS; an SSE-C upload needs its key, which only S3
    /// requests carry, so it is refused (`customerKeyRequired`).
    public func partKey(for upload: MultipartUpload) throws -> SymmetricKey? {
        try keys.objectKey(for: upload.encryption, customerKey: nil)
    }

    /// The current version of `key`, or nil when there is none (or a delete marker is current).
    public func currentVersion(bucket: String, key: ObjectKey) throws -> ObjectVersion? {
        let (_, lookup) = try catalog.objects.lookup(bucket: bucket, key: key, versionID: nil, nowMilliseconds: clock.nowMilliseconds())
        if case .found(let version) = lookup { return version }
        return nil
    }

    /// A version's CRC-32: known from ingest, or (for versions stored before spore kept it)
    /// computed once by reading the bytes, then recorded.
    public func crc32(of version: ObjectVersion, bucket: String, key: ObjectKey) async throws -> UInt32 {
        if let known = version.crc32 { return known }
        var crc: UInt32 = 0
        for try await chunk in bytes(of: version, window: ByteRange.whole(version.byteCount)) {
            crc = CRC32.checksum(Array(chunk.readableBytesView), continuing: crc)
        }
        try await catalog.objects.recordCRC32(bucket: bucket, key: key, sequence: version.sequence, crc32: crc)
        return crc
    }

    /// The bytes of `window` of a version as an async sequence of chunks read on demand; an
    /// encrypted version is decrypted (an SSE-C one only with its `customerKey`; without it the
    /// sequence throws on its first step).
    public func bytes(of version: ObjectVersion, window: ByteRange?, customerKey: [UInt8]? = nil) -> ObjectByteSequence {
        guard version.encryption != nil else { return ObjectByteSequence(blobs: blobs, body: version.body, window: window) }
        let key = Result { try keys.objectKey(for: version.encryption, customerKey: customerKey) }
        return ObjectByteSequence(blobs: blobs, body: version.body, window: window, decryption: key)
    }

    /// The key to read a version with (nil for plain versions), or the refusal the caller answers.
    public func readKey(for version: ObjectVersion, customerKey: [UInt8]?) throws -> SymmetricKey? {
        try keys.objectKey(for: version.encryption, customerKey: customerKey)
    }
}
