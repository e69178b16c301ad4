import BlobStore
import Foundation
import Index
import Objects
import SporeJSON

/// Signs the URLs artifact files are uploaded to and downloaded from (the faces know how clients
/// reach spore's S3 API; the domain does not).
public protocol ArtifactURLSigner: Sendable {
    func presign(method: String, key: String, expiresSeconds: Int, useProxy: Bool?) throws -> String
    func presignPart(key: String, uploadID: String, partNumber: Int, expiresSeconds: Int, useProxy: Bool?) throws -> String
}

/// The artifact manager: every artifact function of Hypha's, over the artifact store (records,
/// staging, versions) and the object service (file bytes, in the workspace bucket under
/// `{ws}/artifacts/{id}/v{slot}/…`). Each function checks permissions with `ArtifactAccess` and
/// changes the index in one transaction, so an error (or a crash) leaves the artifact as it was.
public final class ArtifactService: Sendable {
    let catalog: Catalog
    let objects: ObjectService
    let bucket: String
    let storageOwner: String
    let signer: any ArtifactURLSigner
    public let counters: ArtifactCounters

    public init(objects: ObjectService, bucket: String, storageOwner: String, signer: any ArtifactURLSigner) {
        self.catalog = objects.catalog
        self.objects = objects
        self.bucket = bucket
        self.storageOwner = storageOwner
        self.signer = signer
        self.counters = ArtifactCounters(store: objects.catalog.artifacts, firstBatch: UInt64(max(0, objects.clock.nowMilliseconds())))
        objects.catalog.artifacts.attach(bucket: bucket)
    }

    var store: ArtifactStore { catalog.artifacts }
    var nowMilliseconds: Int64 { objects.clock.nowMilliseconds() }
    var nowSeconds: Int64 { nowMilliseconds / 1000 }

    // MARK: Identifiers

    /// A uuid7: 48 bits of Unix milliseconds then random bits, so ids sort in creation order.
    func makeID() -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        let milliseconds = UInt64(max(0, nowMilliseconds))
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        var random = SystemRandomNumberGenerator()
        for index in 6..<16 { bytes[index] = UInt8.random(in: 0...255, using: &random) }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        let hex = Hex.encode(bytes)
        let characters = Array(hex)
        return String(characters[0..<8]) + "-" + String(characters[8..<12]) + "-" + String(characters[12..<16]) + "-"
            + String(characters[16..<20]) + "-" + String(characters[20..<32])
    }

    static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                let isHex =
                    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
                guard isHex else { return false }
            }
        }
        return true
    }

    /// `_validate_artifact_id`: a uuid, `ws/alias`, or a bare alias in the context workspace.
    func reference(_ value: JSONValue?, actor: ArtifactActor) throws -> (workspace: String?, alias: String) {
        guard let text = value?.stringValue else { throw ArtifactError.assertion("Artifact ID must be a string.") }
        if Self.isUUID(text) { return (nil, text.lowercased()) }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return (actor.contextWorkspace, text)
        case 2: return (String(parts[0]), String(parts[1]))
        default: throw ArtifactError.assertion("Invalid artifact ID format, it should be `workspace/alias`.")
        }
    }

    /// The record an `artifact_id` names, or Hypha's KeyError.
    func resolve(_ transaction: borrowing LMDBTransaction, _ value: JSONValue?, actor: ArtifactActor) throws -> ArtifactRecord {
        let (workspace, alias) = try reference(value, actor: actor)
        let found: ArtifactRecord?
        if let workspace {
            found = try store.record(transaction, workspace: workspace, alias: alias)
        } else {
            found = try store.record(transaction, id: alias)
        }
        guard let found else { throw ArtifactError.missing(workspace.map { "\($0)/\(alias)" } ?? alias) }
        return found
    }

    func resolve(_ value: JSONValue?, actor: ArtifactActor) throws -> (ArtifactRecord, ArtifactRecord?) {
        try store.read { transaction in
            let record = try resolve(transaction, value, actor: actor)
            let parent = try record.parentID.flatMap { try store.record(transaction, id: $0) }
            return (record, parent)
        }
    }

    // MARK: Permissions

    func subject(_ record: ArtifactRecord?) -> ArtifactAccessSubject? {
        record.map { ArtifactAccessSubject(workspace: $0.workspace, config: .object($0.config)) }
    }

    func allows(_ op: ArtifactOperation, _ actor: ArtifactActor, artifact: ArtifactRecord?, parent: ArtifactRecord?) -> Bool {
        let workspace = (artifact ?? parent)?.workspace
        return ArtifactAccess.allows(
            op, caller: actor.caller, artifact: subject(artifact), parent: subject(parent),
            workspaceAccess: workspace.flatMap { actor.workspaceAccess($0) }
        )
    }

    func require(_ op: ArtifactOperation, _ actor: ArtifactActor, artifact: ArtifactRecord, parent: ArtifactRecord?) throws {
        guard allows(op, actor, artifact: artifact, parent: parent) else { throw ArtifactError.denied(op) }
    }

    /// Before a token is minted with a `get_file:`/`put_file:` scope: a scope delegates the
    /// caller's own right, so the artifact it names must exist and the caller must hold `op` on it
    /// now. Otherwise anyone could mint a token for anyone's files.
    public func requireDelegable(_ op: ArtifactOperation, artifact reference: String, actor: ArtifactActor) throws {
        let (record, parent) = try resolve(.string(reference), actor: actor)
        try require(op, actor, artifact: record, parent: parent)
    }

    /// Operations no permission code grants: only the caller's workspace permission counts.
    func requireWorkspace(_ level: WorkspaceAccess, _ actor: ArtifactActor, on workspace: String, op: ArtifactOperation) throws {
        guard let access = actor.workspaceAccess(workspace), access >= level else { throw ArtifactError.denied(op) }
    }

    // MARK: Versions and slots

    /// `_get_version_index`: which committed version a `version` argument names.
    func versionIndex(_ record: ArtifactRecord, _ version: JSONValue?) throws -> Int {
        switch version {
        case nil, .null?, .string("latest")?:
            guard !record.versions.isEmpty else { throw ArtifactError.value("Artifact has no committed version.") }
            return record.versions.count - 1
        case .int(let index)?:
            guard record.versions.indices.contains(Int(index)) else { throw ArtifactError.value("Artifact version '\(index)' does not exist.") }
            return Int(index)
        case .string(let name)?:
            guard let index = record.versions.lastIndex(where: { $0.name == name }) else {
                throw ArtifactError.value("Artifact version '\(name)' does not exist.")
            }
            return index
        default:
            throw ArtifactError.value("Artifact version '\(version?.jsonText ?? "")' does not exist.")
        }
    }

    /// The slot a read of (`version`, `stage`) sees: the staging slot, or a committed version's.
    func readSlot(_ record: ArtifactRecord, version: JSONValue?, stage: Bool) throws -> Int {
        let wantsStage = stage || version?.stringValue == "stage"
        if wantsStage {
            if stage, let version, !version.isNull, version.stringValue != "stage" {
                throw ArtifactError.assertion("You cannot specify a version when using stage mode.")
            }
            // Not staged: the staged view is the committed one.
            guard let staging = record.staging else { return record.versions.last?.slot ?? -1 }
            return staging.slot
        }
        // Without a committed version Hypha reads index 0, which is where a first staging session
        // puts its files (and nothing, once that session is discarded).
        if record.versions.isEmpty, version == nil || version?.isNull == true || version?.stringValue == "latest" {
            return record.staging?.slot ?? -1
        }
        return record.versions[try versionIndex(record, version)].slot
    }

    // MARK: Rendering

    /// The artifact object Hypha answers with (keys in Hypha's order). `stage` shows the staged
    /// manifest and the staging list; counts include what is still in memory.
    func view(_ record: ArtifactRecord, parent: ArtifactRecord?, stage: Bool = false, staged: [StagedFile] = [], childCount: Int? = nil)
        -> JSONValue
    {
        let pending = counters.unwritten(record.id, recordBatch: record.countsBatch)
        var config = record.config
        var manifest = record.manifest
        var type = record.type.map(JSONValue.string) ?? .null
        var staging: JSONValue = .null
        if stage, let session = record.staging {
            if let staged = session.manifest { manifest = staged }
            if let stagedConfig = session.config?.objectValue { config = stagedConfig }
            if let stagedType = session.type { type = stagedType }
            var entries = staged.map { file -> JSONValue in
                var entry: JSONObject = ["path": .string(file.path)]
                if file.isRemoval {
                    entry["_remove"] = true
                } else if file.downloadWeight > 0 {
                    entry["download_weight"] = .double(file.downloadWeight)
                }
                return .object(entry)
            }
            entries.append(["_intent": .string(session.intent.rawValue)])
            staging = .array(entries)
        }
        if let childCount, record.type == "collection" || childCount > 0 || config["is_collection"] != nil {
            config["child_count"] = .int(childCount)
            config["is_collection"] = true
        }
        let object: JSONObject = [
            "id": .string(record.qualifiedID), "type": type, "workspace": .string(record.workspace),
            "parent_id": .optional(parent?.qualifiedID), "alias": .string(record.alias), "manifest": manifest, "staging": staging,
            "download_count": .double(record.downloadCount + pending.downloads), "view_count": .double(record.viewCount + pending.views),
            "file_count": .int(record.fileCount), "created_at": .int(record.createdAtSeconds), "created_by": .optional(record.createdBy),
            "last_modified": .int(record.lastModifiedSeconds),
            "versions": .array(
                record.versions.map { ["version": .string($0.name), "comment": .optional($0.comment), "created_at": .int($0.createdAtSeconds)] }),
            "config": .object(config), "_id": .string(record.id), "_permissions": ArtifactPermissions.expanded(config: .object(config)),
        ]
        return .object(object)
    }

    func parent(of record: ArtifactRecord) throws -> ArtifactRecord? {
        guard let parentID = record.parentID else { return nil }
        return try store.read { transaction in try store.record(transaction, id: parentID) }
    }
}
