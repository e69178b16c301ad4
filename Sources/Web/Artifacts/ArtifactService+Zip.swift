import Index
import SporeJSON

/// The files an artifact's zip routes read.
extension ArtifactService {
    /// A file of an artifact version with the object that holds it.
    public struct StoredFile: Sendable {
        public let path: String
        public let key: String
        public let version: ObjectVersion
    }

    /// The files of `create-zip-file`: those named by `files` (all of the version when empty), in
    /// path order, and the download weight one whole archive adds (`download_weights
    /// ["create-zip-file"]` when set, else the sum of the files' weights). At most `limit` files are
    /// read for a whole version: the caller passes one more than it can serve, to refuse bigger ones.
    public func zipFiles(_ arguments: ArtifactArguments, files: [String], limit: Int, actor: ArtifactActor) throws -> (
        record: ArtifactRecord, files: [StoredFile], weight: Double
    ) {
        let (record, parent) = try resolve(arguments["artifact_id"], actor: actor)
        try require(.getFile, actor, artifact: record, parent: parent)
        let slot = try readSlot(record, version: arguments["version"], stage: arguments.flag("stage"))
        let prefix = record.slotPrefix(slot)
        let now = nowMilliseconds
        let wanted = try files.map(Self.checkedPath)
        let selected: [(path: String, version: ObjectVersion)] = try store.read { transaction in
            guard !wanted.isEmpty else {
                return try store.objects(transaction, bucket: bucket, prefix: prefix, nowMilliseconds: now, limit: limit).map { ($0.path, $0.version) }
            }
            // Named files are looked up one by one: the version may hold far more than were asked for.
            return try wanted.map { path in
                guard let version = try store.objectVersion(transaction, bucket: bucket, key: prefix + path, nowMilliseconds: now) else {
                    throw ArtifactError(.fileNotFoundError, "File '\(path)' does not exist in the artifact.")
                }
                return (path, version)
            }
        }
        let weights = record.config["download_weights"]?.objectValue
        let weight = weights?["create-zip-file"]?.doubleValue ?? selected.reduce(0) { $0 + (weights?[$1.path]?.doubleValue ?? 0) }
        return (record, selected.map { StoredFile(path: $0.path, key: prefix + $0.path, version: $0.version) }, weight)
    }

    /// The stored zip an artifact's `zip-files` route opens.
    public func zipArchive(_ arguments: ArtifactArguments, path: String, actor: ArtifactActor) throws -> (record: ArtifactRecord, key: String, version: ObjectVersion?) {
        let found = try file(arguments, path: path, actor: actor)
        return (found.record, found.key, found.version)
    }
}
