/// Settings of the S3 face, with the limits that apply to requests.
public struct S3Configuration: Sendable {
    /// The region reported by GetBucketLocation and used when signing URLs spore makes itself.
    /// Requests signed for any region are accepted.
    public var region: String
    /// Enables virtual-host style addressing (`bucket.domain`) when set.
    public var domain: String?
    /// Bodies up to this size are stored inside the index record instead of as a blob file.
    public var inlineObjectByteCountMax: Int
    /// Largest single PUT (AWS: 5 GiB).
    public var objectByteCountMax: Int64
    /// Smallest part of a multipart upload other than the last (AWS: 5 MiB).
    public var partByteCountMin: Int64
    /// Free bytes below which writes are refused with `XSporeStorageFull`.
    public var diskFreeByteCountMin: Int64
    /// Origins allowed on buckets without a CORS configuration (`*` for any); empty: none.
    public var corsOrigins: [String] = []

    public init(
        region: String = "us-east-1", domain: String? = nil, inlineObjectByteCountMax: Int = Limits.inlineObjectByteCountDefault,
        objectByteCountMax: Int64 = Limits.objectByteCountMax, partByteCountMin: Int64 = Limits.partByteCountMinDefault,
        diskFreeByteCountMin: Int64 = 0
    ) {
        precondition(inlineObjectByteCountMax >= 0 && inlineObjectByteCountMax <= Limits.inlineObjectByteCountMax, "inline bodies stay small")
        self.region = region
        self.domain = domain
        self.inlineObjectByteCountMax = inlineObjectByteCountMax
        self.objectByteCountMax = objectByteCountMax
        self.partByteCountMin = partByteCountMin
        self.diskFreeByteCountMin = diskFreeByteCountMin
    }
}

/// Every limit of the S3 face, in one place. Units are last in the names.
public enum Limits {
    /// Largest object a single PUT may create (AWS: 5 GiB).
    public static let objectByteCountMax: Int64 = 5 << 30
    /// Default size up to which bodies are kept inline in the index.
    public static let inlineObjectByteCountDefault = 16 << 10
    /// Inline bodies above this would make index records unreasonably large.
    public static let inlineObjectByteCountMax = 256 << 10
    /// Total size of `x-amz-meta-*` names and values (AWS: 2 KB).
    public static let userMetadataByteCountMax = 2048
    /// Largest XML request body (DeleteObjects with 1000 long keys fits).
    public static let xmlBodyByteCountMax = 2 << 20
    /// Buckets per ListBuckets page.
    public static let listBucketsCountMax = 10_000
    /// Keys per DeleteObjects request.
    public static let deleteObjectsKeyCountMax = 1000
    /// Default smallest part other than the last (AWS: 5 MiB).
    public static let partByteCountMinDefault: Int64 = 5 << 20
    /// Largest part (AWS: 5 GiB).
    public static let partByteCountMax: Int64 = 5 << 30
    /// Part numbers run from 1 to this (AWS: 10000).
    public static let partNumberMax = 10_000
    /// Largest multipart object (AWS: 5 TiB).
    public static let multipartObjectByteCountMax: Int64 = 5 << 40
}
