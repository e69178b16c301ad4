import BlobStore
import Index
import Objects

/// A data directory opened by a command rather than by the daemon.
struct StoreAccess {
    let directory: DataDirectory
    let catalog: Catalog
    let blobs: any BlobStorage
    /// Held when the command has the store to itself.
    let lock: DirectoryLock?

    var isExclusive: Bool { lock != nil }

    /// Opens the store. `exclusive` takes the daemon's lock and fails if a daemon runs; otherwise
    /// the store is opened read-only beside a running daemon (or exclusively when none runs).
    static func open(_ settings: SporeConfiguration, exclusive: Bool) throws -> StoreAccess {
        let directory = try DataDirectory(path: settings.string("data_dir") ?? "./spore-data")
        let running = directory.isLocked()
        if exclusive && running {
            throw SporeError("a spore daemon is using \(directory.path); stop it first (this command changes the store)")
        }
        let lock = running ? nil : try directory.lock()
        let catalog = try Catalog(
            directory: directory.indexPath, lifecycleDayMilliseconds: (settings.int("lifecycle_day_seconds") ?? 86_400) * 1000,
            readOnly: running
        )
        let packing = try settings.blobPacking()
        let blobs = try LocalBlobStore(
            root: directory.path, threadCount: 4, inspectOnly: running, packedByteCountMax: packing.packedByteCountMax,
            segmentByteCountMax: packing.segmentByteCountMax
        )
        // Packed blobs are found through the index; a command that writes packs as the daemon does.
        catalog.connect(blobs)
        return StoreAccess(directory: directory, catalog: catalog, blobs: blobs, lock: lock)
    }

    func close() async {
        await catalog.close()
        await blobs.shutdown()
        withExtendedLifetime(lock) {}
    }
}

extension SporeConfiguration {
    /// `pack_max` and `segment_size`, checked: a packed blob must fit in a segment.
    func blobPacking() throws -> (packedByteCountMax: Int, segmentByteCountMax: Int64) {
        let packedMax = int("pack_max") ?? Int64(LocalBlobStore.packedByteCountMaxDefault)
        guard packedMax >= 0, packedMax <= Limits.packedByteCountMax else { throw SporeError("pack_max may be at most \(Limits.packedByteCountMax)") }
        let segmentSize = int("segment_size") ?? LocalBlobStore.segmentByteCountMaxDefault
        guard segmentSize > packedMax, segmentSize >= 1 << 16 else { throw SporeError("segment_size must be at least 64 KiB and above pack_max") }
        return (Int(packedMax), segmentSize)
    }
}
