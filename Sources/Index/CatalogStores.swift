/// What the stores over the catalog's one LMDB environment and one writer share: each store owns
/// its databases and its records' rules; a store's operation is one transaction, and stores join
/// each other's transactions through their `transaction`-taking functions.
protocol CatalogStore: Sendable {
    var catalog: Catalog { get }
}

extension CatalogStore {
    var databases: Catalog.Databases { catalog.databases }
    var writer: IndexWriter { catalog.writer }

    func read<Result>(_ body: (borrowing LMDBTransaction) throws -> Result) throws -> Result { try catalog.read(body) }

    func allocateID(_ transaction: borrowing LMDBTransaction) throws -> UInt64 { try catalog.allocateID(transaction) }
}

/// Buckets: their records, settings (policy, CORS, lifecycle, tags …) and versioning state.
public struct BucketStore: CatalogStore {
    let catalog: Catalog
}

/// Objects: versions, the current version of each key, listings, deletes, tags, copies.
public struct ObjectStore: CatalogStore {
    let catalog: Catalog
}

/// Multipart uploads and their parts.
public struct UploadStore: CatalogStore {
    let catalog: Catalog
}

extension Catalog {
    public var buckets: BucketStore { BucketStore(catalog: self) }
    public var objects: ObjectStore { ObjectStore(catalog: self) }
    public var uploads: UploadStore { UploadStore(catalog: self) }
}
