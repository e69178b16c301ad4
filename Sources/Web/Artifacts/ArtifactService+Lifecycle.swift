import Index
import JSONSchema
import SporeJSON

/// create, read, edit, delete.
extension ArtifactService {
    // MARK: create

    /// `workspace` stands for the keyword HTTP callers cannot pass (duplicate uses it).
    public func create(_ arguments: ArtifactArguments, actor: ArtifactActor, workspace explicitWorkspace: String? = nil) async throws -> JSONValue {
        let artifactID = try arguments.string("artifact_id")
        let aliasArgument = try arguments.string("alias")
        if artifactID != nil, aliasArgument != nil {
            throw ArtifactError.value(
                "Cannot specify both artifact_id and alias/workspace. Use either artifact_id='workspace/alias' or alias='alias' + workspace='workspace'."
            )
        }
        var workspace: String? = explicitWorkspace
        var alias: String?
        if let artifactID {
            let parts = artifactID.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else {
                if parts.count > 2 { throw ArtifactError.assertion("Invalid artifact ID format, it should be `workspace/alias`.") }
                throw ArtifactError.value("artifact_id must be in format 'workspace/alias'. Got '\(artifactID)'")
            }
            (workspace, alias) = (parts[0], parts[1])
        } else if let aliasArgument {
            let parts = aliasArgument.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            switch parts.count {
            case 1: alias = aliasArgument
            case 2: (workspace, alias) = (parts[0], parts[1])
            default: throw ArtifactError.value("too many values to unpack (expected 2)")
            }
        }
        guard let manifest = arguments["manifest"] else { throw ArtifactError.value("manifest is required") }
        guard manifest.objectValue != nil else { throw ArtifactError(.typeError, "manifest must be a dict") }
        try Self.checkSize(manifest, name: "manifest")
        let type: String? = arguments.values["type"].map { $0.stringValue } ?? "generic"
        if type == "generic" { try Self.checkCard(manifest) }
        let givenConfig = try arguments.object("config") ?? JSONObject()
        try Self.checkSize(.object(givenConfig), name: "config")
        _ = try Self.validatedPermissions(givenConfig)
        if let schema = givenConfig["collection_schema"] {
            do {
                _ = try JSONSchema(schema)
            } catch {
                throw ArtifactError.value("Invalid collection_schema: \(error.message)")
            }
        }
        let secrets = try arguments.object("secrets") ?? JSONObject()
        let versionArgument = arguments["version"]
        let stage = arguments.flag("stage") || versionArgument?.stringValue == "stage"
        let versionName = versionArgument?.stringValue.flatMap { ["new", "stage"].contains($0) ? nil : $0 } ?? "v0"
        let comment = try arguments.string("comment")
        let overwrite = arguments.flag("overwrite")
        let parentReference = arguments["parent_id"]
        let now = nowSeconds
        let creator = actor.userID
        if let alias { try ArtifactAlias.validate(alias) }
        let newID = makeID()
        let (workspaceArgument, aliasPattern) = (workspace, alias)
        let makeUUID: @Sendable () -> String = { [self] in makeID() }
        let readable = (0..<ArtifactAlias.generationAttemptMax).map { _ in ArtifactAlias.readable() }

        let (record, parent, replaced) = try await store.write { [self] transaction -> (ArtifactRecord, ArtifactRecord?, ArtifactRecord?) in
            var parent: ArtifactRecord?
            if let parentReference {
                parent = try resolve(transaction, parentReference, actor: actor)
            }
            let target = workspaceArgument ?? parent?.workspace ?? actor.contextWorkspace
            if let parent {
                guard allows(.list, actor, artifact: parent, parent: nil) || allows(stage ? .draft : .attach, actor, artifact: nil, parent: parent)
                else {
                    throw ArtifactError.denied(.list)
                }
                if stage, !allows(.draft, actor, artifact: nil, parent: parent) {
                    throw ArtifactError.permission("User does not have permission to create a draft in the collection '\(parent.alias)'.")
                }
                if !stage, !allows(.attach, actor, artifact: nil, parent: parent) {
                    throw ArtifactError.permission("User does not have permission to attach an artifact to the collection '\(parent.alias)'.")
                }
            } else {
                // Checked whatever named the workspace: Hypha checks it only for the context workspace.
                guard let access = actor.workspaceAccess(target), access >= .readWrite else {
                    throw ArtifactError.permission("User does not have permission to create an orphan artifact in the workspace '\(target)'.")
                }
            }
            var chosen: String
            if let aliasPattern {
                let idParts = parent?.config["id_parts"]?.objectValue
                chosen = ArtifactAlias.expand(aliasPattern, userID: creator, nowSeconds: now, idParts: idParts, makeUUID7: makeUUID)
            } else {
                guard let free = try readable.first(where: { try store.id(transaction, workspace: target, alias: $0) == nil }) else {
                    throw ArtifactError.value("Could not generate a unique alias; please give one.")
                }
                chosen = free
            }
            let existing = try store.record(transaction, workspace: target, alias: chosen)
            if let existing {
                guard overwrite else {
                    throw ArtifactError(
                        .fileExistsError,
                        "Artifact with alias '\(chosen)' already exists, please choose a different alias or remove the existing artifact (ID: \(existing.qualifiedID))."
                    )
                }
                guard allows(.edit, actor, artifact: existing, parent: parent) else { throw ArtifactError.denied(.edit) }
                let children = try store.childCount(transaction, of: existing.id)
                if children > 0 {
                    throw ArtifactError.value(
                        "Cannot overwrite artifact '\(existing.qualifiedID)' as it has \(children) child artifacts. Remove the children first or use a different alias."
                    )
                }
            }
            var record = ArtifactRecord(id: existing?.id ?? newID, workspace: target, alias: chosen, createdAtSeconds: now, createdBy: creator)
            record.parentID = parent?.id
            record.type = type
            record.manifest = manifest
            var config = givenConfig
            var permissions = config["permissions"]?.objectValue ?? JSONObject()
            permissions[creator] = "*"
            config["permissions"] = .object(permissions)
            if type == "collection" { config["is_collection"] = true }
            record.config = config
            record.secrets = secrets
            // Slots are never reused, not even by an overwrite under the same id.
            record.nextSlot = existing?.nextSlot ?? 0
            record.nextGeneration = existing?.nextGeneration ?? 1
            if stage {
                var staging = ArtifactStaging(intent: .newVersion, slot: record.allocateSlot(), generation: record.allocateGeneration())
                staging.manifest = manifest
                record.staging = staging
            } else {
                record.versions = [
                    ArtifactVersion(
                        name: versionName, comment: comment ?? "Initial version", createdAtSeconds: now, slot: record.allocateSlot()
                    )
                ]
            }
            // Hypha validates children only at commit, so a child created committed skipped the
            // collection's schema there; spore validates it here.
            if !stage, let parent, let schema = parent.config["collection_schema"] { try Self.validate(manifest, against: schema) }
            if let existing {
                let slotCounts = try store.counters(transaction, id: existing.id).slotFileCounts
                try store.remove(transaction, existing)
                // The old files are released after this commit; their slots' counts go with them.
                var counters = ArtifactFileCounters()
                counters.slotFileCounts = slotCounts
                try store.saveCounters(transaction, id: existing.id, counters)
            }
            try store.insert(transaction, record)
            if var updated = parent, updated.config["is_collection"] != .bool(true) {
                updated.config["is_collection"] = true
                try store.save(transaction, updated)
                parent = updated
            }
            return (record, parent, existing)
        }
        if let replaced { try await releaseFiles(prefix: replaced.storagePrefix) }
        return view(record, parent: parent, stage: record.staging != nil)
    }

    /// Hypha's pydantic card model for `generic` artifacts: `name` and `description` are strings.
    static func checkCard(_ manifest: JSONValue) throws {
        for field in ["name", "description"] {
            if let value = manifest[field], !value.isNull, value.stringValue == nil {
                throw ArtifactError(
                    .pydanticValidationError, "For further information visit https://errors.pydantic.dev/2.14/v/string_type", showsType: false)
            }
        }
    }

    static func checkSize(_ value: JSONValue, name: String) throws {
        guard value.jsonBytes.count <= ArtifactStoreLimits.documentByteCountMax else {
            throw ArtifactError.value("\(name) is larger than \(ArtifactStoreLimits.documentByteCountMax) bytes")
        }
    }

    static func validatedPermissions(_ config: JSONObject) throws -> ArtifactPermissions {
        do {
            return try ArtifactPermissions(validating: config["permissions"])
        } catch {
            throw ArtifactError.value(error.message)
        }
    }

    // MARK: read

    public func read(_ arguments: ArtifactArguments, actor: ArtifactActor) throws -> JSONValue {
        let stage = arguments.flag("stage") || arguments["version"]?.stringValue == "stage"
        let (record, parent) = try resolve(arguments["artifact_id"], actor: actor)
        try require(.read, actor, artifact: record, parent: parent)
        let answer = try render(record, parent: parent, version: arguments["version"], stage: stage, countView: !arguments.flag("silent"))
        guard arguments.flag("include_metadata"), case .object(var object) = answer, case .object(var manifest)? = object["manifest"] else {
            return answer
        }
        // The seed document's `include_metadata` (Hypha 0.21.137 refuses the keyword): statistics
        // as manifest fields starting with ".", for clients that only look at the manifest.
        for name in ["download_count", "view_count", "file_count"] {
            if let value = object[name] { manifest["." + name] = value }
        }
        object["manifest"] = .object(manifest)
        return .object(object)
    }

    /// The read answer: a version's manifest and config when one is named, the staged ones with
    /// `stage`, with the child count of collections.
    func render(_ record: ArtifactRecord, parent: ArtifactRecord?, version: JSONValue?, stage: Bool, countView: Bool) throws -> JSONValue {
        var shown = record
        if stage {
            _ = try readSlot(record, version: version, stage: true)
        } else if let version, !version.isNull, version.stringValue != "latest" || !record.versions.isEmpty {
            let index = try versionIndex(record, version)
            // The latest version's manifest and config are the artifact's own; older ones keep a copy.
            if index < record.versions.count - 1 {
                if let manifest = record.versions[index].manifest { shown.manifest = manifest }
                if let config = record.versions[index].config { shown.config = config }
            }
        }
        let (children, staged) = try store.read { transaction in
            (
                try store.childCount(transaction, of: record.id),
                stage ? try store.stagedFiles(transaction, id: record.id, generation: record.staging?.generation ?? 0) : []
            )
        }
        if countView { counters.addView(record.id) }
        return view(shown, parent: parent, stage: stage, staged: staged, childCount: children)
    }

    // MARK: edit

    public func edit(_ arguments: ArtifactArguments, actor: ArtifactActor) async throws -> JSONValue {
        let version = try arguments.string("version")
        if let version, version != "new", version != "stage" {
            throw ArtifactError(.valueError, "Historical versions cannot be edited directly.", showsType: false)
        }
        let stage = arguments.flag("stage") || version == "stage"
        let manifest = arguments["manifest"]
        if let manifest {
            guard manifest.objectValue != nil else { throw ArtifactError(.typeError, "manifest must be a dict") }
            try Self.checkSize(manifest, name: "manifest")
        }
        let config = try arguments.object("config")
        if let config {
            try Self.checkSize(.object(config), name: "config")
            _ = try Self.validatedPermissions(config)
        }
        let type = try arguments.string("type")
        let secrets = try arguments.object("secrets")
        let comment = try arguments.string("comment")
        let reference = arguments["artifact_id"]
        let now = nowSeconds
        let (record, parent, staged) = try await store.write { [self] transaction -> (ArtifactRecord, ArtifactRecord?, [StagedFile]) in
            var record = try resolve(transaction, reference, actor: actor)
            let parent = try record.parentID.flatMap { try store.record(transaction, id: $0) }
            /// On a child the editor stays `*`, so whoever edits keeps access to what they edit.
            // Hypha 0.21.137 drops the editor from a root artifact's config; spore keeps them.
            func withEditor(_ config: JSONObject) -> JSONObject {
                var config = config
                var permissions = config["permissions"]?.objectValue ?? JSONObject()
                permissions[actor.userID] = "*"
                config["permissions"] = .object(permissions)
                return config
            }
            if stage {
                try require(.edit, actor, artifact: record, parent: parent)
                var staging: ArtifactStaging
                if let open = record.staging {
                    staging = open
                    if version == "new", open.intent == .editVersion {
                        // The session becomes a new version: what it wrote into the latest version
                        // is undone, and its files must be uploaded again, into the new (empty) slot.
                        try revertInPlaceEdits(
                            transaction, record: record, staging: open, bucket: bucket, owner: storageOwner, nowMilliseconds: nowMilliseconds)
                        staging.intent = .newVersion
                        staging.slot = record.allocateSlot()
                        var pending = 0
                        for var file in try store.stagedFiles(transaction, id: record.id, generation: open.generation) where !file.isRemoval {
                            if file.isUploaded || file.hasBackup {
                                file.isUploaded = false
                                file.hasBackup = false
                                try store.putStagedFile(transaction, id: record.id, generation: open.generation, file)
                            }
                            pending += 1
                        }
                        var counters = try store.counters(transaction, id: record.id)
                        counters.pendingUploads = pending
                        try store.saveCounters(transaction, id: record.id, counters)
                    }
                } else {
                    let isNew = version == "new" || record.versions.isEmpty
                    staging = ArtifactStaging(
                        intent: isNew ? .newVersion : .editVersion,
                        slot: isNew ? record.allocateSlot() : record.versions[record.versions.count - 1].slot,
                        generation: record.allocateGeneration()
                    )
                }
                if let manifest { staging.manifest = manifest }
                if let config { staging.config = .object(withEditor(config)) }
                if let type { staging.type = .string(type) }
                if let secrets { staging.secrets = secrets }
                record.staging = staging
            } else {
                try require(.edit, actor, artifact: record, parent: parent)
                try require(.commit, actor, artifact: record, parent: parent)
                if let parent, !record.versions.isEmpty, !allows(.mutate, actor, artifact: nil, parent: parent) {
                    throw ArtifactError.permission(
                        "Collection '\(parent.alias)' does not allow modification of committed versions (no mutate permission)."
                    )
                }
                if version == "new" { record.keepLatestSnapshot() }
                if let manifest { record.manifest = manifest }
                if let type { record.type = type }
                if let config {
                    var updated = withEditor(config)
                    if record.config["is_collection"] == .bool(true), updated["is_collection"] == nil { updated["is_collection"] = true }
                    record.config = updated
                }
                if let secrets { record.secrets = secrets }
                if version == "new" {
                    guard record.versions.count < ArtifactStoreLimits.versionCountMax else { throw ArtifactError.value("Too many versions.") }
                    record.versions.append(
                        ArtifactVersion(name: "v\(record.versions.count)", comment: comment, createdAtSeconds: now, slot: record.allocateSlot())
                    )
                    record.fileCount = 0
                }
                record.lastModifiedSeconds = now
            }
            try store.save(transaction, record)
            let staged = stage ? try store.stagedFiles(transaction, id: record.id, generation: record.staging?.generation ?? 0) : []
            return (record, parent, staged)
        }
        var answer = view(record, parent: parent, stage: stage, staged: staged)
        // A staged edit answers with the committed manifest and the staging list.
        if stage, case .object(var object) = answer {
            object["manifest"] = record.manifest
            if let type = record.type { object["type"] = .string(type) } else { object["type"] = .null }
            object["config"] = .object(record.config)
            answer = .object(object)
        }
        return answer
    }

    // MARK: delete

    public func delete(_ arguments: ArtifactArguments, actor: ArtifactActor) async throws -> JSONValue {
        let reference = arguments["artifact_id"]
        let version = arguments["version"]
        let recursive = arguments.flag("recursive")
        let now = nowMilliseconds
        let (released, removedIDs) = try await store.write { [self] transaction -> ([String], [String]) in
            var record = try resolve(transaction, reference, actor: actor)
            let parent = try record.parentID.flatMap { try store.record(transaction, id: $0) }
            try requireDelete(record, parent: parent, actor: actor)
            if let version {
                if version.stringValue == "stage" {
                    if record.staging == nil { throw ArtifactError.value("Cannot delete staged version. The artifact is not in staging mode.") }
                    throw ArtifactError.value(
                        "Cannot delete staged version. The artifact is in staging mode. Use discard() to discard the staged changes instead."
                    )
                }
                let index: Int
                do {
                    index = try versionIndex(record, version)
                } catch {
                    let names = record.versions.map { "'\($0.name)'" }.joined(separator: ", ")
                    throw ArtifactError.value("Version '\(version.stringValue ?? version.jsonText)' does not exist. Available versions: [\(names)]")
                }
                let removed = record.versions.remove(at: index)
                if index == record.versions.count, let latest = record.versions.last {
                    // The new latest version's manifest and config become the artifact's again.
                    if let manifest = latest.manifest { record.manifest = manifest }
                    if let config = latest.config { record.config = config }
                    record.versions[record.versions.count - 1].manifest = nil
                    record.versions[record.versions.count - 1].config = nil
                    record.fileCount = try store.counters(transaction, id: record.id).slotFileCounts[latest.slot] ?? 0
                }
                record.lastModifiedSeconds = now / 1000
                try store.save(transaction, record)
                return ([record.slotPrefix(removed.slot)], [])
            }
            if !recursive, let parent, !allows(.detach, actor, artifact: nil, parent: parent), !isRecipient(record, parent: parent, actor: actor) {
                throw ArtifactError.permission("User does not have permission to detach artifacts from the collection '\(parent.alias)'.")
            }
            var removedIDs = [String]()
            let prefixes = try removeArtifact(transaction, record, recursive: recursive, actor: actor, depth: 0, removedIDs: &removedIDs)
            return (prefixes, removedIDs)
        }
        // Pending counts are dropped only once the records are gone for good (a failed delete keeps them).
        for id in removedIDs { counters.forget(id) }
        for prefix in released { try await releaseFiles(prefix: prefix) }
        return .null
    }

    func requireDelete(_ record: ArtifactRecord, parent: ArtifactRecord?, actor: ArtifactActor) throws {
        if allows(.delete, actor, artifact: record, parent: parent) { return }
        if let parent, isRecipient(record, parent: parent, actor: actor) { return }
        throw ArtifactError.denied(.delete)
    }

    /// `recipient_can_delete` with `recipient_field`: the child's addressee may delete it.
    func isRecipient(_ record: ArtifactRecord, parent: ArtifactRecord, actor: ArtifactActor) -> Bool {
        guard parent.config["recipient_can_delete"]?.boolValue == true, let field = parent.config["recipient_field"]?.stringValue,
            let email = actor.caller.email, !email.isEmpty
        else { return false }
        return record.manifest.value(atPath: field)?.stringValue == email
    }

    /// Removes a record (and with `recursive` its descendants; without, its children become roots)
    /// in the caller's transaction; answers the prefixes whose files are to be released, and adds the
    /// removed internal ids to `removedIDs`.
    func removeArtifact(
        _ transaction: borrowing LMDBTransaction, _ record: ArtifactRecord, recursive: Bool, actor: ArtifactActor, depth: Int,
        removedIDs: inout [String]
    ) throws -> [String] {
        guard depth < ArtifactStoreLimits.collectionDepthMax else { throw ArtifactError.value("Collections are nested too deeply to delete.") }
        var prefixes = [record.storagePrefix]
        for var child in try store.children(transaction, of: record.id) {
            if recursive {
                try requireDelete(child, parent: record, actor: actor)
                prefixes += try removeArtifact(transaction, child, recursive: true, actor: actor, depth: depth + 1, removedIDs: &removedIDs)
            } else {
                child.parentID = nil
                try store.save(transaction, child)
            }
        }
        try store.remove(transaction, record)
        removedIDs.append(record.id)
        return prefixes
    }

    /// Deletes the objects under `prefix`, a batch per commit, so a huge artifact never makes one
    /// enormous transaction. A crash midway leaves objects of a gone artifact, which fsck reports.
    func releaseFiles(prefix: String) async throws {
        _ = try await store.releaseObjects(
            bucket: bucket, prefix: prefix, owner: storageOwner, nowMilliseconds: nowMilliseconds,
            batchCountMax: ArtifactStoreLimits.fileDeleteBatchCountMax
        )
    }

}
