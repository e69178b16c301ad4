import SporeJSON

/// One committed version of an artifact. `slot` is where its files are stored
/// (`{ws}/artifacts/{id}/v{slot}/…`): slots are handed out once and never renumbered, so deleting
/// an older version cannot make a later one show the deleted version's files (Hypha reuses list
/// positions as storage indexes and does).
public struct ArtifactVersion: Sendable, Equatable {
    public var name: String
    public var comment: String?
    public var createdAtSeconds: Int64
    public var slot: Int
    /// The manifest and config as they were when the version was committed (`read(version=…)`).
    public var manifest: JSONValue?
    public var config: JSONObject?

    public init(name: String, comment: String?, createdAtSeconds: Int64, slot: Int, manifest: JSONValue? = nil, config: JSONObject? = nil) {
        self.name = name
        self.comment = comment
        self.createdAtSeconds = createdAtSeconds
        self.slot = slot
        self.manifest = manifest
        self.config = config
    }
}

/// What a staging session will do at commit.
public enum StagingIntent: String, Sendable, Equatable {
    /// Commit appends a version holding the files uploaded in this session.
    case newVersion = "new_version"
    /// Commit updates the latest version in place.
    case editVersion = "edit_version"
}

/// An open staging session: the staged manifest, config and type, the slot that receives
/// uploads, and the generation that names this session's staged-file entries.
public struct ArtifactStaging: Sendable, Equatable {
    public var intent: StagingIntent
    public var manifest: JSONValue?
    public var config: JSONValue?
    /// Set when the session changes the type (`.null` included).
    public var type: JSONValue?
    public var secrets: JSONObject?
    public var slot: Int
    /// Staged-file entries of this session are keyed under it; a commit or discard starts a new
    /// generation, so old entries never need deleting inside the commit.
    public var generation: UInt64
    /// Orders the session's staged files (`read(stage=True)` lists them as they were staged).
    public var nextOrder: UInt64 = 0
    /// The download weights of this session's files (those above zero), merged into the config
    /// at commit without reading every staged file.
    public var weights = JSONObject()

    public init(intent: StagingIntent, slot: Int, generation: UInt64) {
        self.intent = intent
        self.slot = slot
        self.generation = generation
    }
}

/// An artifact as the index keeps it: identity, content, versions, staging and counters. Files
/// are objects in the workspace bucket; the record only says which slot holds which version.
public struct ArtifactRecord: Sendable, Equatable {
    /// The internal id (a uuid7, so ids sort in creation order).
    public var id: String
    public var workspace: String
    public var alias: String
    /// The parent collection's internal id.
    public var parentID: String?
    /// nil is JSON null: Hypha stores `type: null` when a client sends it.
    public var type: String?
    public var manifest: JSONValue
    public var config: JSONObject
    public var secrets: JSONObject
    public var versions: [ArtifactVersion]
    public var staging: ArtifactStaging?
    public var downloadCount: Double
    public var viewCount: Double
    public var fileCount: Int
    public var createdAtSeconds: Int64
    public var lastModifiedSeconds: Int64
    public var createdBy: String?
    /// The next storage slot to hand out.
    public var nextSlot: Int
    /// The next staged-files generation.
    public var nextGeneration: UInt64
    /// The last batch of in-memory counts written into `viewCount`/`downloadCount`.
    public var countsBatch: UInt64 = 0

    public init(id: String, workspace: String, alias: String, createdAtSeconds: Int64, createdBy: String?) {
        self.id = id
        self.workspace = workspace
        self.alias = alias
        self.manifest = .object(JSONObject())
        self.config = JSONObject()
        self.secrets = JSONObject()
        self.versions = []
        self.downloadCount = 0
        self.viewCount = 0
        self.fileCount = 0
        self.createdAtSeconds = createdAtSeconds
        self.lastModifiedSeconds = createdAtSeconds
        self.createdBy = createdBy
        self.nextSlot = 0
        self.nextGeneration = 1
    }

    /// `ws/alias`.
    public var qualifiedID: String { "\(workspace)/\(alias)" }

    /// Before a new version becomes the latest: the current latest keeps a copy of the manifest
    /// and config it had (the latest version's are the record's own, so they are stored once).
    public mutating func keepLatestSnapshot() {
        guard !versions.isEmpty else { return }
        let last = versions.count - 1
        if versions[last].manifest == nil { versions[last].manifest = manifest }
        if versions[last].config == nil { versions[last].config = config }
    }

    /// Hands out the next storage slot.
    public mutating func allocateSlot() -> Int {
        defer { nextSlot += 1 }
        return nextSlot
    }

    /// Hands out the next staged-files generation.
    public mutating func allocateGeneration() -> UInt64 {
        defer { nextGeneration += 1 }
        return nextGeneration
    }

    /// The object-key prefix of a slot's files, relative to the workspace bucket.
    public func slotPrefix(_ slot: Int) -> String { "\(workspace)/artifacts/\(id)/v\(slot)/" }

    /// The prefix of every object of the artifact.
    public var storagePrefix: String { "\(workspace)/artifacts/\(id)/" }
}

// MARK: Stored form

extension ArtifactRecord {
    /// The record as stored: a JSON object, so new fields need no migration.
    func encoded() -> [UInt8] {
        var object: JSONObject = [
            "id": .string(id), "workspace": .string(workspace), "alias": .string(alias), "parent": .optional(parentID),
            "type": .optional(type), "manifest": manifest, "config": .object(config), "secrets": .object(secrets),
            "versions": .array(versions.map { $0.json }), "downloads": .double(downloadCount), "views": .double(viewCount),
            "files": .int(fileCount), "created": .int(createdAtSeconds), "modified": .int(lastModifiedSeconds),
            "creator": .optional(createdBy), "next_slot": .int(nextSlot), "next_generation": .int(Int64(nextGeneration)),
            "counts_batch": .int(Int64(countsBatch)),
        ]
        if let staging { object["staging"] = staging.json }
        return JSONValue.object(object).jsonBytes
    }

    init(decoding bytes: some Collection<UInt8>) throws(IndexError) {
        guard let value = try? JSONValue(parsing: bytes), let object = value.objectValue, let id = object["id"]?.stringValue,
            let workspace = object["workspace"]?.stringValue, let alias = object["alias"]?.stringValue
        else { throw IndexError.corrupt("artifact record") }
        self.init(
            id: id, workspace: workspace, alias: alias, createdAtSeconds: object["created"]?.intValue ?? 0, createdBy: object["creator"]?.stringValue)
        parentID = object["parent"]?.stringValue
        type = object["type"]?.stringValue
        manifest = object["manifest"] ?? .object(JSONObject())
        config = object["config"]?.objectValue ?? JSONObject()
        secrets = object["secrets"]?.objectValue ?? JSONObject()
        versions = object["versions"]?.arrayValue?.compactMap(ArtifactVersion.init(json:)) ?? []
        staging = object["staging"].flatMap(ArtifactStaging.init(json:))
        downloadCount = object["downloads"]?.doubleValue ?? 0
        viewCount = object["views"]?.doubleValue ?? 0
        fileCount = Int(object["files"]?.intValue ?? 0)
        lastModifiedSeconds = object["modified"]?.intValue ?? createdAtSeconds
        nextSlot = Int(object["next_slot"]?.intValue ?? Int64(versions.count))
        nextGeneration = UInt64(object["next_generation"]?.intValue ?? 1)
        countsBatch = UInt64(max(0, object["counts_batch"]?.intValue ?? 0))
    }
}

extension ArtifactVersion {
    var json: JSONValue {
        var object: JSONObject = ["name": .string(name), "comment": .optional(comment), "created": .int(createdAtSeconds), "slot": .int(slot)]
        if let manifest { object["manifest"] = manifest }
        if let config { object["config"] = .object(config) }
        return .object(object)
    }

    init?(json: JSONValue) {
        guard let name = json["name"]?.stringValue, let slot = json["slot"]?.intValue else { return nil }
        self.init(
            name: name, comment: json["comment"]?.stringValue, createdAtSeconds: json["created"]?.intValue ?? 0, slot: Int(slot),
            manifest: json["manifest"], config: json["config"]?.objectValue
        )
    }
}

extension ArtifactStaging {
    var json: JSONValue {
        var object: JSONObject = [
            "intent": .string(intent.rawValue), "slot": .int(slot), "generation": .int(Int64(generation)), "order": .int(Int64(nextOrder)),
            "weights": .object(weights),
        ]
        if let manifest { object["manifest"] = manifest }
        if let config { object["config"] = config }
        if let type { object["type"] = ["value": type] }
        if let secrets { object["secrets"] = .object(secrets) }
        return .object(object)
    }

    init?(json: JSONValue) {
        guard let intent = json["intent"]?.stringValue.flatMap(StagingIntent.init(rawValue:)), let slot = json["slot"]?.intValue,
            let generation = json["generation"]?.intValue
        else { return nil }
        self.init(intent: intent, slot: Int(slot), generation: UInt64(generation))
        manifest = json["manifest"]
        config = json["config"]
        type = json["type"]?["value"]
        secrets = json["secrets"]?.objectValue
        nextOrder = UInt64(json["order"]?.intValue ?? 0)
        weights = json["weights"]?.objectValue ?? JSONObject()
    }
}

/// A file recorded in a staging session: `put_file` (with its download weight) or a `remove_file`
/// marker; `order` keeps the sequence of calls for `read(stage=True)`.
public struct StagedFile: Sendable, Equatable {
    public var path: String
    public var downloadWeight: Double
    public var isRemoval: Bool
    /// Set when an in-place edit kept the committed file under `.stage_backup/` for discard.
    public var hasBackup: Bool
    /// Whether the file's object exists (kept in step by the object writes themselves, so a commit
    /// need not look every file up).
    public var isUploaded: Bool
    public var order: UInt64

    public init(
        path: String, downloadWeight: Double = 0, isRemoval: Bool = false, hasBackup: Bool = false, isUploaded: Bool = false, order: UInt64 = 0
    ) {
        self.path = path
        self.downloadWeight = downloadWeight
        self.isRemoval = isRemoval
        self.hasBackup = hasBackup
        self.isUploaded = isUploaded
        self.order = order
    }

    func encoded() -> [UInt8] {
        JSONValue.object([
            "w": .double(downloadWeight), "r": .bool(isRemoval), "b": .bool(hasBackup), "u": .bool(isUploaded), "o": .int(Int64(order)),
        ]).jsonBytes
    }

    init(path: String, decoding bytes: some Collection<UInt8>) {
        let value = try? JSONValue(parsing: bytes)
        self.init(
            path: path, downloadWeight: value?["w"]?.doubleValue ?? 0, isRemoval: value?["r"]?.boolValue ?? false,
            hasBackup: value?["b"]?.boolValue ?? false, isUploaded: value?["u"]?.boolValue ?? false, order: UInt64(value?["o"]?.intValue ?? 0)
        )
    }
}
