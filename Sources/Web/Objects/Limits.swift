/// Every limit on what a client may send or ask for, in one place, for every face. Units are last
/// in the names. Bounds that are implementation parameters rather than limits on input (cache
/// sizes, batches in flight, the key-tree segment length) stay beside the code they tune.
public enum Limits {
    // MARK: Objects

    /// Largest object a single PUT may create (AWS: 5 GiB).
    public static let objectByteCountMax: Int64 = 5 << 30
    /// Default size up to which bodies are kept inline in the index.
    /// 1 KiB: a version record with such a body still fits an index page beside others. A 4 KiB
    /// body inline took two overflow pages (8 KiB of index per object; 7.7 GiB of mapped pages
    /// for a million objects), so larger bodies are packed into segments (docs/performance.md).
    public static let inlineObjectByteCountDefault = 1 << 10
    /// Inline bodies above this would make index records unreasonably large.
    public static let inlineObjectByteCountMax = 256 << 10
    /// The largest `pack_max`: a packed body is held in memory on its way into a segment.
    public static let packedByteCountMax: Int64 = 16 << 20
    /// Total size of `x-amz-meta-*` names and values (AWS: 2 KB).
    public static let userMetadataByteCountMax = 2048
    /// Tags on one object (AWS: 10).
    public static let objectTagCountMax = 10
    /// Tags on one bucket (AWS: 50).
    public static let bucketTagCountMax = 50
    /// Longest tag key (AWS: 128 characters).
    public static let tagKeyByteCountMax = 128
    /// Longest tag value (AWS: 256 characters).
    public static let tagValueByteCountMax = 256

    // MARK: Multipart uploads

    /// Default smallest part other than the last (AWS: 5 MiB).
    public static let partByteCountMinDefault: Int64 = 5 << 20
    /// Largest part (AWS: 5 GiB).
    public static let partByteCountMax: Int64 = 5 << 30
    /// Part numbers run from 1 to this (AWS: 10000).
    public static let partNumberMax = 10_000
    /// Largest multipart object (AWS: 5 TiB).
    public static let multipartObjectByteCountMax: Int64 = 5 << 40

    // MARK: Requests and documents

    /// Largest XML request body (DeleteObjects with 1000 long keys fits).
    public static let xmlBodyByteCountMax = 2 << 20
    /// Largest JSON request body of the Hypha-style API (service calls, multipart completions).
    public static let jsonBodyByteCountMax = 4 << 20
    /// Buckets per ListBuckets page.
    public static let listBucketsCountMax = 10_000
    /// Keys per DeleteObjects request.
    public static let deleteObjectsKeyCountMax = 1000
    /// Largest bucket policy or POST policy document (AWS: 20 KiB).
    public static let policyDocumentByteCountMax = 20 * 1024
    /// Lifecycle rules per bucket (AWS: 1000).
    public static let lifecycleRuleCountMax = 1000
    /// CORS rules per bucket (AWS: 100).
    public static let corsRuleCountMax = 100
    /// Bytes of a browser POST upload after the file part (the closing boundary and stray fields).
    public static let postTrailingByteCountMax = 64 * 1024

    // MARK: Signatures, links and tokens

    /// Longest lifetime of a presigned URL, whoever makes it (AWS: 7 days).
    public static let presignExpirySecondsMax = 7 * 24 * 3600
    /// How far a signed request's time may be from the server's (AWS: 15 minutes).
    public static let clockSkewMillisecondsMax: Int64 = 15 * 60 * 1000
    /// Longest share-link token accepted in a path.
    public static let shareTokenByteCountMax = 128
    /// Longest Hypha token accepted.
    public static let hyphaTokenByteCountMax = 8 * 1024
    /// Longest a token minted by `generate_token` may live (Hypha has no cap; 30 days here).
    public static let hyphaTokenLifetimeSecondsMax: Int64 = 30 * 86_400
    /// Extra scopes one minted token may carry.
    public static let tokenExtraScopeCountMax = 32

    // MARK: Hypha-style listings

    /// Most files or directories one workspace listing returns.
    public static let listLengthMax = 10_000
    /// Largest `offset` of a listing: deeper pages would walk this many entries for one answer.
    public static let listOffsetMax = 1_000_000
    /// Keys deleted per index commit when a directory is removed.
    public static let removeBatchCountMax = 1000
}
