import SporeJSON

/// An operation the artifact manager checks permission for, spelled as Hypha spells it: permission codes expand to these
/// names, `_permissions` lists them, and an explicit op list in `config.permissions` names them.
public enum ArtifactOperation: String, Sendable, CaseIterable {
    // Read-type: the artifact's grants, then its parent's, then workspace read.
    case read
    case list
    case getFile = "get_file"
    case listFiles = "list_files"
    case getVector = "get_vector"
    case listVectors = "list_vectors"
    case searchVectors = "search_vectors"
    /// Read-level, but asked of the artifact only (Hypha leaves it out of the parent fallback).
    case getStatus = "get_status"
    // Writes, asked of the artifact only.
    case edit
    case commit
    case putFile = "put_file"
    case removeFile = "remove_file"
    case addVectors = "add_vectors"
    case removeVectors = "remove_vectors"
    case discardChanges = "discard_changes"
    // Asked of the parent collection.
    case create
    case draft
    case attach
    case detach
    case mutate
    // Only `*` or the workspace fallback grant these.
    case delete
    case resetStats = "reset_stats"
    case publish
    // No code grants these: only the workspace fallback does.
    case getSecret = "get_secret"
    case setSecret = "set_secret"
    case setDownloadWeight = "set_download_weight"
}

/// A permission code of `config.permissions`, with the op list Hypha's `_expand_permission` gives it.
public enum ArtifactPermissionCode: String, Sendable, CaseIterable {
    case none = "n"
    case list = "l"
    case listDraft = "l+"
    case listVectors = "lv"
    case listVectorsContribute = "lv+"
    case listFiles = "lf"
    case listFilesContribute = "lf+"
    case read = "r"
    case readContribute = "r+"
    case readWrite = "rw"
    case readDraft = "rd+"
    case readWriteContribute = "rw+"
    case all = "*"

    /// The ops in the order `_expand_permission` lists them: `_permissions` shows them in this order, so clients
    /// comparing lists see the same thing.
    public var operations: [ArtifactOperation] {
        switch self {
        case .none: return []
        case .list: return [.list]
        case .listDraft: return [.list, .draft]
        case .listVectors: return [.list, .listVectors]
        case .listVectorsContribute: return [.list, .listVectors, .draft, .attach, .addVectors]
        case .listFiles: return [.list, .listFiles]
        case .listFilesContribute: return [.list, .listFiles, .draft, .attach, .putFile]
        case .read: return [.read, .getFile, .listFiles, .list, .searchVectors, .getVector]
        case .readContribute:
            return [.read, .getFile, .putFile, .listFiles, .list, .searchVectors, .getVector, .draft, .attach, .addVectors]
        case .readWrite:
            return [
                .read, .getFile, .getVector, .searchVectors, .listFiles, .listVectors, .list, .edit, .commit, .putFile,
                .addVectors, .removeFile, .removeVectors, .discardChanges, .detach, .mutate,
            ]
        case .readDraft:
            return [
                .read, .getFile, .getStatus, .getVector, .searchVectors, .listFiles, .listVectors, .list, .edit, .putFile,
                .addVectors, .removeFile, .removeVectors, .discardChanges, .draft,
            ]
        case .readWriteContribute:
            return [
                .read, .getFile, .getStatus, .getVector, .searchVectors, .listFiles, .listVectors, .list, .edit, .commit,
                .putFile, .addVectors, .removeFile, .removeVectors, .discardChanges, .draft, .attach, .detach, .mutate,
            ]
        case .all:
            return [
                .read, .getFile, .getStatus, .getVector, .searchVectors, .listFiles, .listVectors, .list, .edit, .commit,
                .putFile, .addVectors, .removeFile, .removeVectors, .discardChanges, .create, .draft, .attach, .detach,
                .mutate, .resetStats, .publish, .delete,
            ]
        }
    }

    /// The codes as `_validate_permissions` lists them in its error: Python's `sorted`, i.e. by code point.
    static let sortedRawValues: [String] = allCases.map(\.rawValue).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
}

/// Why a `config.permissions` value was refused; `message` is the text of Hypha's `ValueError`, so the caller can answer
/// `ValueError: …` exactly as Hypha does.
public struct ArtifactPermissionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text after `ValueError: `.
    public let message: String

    /// An error with Hypha's message text.
    public init(_ message: String) { self.message = message }

    /// The error as Hypha's detail shows it.
    public var description: String { "ValueError: \(message)" }
}

/// One value of `config.permissions`: a code, or an explicit op list, as stored.
public struct ArtifactGrant: Sendable, Hashable {
    /// The stored shape, kept so the value goes back to JSON exactly as it came.
    public enum Form: Sendable, Hashable {
        case code(ArtifactPermissionCode)
        /// An explicit list: Hypha accepts any list and checks ops by name, so names spore does not know are kept.
        case operations([JSONValue])
        /// A value stored without validation (a staged edit committed, an older server): grants nothing.
        case unrecognized(JSONValue)
    }

    /// How the value is stored.
    public let form: Form

    /// A grant by code, as spore writes the creator's `*`.
    public init(_ code: ArtifactPermissionCode) { form = .code(code) }

    /// An explicit op list.
    public init(operations: [ArtifactOperation]) { form = .operations(operations.map { .string($0.rawValue) }) }

    /// Parses a value as `_validate_permissions` does on `create` and a direct `edit`: a known code or a list, and
    /// nothing else, with Hypha's messages.
    public init(validating value: JSONValue, key: String) throws(ArtifactPermissionError) {
        switch value {
        case .string(let text):
            guard let code = ArtifactPermissionCode(rawValue: text) else {
                let codes = ArtifactPermissionCode.sortedRawValues.joined(separator: ", ")
                throw ArtifactPermissionError(
                    "Invalid permission code '\(text)' for '\(key)'. Valid codes are: \(codes) — or provide an explicit list of operations."
                )
            }
            form = .code(code)
        case .array(let items):
            form = .operations(items)
        default:
            throw ArtifactPermissionError(
                "Invalid permission value for '\(key)': expected a permission code string or a list of operations, "
                    + "got \(PythonText.typeName(value))."
            )
        }
    }

    /// Reads a stored value without refusing anything: what `_check_permissions` meets at run time.
    public init(stored value: JSONValue) {
        switch value {
        case .string(let text): form = ArtifactPermissionCode(rawValue: text).map(Form.code) ?? .unrecognized(value)
        case .array(let items): form = .operations(items)
        default: form = .unrecognized(value)
        }
    }

    /// The ops granted: a code's expansion, or the list's names that are operations.
    public var ops: Set<ArtifactOperation> {
        switch form {
        case .code(let code): return Set(code.operations)
        case .operations(let items): return Set(items.compactMap { $0.stringValue.flatMap(ArtifactOperation.init(rawValue:)) })
        case .unrecognized: return []
        }
    }

    /// Whether `op` is granted (Python's `operation in _expand_permission(value)`).
    public func grants(_ op: ArtifactOperation) -> Bool {
        switch form {
        case .code(let code): return code.operations.contains(op)
        case .operations(let items): return items.contains(.string(op.rawValue))
        case .unrecognized: return false
        }
    }

    /// What `_expand_permission` returns, as `_permissions` shows it: a code's op list in Hypha's order, an explicit
    /// list as given, `[]` for an unknown code, any other stored value as it is.
    public var expanded: JSONValue {
        switch form {
        case .code(let code): return .array(code.operations.map { .string($0.rawValue) })
        case .operations(let items): return .array(items)
        case .unrecognized(let value): return value.stringValue == nil ? value : .array([])
        }
    }

    /// The value as stored in `config.permissions`.
    public var json: JSONValue {
        switch form {
        case .code(let code): return .string(code.rawValue)
        case .operations(let items): return .array(items)
        case .unrecognized(let value): return value
        }
    }
}

/// An artifact's `config.permissions`: keys (user ids, emails, `@`, `*`, `{ws}/…`) to grants, in stored order.
public struct ArtifactPermissions: Sendable, Hashable {
    /// The keys in stored order: `_permissions` keeps it, and the `{ws}/…` scan walks it.
    public private(set) var keys: [String] = []
    private var grants: [String: ArtifactGrant] = [:]

    /// No permissions: only the workspace fallback grants anything.
    public init() {}

    /// Permissions from literal pairs, in order.
    public init(_ pairs: KeyValuePairs<String, ArtifactGrant>) {
        for (key, grant) in pairs { self[key] = grant }
    }

    /// Parses `config.permissions` as `_validate_permissions` does: a falsy value (missing, null, `{}`, `[]`, `""`, 0,
    /// false) is no permissions; any other non-object is refused; every value must be a known code or a list.
    public init(validating value: JSONValue?) throws(ArtifactPermissionError) {
        guard let value, PythonText.isTruthy(value) else { return }
        guard case .object(let object) = value else {
            throw ArtifactPermissionError(
                "config.permissions must be a mapping of id -> permission, got \(PythonText.typeName(value))."
            )
        }
        for (key, item) in object { self[key] = try ArtifactGrant(validating: item, key: key) }
    }

    /// Reads stored `config.permissions` leniently: a non-object is no permissions, odd values grant nothing.
    public init(stored value: JSONValue?) {
        guard case .object(let object)? = value else { return }
        for (key, item) in object { self[key] = ArtifactGrant(stored: item) }
    }

    /// Reads the permissions of a stored artifact config (`config.permissions`).
    public init(config: JSONValue?) { self.init(stored: config?["permissions"]) }

    /// The grant under `key`; assigning nil removes it, assigning a new key appends it.
    public subscript(key: String) -> ArtifactGrant? {
        get { grants[key] }
        set {
            if let newValue {
                if grants.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if grants.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// Whether no key is set.
    public var isEmpty: Bool { keys.isEmpty }

    /// The keys and grants in stored order.
    public var pairs: [(key: String, grant: ArtifactGrant)] { keys.compactMap { key in grants[key].map { (key, $0) } } }

    /// The JSON object stored as `config.permissions`.
    public var json: JSONValue { .object(JSONObject(pairs.map { ($0.key, $0.grant.json) })) }

    /// The `_permissions` member Hypha's `_generate_artifact_data` puts in every artifact object: each key with its
    /// grant expanded, so a client can check access without knowing the codes.
    public var expanded: JSONValue { .object(JSONObject(pairs.map { ($0.key, $0.grant.expanded) })) }

    /// `_permissions` for a stored config: `{}` when the config or its permissions are missing or not an object.
    public static func expanded(config: JSONValue?) -> JSONValue { ArtifactPermissions(config: config).expanded }
}
