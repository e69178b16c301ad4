import Index
import SporeJSON

/// What `GET /{ws}/view/{alias}/{path}` serves, decided from the artifact's `view_config` as
/// Hypha 0.21.137 decides it; the face turns it into bytes.
public struct ArtifactSitePage: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A stored file, served as it is.
        case file
        /// A stored file listed in `view_config.templates`, rendered with Jinja2.
        case template
        /// Spore's own page for the artifact (`use_builtin_template`, or a collection or
        /// application without a view config); `name` is the template file asked for.
        case builtin(name: String)
    }

    public let kind: Kind
    /// The artifact as `read` shows it (no secrets), for the template variables; null for `.file`.
    public let artifact: JSONValue
    public let record: ArtifactRecord
    /// The requested path inside the site, after the index rule (`index.html` for `/`).
    public let path: String
    /// The object key of `path` under the site's root in the slot read.
    public let key: String
    /// The key prefix of the site's root directory in the slot read, for includes.
    public let rootPrefix: String
    /// The slot read: a committed version's or the staging one.
    public let slot: Int
    /// The stored file, when there is one.
    public let version: ObjectVersion?
    /// `view_config.headers`, in order.
    public let headers: [(name: String, value: String)]
    /// `view_config.metadata`.
    public let metadata: JSONValue
}

extension ArtifactService {
    /// Resolves a view request: permission `get_file` (as Hypha checks), the view config, the
    /// index rule, the root directory and the slot; counts a view (every request does, in Hypha).
    public func sitePage(_ arguments: ArtifactArguments, path requested: String, actor: ArtifactActor) throws -> ArtifactSitePage {
        let stage = arguments.flag("stage")
        let version = arguments["version"]
        let (record, parent) = try resolve(arguments["artifact_id"], actor: actor)
        try require(.getFile, actor, artifact: record, parent: parent)
        let viewConfig: JSONObject
        var builtin = false
        switch record.config["view_config"] {
        case .string("disabled"):
            throw ArtifactError(.fileNotFoundError, "View access is disabled for this artifact", showsType: false)
        case .object(let object):
            viewConfig = object
            builtin = object["use_builtin_template"]?.boolValue == true
        case nil, .null?:
            // Hypha answers 400 for types it has no template for (`generic`, …); spore shows its
            // own artifact page for them (docs/hypha-api.md, "differs").
            viewConfig = ["templates": ["index.html"], "template_engine": "jinja2", "root_directory": "/"]
            builtin = true
        case .some:
            throw ArtifactError(.valueError, "view_config must be a dict or \"disabled\"", showsType: false)
        }
        var path = String(requested.drop { $0 == "/" })
        if path.isEmpty || path.hasSuffix("/") { path += "index.html" }
        let checked = try Self.checkedPath(path)
        counters.addView(record.id)

        let root = viewConfig["root_directory"]?.stringValue ?? record.config["root_directory"]?.stringValue ?? "/"
        let rootTrimmed = String(root.drop { $0 == "/" }.reversed().drop { $0 == "/" }.reversed())
        let rootPath = rootTrimmed.isEmpty ? "" : try Self.checkedPath(rootTrimmed) + "/"
        if stage, let version, !version.isNull, version.stringValue != "stage" {
            throw ArtifactError.assertion("You cannot specify a version when using stage mode.")
        }
        let slot = try readSlot(record, version: version, stage: stage)
        let rootPrefix = record.slotPrefix(slot) + rootPath
        let key = rootPrefix + checked
        let templates = viewConfig["templates"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let engine = viewConfig["template_engine"]?.stringValue ?? "jinja2"
        let isTemplate = engine == "jinja2" && templates.contains(checked)
        let kind: ArtifactSitePage.Kind = isTemplate ? (builtin ? .builtin(name: checked) : .template) : .file
        let now = nowMilliseconds
        let stored: ObjectVersion? =
            kind == .builtin(name: checked)
            ? nil : try store.read { transaction in try store.objectVersion(transaction, bucket: bucket, key: key, nowMilliseconds: now) }
        var headers: [(name: String, value: String)] = []
        for (name, value) in viewConfig["headers"]?.objectValue?.pairs ?? [] {
            headers.append((name, value.stringValue ?? value.jsonText))
        }
        // Only pages that are rendered need the artifact as `read` shows it.
        let artifact = kind == .file ? JSONValue.null : try render(record, parent: parent, version: version, stage: stage, countView: false)
        return ArtifactSitePage(
            kind: kind, artifact: artifact, record: record, path: checked, key: key, rootPrefix: rootPrefix, slot: slot, version: stored,
            headers: headers, metadata: viewConfig["metadata"] ?? .object(JSONObject())
        )
    }

    /// The stored file `name` of the site (an include), or nil; names stay inside the site.
    public func siteFile(_ page: ArtifactSitePage, name: String) throws -> ObjectVersion? {
        guard let checked = try? Self.checkedPath(name) else { return nil }
        let now = nowMilliseconds
        return try store.read { transaction in
            try store.objectVersion(transaction, bucket: bucket, key: page.rootPrefix + checked, nowMilliseconds: now)
        }
    }
}
