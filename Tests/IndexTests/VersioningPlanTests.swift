import Testing

@testable import Index

@Suite struct VersioningPlanTests {
    @Test func unversionedBucketsReplaceAndRemove() {
        let put = VersioningPlan.put(state: .unversioned, current: (isNull: true, exists: true))
        #expect(put.currentFate == .drop && put.newIsNull && !put.writesDeleteMarker)
        let delete = VersioningPlan.delete(state: .unversioned, current: (isNull: true, exists: true))
        #expect(delete.removesKey && delete.currentFate == .drop && !delete.writesDeleteMarker)
        #expect(VersioningPlan.put(state: .unversioned, current: (isNull: false, exists: false)).currentFate == .none)
    }

    @Test func enabledBucketsKeepEveryVersion() {
        let put = VersioningPlan.put(state: .enabled, current: (isNull: true, exists: true))
        #expect(put.currentFate == .demote && !put.newIsNull && !put.dropsNoncurrentNull)
        let delete = VersioningPlan.delete(state: .enabled, current: (isNull: false, exists: true))
        #expect(delete.writesDeleteMarker && !delete.newIsNull && delete.currentFate == .demote && !delete.removesKey)
        // A delete marker is written even when the key does not exist.
        let deleteMissing = VersioningPlan.delete(state: .enabled, current: (isNull: false, exists: false))
        #expect(deleteMissing.writesDeleteMarker && deleteMissing.currentFate == .none)
    }

    @Test func suspendedBucketsReplaceOnlyTheNullVersion() {
        let overNull = VersioningPlan.put(state: .suspended, current: (isNull: true, exists: true))
        #expect(overNull.currentFate == .drop && overNull.newIsNull && overNull.dropsNoncurrentNull)
        let overVersioned = VersioningPlan.put(state: .suspended, current: (isNull: false, exists: true))
        #expect(overVersioned.currentFate == .demote && overVersioned.newIsNull)
        let delete = VersioningPlan.delete(state: .suspended, current: (isNull: false, exists: true))
        #expect(delete.writesDeleteMarker && delete.newIsNull && delete.currentFate == .demote && delete.dropsNoncurrentNull)
    }
}
