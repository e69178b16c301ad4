/// How the object service stores bodies: the limits and thresholds an operator may change.
public struct ObjectSettings: Sendable {
    /// Bodies up to this size are stored inside the index record instead of as a blob file.
    public var inlineObjectByteCountMax: Int
    /// Largest single PUT (AWS: 5 GiB).
    public var objectByteCountMax: Int64
    /// Smallest part of a multipart upload other than the last (AWS: 5 MiB).
    public var partByteCountMin: Int64
    /// Free bytes below which writes are refused.
    public var diskFreeByteCountMin: Int64

    public init(
        inlineObjectByteCountMax: Int = Limits.inlineObjectByteCountDefault, objectByteCountMax: Int64 = Limits.objectByteCountMax,
        partByteCountMin: Int64 = Limits.partByteCountMinDefault, diskFreeByteCountMin: Int64 = 0
    ) {
        precondition(inlineObjectByteCountMax >= 0 && inlineObjectByteCountMax <= Limits.inlineObjectByteCountMax, "inline bodies stay small")
        self.inlineObjectByteCountMax = inlineObjectByteCountMax
        self.objectByteCountMax = objectByteCountMax
        self.partByteCountMin = partByteCountMin
        self.diskFreeByteCountMin = diskFreeByteCountMin
    }
}
