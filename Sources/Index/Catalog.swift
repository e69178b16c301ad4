import BlobStore
import Foundation
import Synchronization

/// The index of a data directory: every fact about buckets, objects and blobs, on LMDB.
///
/// Reads run in short read transactions on the caller's thread. Every change goes through
/// `writer`, the single serial writer, and is durable when the call returns.
public final class Catalog: Sendable {
    /// Layout version of the index; a newer spore migrates older stores, an older one refuses newer.
    /// 2: records may carry Object Lock and encryption fields. A spore that understands only 1
    /// would skip them as unknown fields (delete locked versions, serve ciphertext), so opening an
    /// index raises its format and older binaries refuse it.
    public static let formatVersion: UInt64 = 2
    /// Default address space reserved for the map (not disk space).
    public static let mapByteCountDefault = 64 << 30
    /// The map never grows past this.
    public static let mapByteCountMaxDefault = 1 << 40
    static let databaseCountMax = 32

    public let environment: LMDBEnvironment
    public let writer: IndexWriter
    let databases: Databases
    let identityCounter = Atomic<UInt64>(0)
    /// The bucket whose `{ws}/artifacts/{id}/v{slot}/…` objects are artifact files: their writes
    /// and deletes keep the artifact counters (files per slot, uploads still pending) in step, in
    /// the same transaction. Set once the artifact manager is configured.
    let artifactBucket = Mutex<String?>(nil)
    let artifactRecords = ArtifactRecordCache()
    /// The blob store's record of just-placed packed blobs (`attach(placements:)`).
    let placementsBox = Mutex<(any BlobPlacements)?>(nil)
    let keyTree: KeyTree
    let uploadTree: KeyTree

    struct Databases: Sendable {
        let meta: LMDBDatabase
        let buckets: LMDBDatabase
        let keys: LMDBDatabase
        let versions: LMDBDatabase
        let blobs: LMDBDatabase
        let garbage: LMDBDatabase
        let expiry: LMDBDatabase
        let uploads: LMDBDatabase
        let uploadIDs: LMDBDatabase
        let uploadTimes: LMDBDatabase
        let completedUploads: LMDBDatabase
        let parts: LMDBDatabase
        let settings: LMDBDatabase
        let bucketNames: LMDBDatabase
        let lifecycleQueue: LMDBDatabase
        let users: LMDBDatabase
        let accessKeys: LMDBDatabase
        let shares: LMDBDatabase
        let workspaces: LMDBDatabase
        let artifacts: LMDBDatabase
        let artifactAliases: LMDBDatabase
        let artifactChildren: LMDBDatabase
        let artifactWorkspaces: LMDBDatabase
        let artifactStaged: LMDBDatabase
        let artifactCounters: LMDBDatabase
        let artifactRetired: LMDBDatabase
        /// Revoked Hypha-style tokens: `t` + token id → expiry, `u` + user → revoked up to (seconds).
        let revocations: LMDBDatabase
    }

    /// Opens or creates the index in `directory`.
    /// Length of a lifecycle "day": 86 400 000 ms, shorter for tests and demos.
    public let lifecycleDayMilliseconds: Int64

    public init(
        directory: String, mapByteCount: Int = Catalog.mapByteCountDefault,
        mapByteCountMax: Int = Catalog.mapByteCountMaxDefault, synchronous: Bool = true,
        lifecycleDayMilliseconds: Int64 = 86_400_000, readOnly: Bool = false
    ) throws {
        precondition(lifecycleDayMilliseconds > 0, "a lifecycle day lasts")
        self.lifecycleDayMilliseconds = lifecycleDayMilliseconds
        if !readOnly { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let environment = try LMDBEnvironment(
            directory: directory, mapByteCount: mapByteCount, databaseCountMax: Self.databaseCountMax, synchronous: synchronous,
            readOnly: readOnly
        )
        let databases = Databases(
            meta: try environment.openDatabase(named: "meta"),
            buckets: try environment.openDatabase(named: "buckets"),
            keys: try environment.openDatabase(named: "keys"),
            versions: try environment.openDatabase(named: "versions"),
            blobs: try environment.openDatabase(named: "blobs"),
            garbage: try environment.openDatabase(named: "garbage"),
            expiry: try environment.openDatabase(named: "expiry"),
            uploads: try environment.openDatabase(named: "uploads"),
            uploadIDs: try environment.openDatabase(named: "upload-ids"),
            uploadTimes: try environment.openDatabase(named: "upload-times"),
            completedUploads: try environment.openDatabase(named: "completed-uploads"),
            parts: try environment.openDatabase(named: "parts"),
            settings: try environment.openDatabase(named: "settings"),
            bucketNames: try environment.openDatabase(named: "bucket-names"),
            lifecycleQueue: try environment.openDatabase(named: "lifecycle-queue"),
            users: try environment.openDatabase(named: "users"),
            accessKeys: try environment.openDatabase(named: "access-keys"),
            shares: try environment.openDatabase(named: "shares"),
            workspaces: try environment.openDatabase(named: "workspaces"),
            artifacts: try environment.openDatabase(named: "artifacts"),
            artifactAliases: try environment.openDatabase(named: "artifact-aliases"),
            artifactChildren: try environment.openDatabase(named: "artifact-children"),
            artifactWorkspaces: try environment.openDatabase(named: "artifact-workspaces"),
            artifactStaged: try environment.openDatabase(named: "artifact-staged"),
            artifactCounters: try environment.openDatabase(named: "artifact-counters"),
            artifactRetired: try environment.openDatabase(named: "artifact-retired"),
            revocations: try environment.openDatabase(named: "revocations")
        )
        self.environment = environment
        self.databases = databases
        self.keyTree = KeyTree(database: databases.keys, keyByteCountMax: environment.keyByteCountMax)
        self.uploadTree = KeyTree(database: databases.uploads, keyByteCountMax: environment.keyByteCountMax)
        self.writer = IndexWriter(environment: environment, mapByteCountMax: max(mapByteCountMax, mapByteCount))
    }

    /// Stops the writer after the queued writes and closes the environment.
    public func close() async {
        await writer.shutdown()
        environment.close()
    }

    /// Reads the format version, writing the current one into a new index. Throws if the index was
    /// written by a newer spore.
    public func checkFormat() async throws -> UInt64 {
        let meta = databases.meta
        return try await writer.write { transaction in
            if let bytes = try transaction.get(meta, MetaKey.format) {
                let stored = KeyBytes.readUInt64(bytes)
                guard stored <= Catalog.formatVersion else {
                    throw CatalogFormatError(stored: stored, supported: Catalog.formatVersion)
                }
                // Every older format's records read unchanged; raising the mark keeps older
                // binaries from misreading newer ones.
                if stored < Catalog.formatVersion { try transaction.put(meta, MetaKey.format, KeyBytes.uint64(Catalog.formatVersion)) }
                return Catalog.formatVersion
            }
            try transaction.put(meta, MetaKey.format, KeyBytes.uint64(Catalog.formatVersion))
            return Catalog.formatVersion
        }
    }

    /// Runs `body` in a read transaction.
    public func read<Result>(_ body: (borrowing LMDBTransaction) throws -> Result) throws -> Result {
        try environment.read(body)
    }

    /// Allocates the next id: bucket ids, key-tree groups, key ids and version sequence numbers all
    /// come from this one counter, so a larger number is always a later allocation.
    func allocateID(_ transaction: borrowing LMDBTransaction) throws -> UInt64 {
        let current = try transaction.get(databases.meta, MetaKey.nextID).map { KeyBytes.readUInt64($0) } ?? 1
        try transaction.put(databases.meta, MetaKey.nextID, KeyBytes.uint64(current + 1))
        return current
    }

    enum MetaKey {
        static let format = Array("format".utf8)
        static let nextID = Array("next-id".utf8)
        static let blobBytes = Array("blob-bytes".utf8)
    }
}

/// The index on disk is newer than this program.
public struct CatalogFormatError: Error, CustomStringConvertible {
    public let stored: UInt64
    public let supported: UInt64

    public var description: String {
        "the index has format \(stored) but this spore understands up to \(supported); run a newer spore"
    }
}

extension Catalog {
    /// Longest daemon-wide setting.
    public static let daemonSettingByteCountMax = 64 * 1024

    private static func daemonSettingKey(_ name: String) -> [UInt8] { Array("setting/".utf8) + Array(name.utf8) }

    /// A daemon-wide setting (the console's sealed Hugging Face token): a small document by name,
    /// kept in the meta database beside the index's own counters.
    public func daemonSetting(_ name: String) throws -> [UInt8]? {
        try read { transaction in try transaction.get(databases.meta, Self.daemonSettingKey(name)) }
    }

    /// Stores (or with nil removes) a daemon-wide setting; durable on return.
    public func setDaemonSetting(_ name: String, _ value: [UInt8]?) async throws {
        precondition((value?.count ?? 0) <= Self.daemonSettingByteCountMax, "settings are small documents")
        let (meta, key) = (databases.meta, Self.daemonSettingKey(name))
        try await writer.write { transaction in
            if let value { try transaction.put(meta, key, value) } else { try transaction.delete(meta, key) }
        }
    }

    /// Changes a daemon-wide setting in one write (read, change, store), so two changes never
    /// lose one another. Returns the stored value.
    @discardableResult
    public func updateDaemonSetting(_ name: String, _ change: @escaping @Sendable (inout [UInt8]?) throws -> Void) async throws -> [UInt8]? {
        let (meta, key) = (databases.meta, Self.daemonSettingKey(name))
        return try await writer.write { transaction in
            var value = try transaction.get(meta, key)
            try change(&value)
            precondition((value?.count ?? 0) <= Self.daemonSettingByteCountMax, "settings are small documents")
            if let value { try transaction.put(meta, key, value) } else { try transaction.delete(meta, key) }
            return value
        }
    }

    /// The names of the daemon-wide settings that start with `prefix`.
    public func daemonSettingNames(prefix: String) throws -> [String] {
        let start = Self.daemonSettingKey(prefix)
        return try read { transaction in
            try transaction.withCursor(databases.meta) { cursor in
                var names = [String]()
                var entry = try cursor.seek(atOrAfter: start)
                while let current = entry, current.key.starts(with: start) {
                    names.append(String(decoding: current.key.dropFirst(Self.daemonSettingKey("").count), as: UTF8.self))
                    entry = try cursor.next()
                }
                return names
            }
        }
    }
}
