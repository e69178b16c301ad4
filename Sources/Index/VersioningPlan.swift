/// What a write does to a key's versions, decided from the bucket's versioning state alone.
///
/// A value type with no I/O, so the S3 rules (null versions, delete markers, suspended buckets)
/// are unit-tested on their own; `Catalog` carries the steps out in one transaction.
public struct VersioningPlan: Equatable, Sendable {
    /// What happens to the version that is current now.
    public enum CurrentFate: Equatable, Sendable {
        /// There is no current version.
        case none
        /// It becomes noncurrent (kept, listed by ListObjectVersions).
        case demote
        /// It is removed and its blobs released.
        case drop
    }

    public let currentFate: CurrentFate
    /// Whether a noncurrent `null` version, if any, is removed (it is being replaced).
    public let dropsNoncurrentNull: Bool
    /// Whether the new version (or delete marker) gets the `null` id.
    public let newIsNull: Bool
    /// Whether a delete marker is written (DELETE without a version id on a versioning bucket).
    public let writesDeleteMarker: Bool
    /// Whether the key ends with no current version (DELETE on an unversioned bucket).
    public let removesKey: Bool

    /// A PUT, COPY or multipart completion.
    public static func put(state: VersioningState, current: (isNull: Bool, exists: Bool)) -> VersioningPlan {
        switch state {
        case .unversioned:
            return VersioningPlan(
                currentFate: current.exists ? .drop : .none, dropsNoncurrentNull: false, newIsNull: true,
                writesDeleteMarker: false, removesKey: false
            )
        case .enabled:
            return VersioningPlan(
                currentFate: current.exists ? .demote : .none, dropsNoncurrentNull: false, newIsNull: false,
                writesDeleteMarker: false, removesKey: false
            )
        case .suspended:
            return VersioningPlan(
                currentFate: !current.exists ? .none : (current.isNull ? .drop : .demote),
                dropsNoncurrentNull: true, newIsNull: true, writesDeleteMarker: false, removesKey: false
            )
        }
    }

    /// A DELETE without a version id.
    public static func delete(state: VersioningState, current: (isNull: Bool, exists: Bool)) -> VersioningPlan {
        switch state {
        case .unversioned:
            return VersioningPlan(
                currentFate: current.exists ? .drop : .none, dropsNoncurrentNull: false, newIsNull: true,
                writesDeleteMarker: false, removesKey: true
            )
        case .enabled:
            return VersioningPlan(
                currentFate: current.exists ? .demote : .none, dropsNoncurrentNull: false, newIsNull: false,
                writesDeleteMarker: true, removesKey: false
            )
        case .suspended:
            return VersioningPlan(
                currentFate: !current.exists ? .none : (current.isNull ? .drop : .demote),
                dropsNoncurrentNull: true, newIsNull: true, writesDeleteMarker: true, removesKey: false
            )
        }
    }
}
