import Index
import SporeJSON

/// duplicate and set_parent.
extension ArtifactService {
    /// A copy of an artifact's latest version, files included, under a new alias (in another
    /// workspace or collection if asked). No byte is copied: the copy's files refer to the same
    /// blobs. Staged with `stage=True`, else committed as `v0`, as in Hypha.
    public func duplicate(_ arguments: ArtifactArguments, actor: ArtifactActor) async throws -> JSONValue {
        let sourceReference = arguments["source_artifact_id"]
        let (source, sourceParent) = try resolve(sourceReference, actor: actor)
        try require(.read, actor, artifact: source, parent: sourceParent)
        guard let latest = source.versions.last else {
            throw ArtifactError.value("Source artifact '\(source.qualifiedID)' must be committed before it can be duplicated.")
        }
        var targetWorkspace = try arguments.string("target_workspace") ?? source.workspace
        var parentReference: JSONValue?
        if let parent = arguments["target_parent_id"] {
            let (target, _) = try resolve(parent, actor: actor)
            if let explicit = try arguments.string("target_workspace"), explicit != target.workspace {
                throw ArtifactError.value("Target workspace must match the parent artifact's workspace.")
            }
            targetWorkspace = target.workspace
            parentReference = .string(target.qualifiedID)
        }
        var config = source.config
        config["zenodo"] = nil
        config["id_parts"] = nil
        config["download_weights"] = source.config["download_weights"]
        var manifest = source.manifest
        if arguments.flag("remove_secrets", default: true), case .object(var object) = manifest {
            object["secrets"] = nil
            manifest = .object(object)
        }
        var createArguments: JSONObject = [
            "manifest": manifest, "config": .object(config), "type": .optional(source.type), "overwrite": .bool(arguments.flag("overwrite")),
            "stage": true,
        ]
        // Without a target alias the copy gets a readable one, as create gives.
        if let alias = try arguments.string("target_alias") {
            createArguments["alias"] = .string(alias.contains("/") ? alias : "\(targetWorkspace)/\(alias)")
        }
        if let parentReference { createArguments["parent_id"] = parentReference }
        let created = try await create(ArtifactArguments(createArguments), actor: actor, workspace: targetWorkspace)
        guard let newID = created["_id"]?.stringValue else { throw ArtifactError.value("The copy could not be created.") }
        let (bucket, now) = (self.bucket, nowMilliseconds)
        let sourcePrefix = source.slotPrefix(latest.slot)
        try await store.write { [store] transaction in
            guard var copy = try store.record(transaction, id: newID), let staging = copy.staging else { return }
            let files = try store.objects(
                transaction, bucket: bucket, prefix: sourcePrefix, nowMilliseconds: now, limit: ArtifactStoreLimits.versionFileCountMax
            )
            for file in files {
                try store.copyObject(transaction, bucket: bucket, from: sourcePrefix + file.path, to: copy.slotPrefix(staging.slot) + file.path, nowMilliseconds: now)
            }
            copy.fileCount = files.count
            try store.save(transaction, copy)
        }
        let copyReference = JSONValue.string(newID)
        if arguments.flag("stage") {
            return try read(ArtifactArguments(["artifact_id": copyReference, "version": "stage"]), actor: actor)
        }
        _ = try await commit(ArtifactArguments(["artifact_id": copyReference]), actor: actor)
        return try read(ArtifactArguments(["artifact_id": copyReference]), actor: actor)
    }

    /// Moves an artifact into a collection of the same workspace, or out of its collection.
    public func setParent(_ arguments: ArtifactArguments, actor: ArtifactActor) async throws -> JSONValue {
        let reference = arguments["artifact_id"]
        let newParentReference = arguments["new_parent_id"]
        let now = nowSeconds
        let (record, parent) = try await store.write { [self] transaction -> (ArtifactRecord, ArtifactRecord?) in
            var record = try resolve(transaction, reference, actor: actor)
            let oldParent = try record.parentID.flatMap { try store.record(transaction, id: $0) }
            guard allows(.read, actor, artifact: record, parent: oldParent) else { throw ArtifactError.denied(.read) }
            if let oldParent, !ArtifactAccess.grants(ArtifactPermissions(config: .object(oldParent.config)), .detach, to: actor.caller),
                actor.workspaceAccess(record.workspace).map({ $0 < .admin }) ?? true
            {
                throw ArtifactError.permission("User does not have permission to detach artifact from the collection '\(oldParent.alias)'.")
            }
            var newParent: ArtifactRecord?
            if let newParentReference {
                var target = try resolve(transaction, newParentReference, actor: actor)
                let targetParent = try target.parentID.flatMap { try store.record(transaction, id: $0) }
                guard allows(.read, actor, artifact: target, parent: targetParent) else { throw ArtifactError.denied(.read) }
                if !ArtifactAccess.grants(ArtifactPermissions(config: .object(target.config)), .attach, to: actor.caller),
                    actor.workspaceAccess(record.workspace).map({ $0 < .readWrite }) ?? true
                {
                    throw ArtifactError.permission("User does not have permission to attach artifact to the collection '\(target.alias)'.")
                }
                guard target.workspace == record.workspace else {
                    throw ArtifactError.value(
                        "Cannot move artifact to a different workspace. Artifact is in '\(record.workspace)' but parent is in '\(target.workspace)'"
                    )
                }
                guard target.id != record.id else { throw ArtifactError.value("An artifact cannot be its own parent") }
                var ancestor = target.parentID
                var depth = 0
                while let current = ancestor, depth < ArtifactStoreLimits.collectionDepthMax {
                    if current == record.id { throw ArtifactError.value("Cannot set parent: this would create a circular dependency") }
                    ancestor = try store.record(transaction, id: current)?.parentID
                    depth += 1
                }
                if target.config["is_collection"] != .bool(true) {
                    target.config["is_collection"] = true
                    try store.save(transaction, target)
                }
                record.parentID = target.id
                newParent = target
            } else {
                guard let access = actor.workspaceAccess(record.workspace), access >= .readWrite else {
                    throw ArtifactError.permission("User does not have permission to create orphan artifacts in workspace '\(record.workspace)'")
                }
                record.parentID = nil
            }
            record.lastModifiedSeconds = now
            try store.save(transaction, record)
            return (record, newParent)
        }
        return view(record, parent: parent)
    }
}
