import Index
import JSONSchema
import SporeJSON

/// commit and discard.
extension ArtifactService {
    public func commit(_ arguments: ArtifactArguments, actor: ArtifactActor) async throws -> JSONValue {
        let version = try arguments.string("version")
        if version == "stage" { throw ArtifactError.assertion("Version cannot be 'stage' when committing.") }
        let comment = try arguments.string("comment")
        let reference = arguments["artifact_id"]
        let (bucket, owner) = (self.bucket, storageOwner)
        let now = nowMilliseconds
        let (record, parent) = try await store.write { [self] transaction -> (ArtifactRecord, ArtifactRecord?) in
            var record = try resolve(transaction, reference, actor: actor)
            let parent = try record.parentID.flatMap { try store.record(transaction, id: $0) }
            try require(.commit, actor, artifact: record, parent: parent)
            guard let staging = record.staging else { throw ArtifactError.assertion("Artifact must be in staging mode to commit.") }
            if let parent, record.versions.isEmpty, !allows(.attach, actor, artifact: nil, parent: parent) {
                throw ArtifactError.permission("User does not have permission to attach artifact to the collection '\(parent.alias)'.")
            }
            // Every staged file must have been uploaded: the object writes keep the count, so this
            // costs nothing per file unless a file is missing and must be named.
            var counters = try store.counters(transaction, id: record.id)
            if counters.pendingUploads > 0 {
                let missing = try store.stagedFiles(transaction, id: record.id, generation: staging.generation).first { !$0.isRemoval && !$0.isUploaded }
                throw ArtifactError(.fileNotFoundError, "File '\(missing?.path ?? "?")' does not exist in the artifact.")
            }
            // A new version leaves the latest behind: it keeps a copy of what it was.
            if staging.intent == .newVersion { record.keepLatestSnapshot() }
            if let manifest = staging.manifest { record.manifest = manifest }
            if let config = staging.config?.objectValue { record.config = config }
            if let type = staging.type { record.type = type.stringValue }
            if let secrets = staging.secrets { record.secrets = secrets }
            var weights = record.config["download_weights"]?.objectValue ?? JSONObject()
            for (path, weight) in staging.weights { weights[path] = weight }
            if staging.intent == .editVersion {
                // In place: removals take effect and the committed copies kept for discard go.
                let slotPrefix = record.slotPrefix(staging.slot)
                for file in try store.stagedFiles(transaction, id: record.id, generation: staging.generation) where file.isRemoval || file.hasBackup {
                    if file.isRemoval {
                        try store.deleteObject(transaction, bucket: bucket, key: slotPrefix + file.path, owner: owner, nowMilliseconds: now)
                        weights[file.path] = nil
                    } else {
                        try store.deleteObject(transaction, bucket: bucket, key: record.backupKey(file.path), owner: owner, nowMilliseconds: now)
                    }
                }
            }
            if !weights.isEmpty || record.config["download_weights"] != nil { record.config["download_weights"] = .object(weights) }
            if let parent, let schema = parent.config["collection_schema"] { try Self.validate(record.manifest, against: schema) }
            if staging.intent == .newVersion || record.versions.isEmpty {
                let name = version ?? "v\(record.versions.count)"
                if record.versions.contains(where: { $0.name == name }) {
                    let names = record.versions.map { "'\($0.name)'" }.joined(separator: ", ")
                    throw ArtifactError.value("Version '\(name)' already exists. Existing versions: [\(names)]")
                }
                guard record.versions.count < ArtifactStoreLimits.versionCountMax else { throw ArtifactError.value("Too many versions.") }
                record.versions.append(ArtifactVersion(name: name, comment: comment, createdAtSeconds: now / 1000, slot: staging.slot))
            } else if let comment {
                record.versions[record.versions.count - 1].comment = comment
            }
            counters = try store.counters(transaction, id: record.id)
            record.fileCount = counters.slotFileCounts[staging.slot] ?? 0
            record.staging = nil
            record.lastModifiedSeconds = now / 1000
            try store.retire(transaction, id: record.id, generation: staging.generation)
            try store.save(transaction, record)
            return (record, parent)
        }
        return view(record, parent: parent)
    }

    /// Undoes what an in-place edit session wrote into the latest version: files it replaced get
    /// their committed copies back, files it added go. Its staged-file entries stay.
    func revertInPlaceEdits(
        _ transaction: borrowing LMDBTransaction, record: ArtifactRecord, staging: ArtifactStaging, bucket: String, owner: String,
        nowMilliseconds now: Int64
    ) throws {
        precondition(staging.intent == .editVersion, "only an in-place edit writes into a committed version")
        let slotPrefix = record.slotPrefix(staging.slot)
        for file in try store.stagedFiles(transaction, id: record.id, generation: staging.generation) where !file.isRemoval {
            if file.hasBackup {
                try store.copyObject(transaction, bucket: bucket, from: record.backupKey(file.path), to: slotPrefix + file.path, nowMilliseconds: now)
                try store.deleteObject(transaction, bucket: bucket, key: record.backupKey(file.path), owner: owner, nowMilliseconds: now)
            } else if file.isUploaded {
                try store.deleteObject(transaction, bucket: bucket, key: slotPrefix + file.path, owner: owner, nowMilliseconds: now)
            }
        }
    }

    /// A child's manifest against its collection's `collection_schema`, with the message and path
    /// Python's `jsonschema` gives (Hypha keeps only the last line of that message; spore keeps
    /// the part that says what is wrong).
    static func validate(_ manifest: JSONValue, against schema: JSONValue) throws {
        let validator: JSONSchema
        do {
            validator = try JSONSchema(schema)
        } catch {
            throw ArtifactError.value("Invalid collection_schema: \(error.message)")
        }
        if let failure = validator.firstFailure(manifest) {
            throw ArtifactError.value("ValidationError: \(failure.message) (at \(failure.jsonPath))")
        }
    }

    public func discard(_ arguments: ArtifactArguments, actor: ArtifactActor) async throws -> JSONValue {
        let (record, parent, released) = try await discardStaging(arguments["artifact_id"], actor: actor)
        if let released { try await releaseFiles(prefix: released) }
        return view(record, parent: parent)
    }

    /// Ends a staging session without committing: a new version's uploads are released; an
    /// in-place edit gets its backed-up files back and loses the files it added.
    func discardStaging(_ reference: JSONValue?, actor: ArtifactActor) async throws -> (ArtifactRecord, ArtifactRecord?, String?) {
        let (bucket, owner) = (self.bucket, storageOwner)
        let now = nowMilliseconds
        return try await store.write { [self] transaction -> (ArtifactRecord, ArtifactRecord?, String?) in
            var record = try resolve(transaction, reference, actor: actor)
            let parent = try record.parentID.flatMap { try store.record(transaction, id: $0) }
            try require(.edit, actor, artifact: record, parent: parent)
            guard let staging = record.staging else {
                throw ArtifactError.value("No staged changes to discard. Artifact is not in staging mode.")
            }
            var released: String?
            if staging.intent == .newVersion {
                released = record.slotPrefix(staging.slot)
            } else {
                try revertInPlaceEdits(transaction, record: record, staging: staging, bucket: bucket, owner: owner, nowMilliseconds: now)
            }
            try store.retire(transaction, id: record.id, generation: staging.generation)
            var counters = try store.counters(transaction, id: record.id)
            counters.pendingUploads = 0
            try store.saveCounters(transaction, id: record.id, counters)
            record.staging = nil
            try store.save(transaction, record)
            return (record, parent, released)
        }
    }

    public func discardChanges(_ arguments: ArtifactArguments, actor: ArtifactActor) async throws -> JSONValue {
        let (record, parent) = try resolve(arguments["artifact_id"], actor: actor)
        try require(.discardChanges, actor, artifact: record, parent: parent)
        guard record.staging != nil else { return ["status": "nothing_to_discard"] }
        let (_, _, released) = try await discardStaging(arguments["artifact_id"], actor: actor)
        if let released { try await releaseFiles(prefix: released) }
        return ["status": "discarded", "branch": "all"]
    }

    public func status(_ arguments: ArtifactArguments, actor: ArtifactActor) throws -> JSONValue {
        let (record, parent) = try resolve(arguments["artifact_id"], actor: actor)
        guard allows(.getStatus, actor, artifact: record, parent: parent) || allows(.getFile, actor, artifact: record, parent: parent) else {
            throw ArtifactError.denied(.getFile)
        }
        guard let staging = record.staging else { return ["staged": false] }
        let files = try store.read { transaction in try store.stagedFiles(transaction, id: record.id, generation: staging.generation) }
        return ["staged": true, "files": .array(files.map { .string($0.path) })]
    }
}

extension ArtifactRecord {
    /// Where an in-place edit keeps the committed copy of a file it replaces, until commit or discard.
    func backupKey(_ path: String) -> String { storagePrefix + ".stage_backup/" + path }
}
