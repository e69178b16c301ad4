/// A body that is fully written and fsynced in `tmp/`, hashed, and waiting to be placed or dropped.
///
/// The caller checks the digests (`Content-MD5`, `x-amz-content-sha256`, checksum headers) before
/// calling `BlobStorage.place(_:)`, so a body that fails a check never becomes a blob.
public struct StagedBlob: Sendable {
    public let digests: ContentDigests
    /// Where the storage that staged the body keeps it (a temporary file for `LocalBlobStore`);
    /// meaningful only to that storage.
    public let location: String

    public init(digests: ContentDigests, location: String) {
        self.digests = digests
        self.location = location
    }
}
