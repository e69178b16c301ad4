import Index
import SporeJSON

/// list and search: the children of a collection, or the artifacts of the context workspace.
extension ArtifactService {
    /// `list` (a collection's children, or the context workspace's roots) and `search` (the
    /// workspace's artifacts). Unlike Hypha, a listing without a parent shows only what the caller
    /// may read: Hypha's unfiltered workspace search and its listing cache leak private artifacts.
    public func list(_ arguments: ArtifactArguments, actor: ArtifactActor, call: ArtifactQuery.Call, source: ArtifactQuery.Source = .serviceCall)
        throws -> JSONValue
    {
        let parentReference = arguments["parent_id"]
        var parent: ArtifactRecord?
        var candidates: [ArtifactRecord]
        var parentsByID = [String: ArtifactRecord]()
        let context = actor.contextWorkspace
        (parent, candidates) = try store.read { transaction -> (ArtifactRecord?, [ArtifactRecord]) in
            if let parentReference {
                let parent = try resolve(transaction, parentReference, actor: actor)
                return (parent, try store.children(transaction, of: parent.id))
            }
            return (nil, try store.artifacts(transaction, inWorkspace: context))
        }
        var recipientScope: ArtifactQuery.RecipientScope?
        if let parent {
            let grandparent = try self.parent(of: parent)
            guard allows(.list, actor, artifact: parent, parent: grandparent) else { throw ArtifactError.denied(.list) }
            parentsByID[parent.id] = parent
            do {
                recipientScope = try ArtifactQuery.RecipientScope.forCollection(
                    parentConfig: .object(parent.config), callerEmail: actor.caller.email,
                    isWorkspaceAdmin: actor.workspaceAccess(parent.workspace) == .admin
                )
            } catch {
                throw error.artifactError
            }
        } else {
            let missing = Set(candidates.compactMap(\.parentID))
            try store.read { transaction in
                for id in missing { parentsByID[id] = try store.record(transaction, id: id) }
            }
            candidates = candidates.filter { allows(.read, actor, artifact: $0, parent: $0.parentID.flatMap { parentsByID[$0] }) }
        }
        var query: ArtifactQuery
        do {
            query = try ArtifactQuery(
                arguments: arguments.values, source: source, call: call, contextWorkspace: context, recipientScope: recipientScope)
        } catch {
            throw error.artifactError
        }
        if !query.parentFilterReferences.isEmpty {
            query = try query.resolvingParentReferences { reference throws(ArtifactError) -> String in
                do {
                    return try store.read { transaction in
                        try resolve(transaction, .string(reference), actor: actor).qualifiedID
                    }
                } catch let error as ArtifactError {
                    throw error
                } catch {
                    throw ArtifactError.missing(reference)
                }
            }
        }
        let unwritten = counters.snapshot()
        let parentIDs = parentsByID.mapValues(\.qualifiedID)
        let documents = candidates.indices.map { index in
            var document = document(candidates[index], parentID: candidates[index].parentID.flatMap { parentIDs[$0] }, unwritten: unwritten)
            document.ordinal = index
            return document
        }
        let page = query.page(documents)
        let fields = parent?.config["list_fields"]?.arrayValue?.compactMap(\.stringValue)
        let items: [JSONValue] = page.items.map { document in
            let record = candidates[document.ordinal]
            let item = view(record, parent: record.parentID.flatMap { parentsByID[$0] })
            guard let fields, !fields.isEmpty, case .object(let object) = item else { return item }
            return .object(JSONObject(object.pairs.filter { fields.contains($0.key) || $0.key == "id" }))
        }
        if call == .list, let parent, !arguments.flag("silent") { counters.addView(parent.id) }
        guard query.pagination else { return .array(items) }
        return ["items": .array(items), "total": .int(page.total), "offset": .int(page.offset), "limit": .int(page.limit)]
    }

    /// `parentID` is the parent's `ws/alias`.
    func document(_ record: ArtifactRecord, parentID: String?, unwritten: ArtifactCounters.Snapshot) -> ArtifactSearchDocument {
        let pending = unwritten.unwritten(record.id, recordBatch: record.countsBatch)
        return ArtifactSearchDocument(
            internalID: record.id, id: record.qualifiedID, alias: record.alias, workspace: record.workspace, parentID: parentID,
            type: record.type, createdBy: record.createdBy, manifest: record.manifest, config: .object(record.config),
            createdAt: record.createdAtSeconds, lastModified: record.lastModifiedSeconds, downloadCount: record.downloadCount + pending.downloads,
            viewCount: record.viewCount + pending.views, versionCount: record.versions.count, isStaged: record.staging != nil
        )
    }
}
