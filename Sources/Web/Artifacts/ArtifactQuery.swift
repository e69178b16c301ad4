import SporeJSON

/// One artifact as `list`/`search` sees it: the columns of Hypha's `artifacts` row that keywords, filters, `stage` and
/// `order_by` read.
public struct ArtifactSearchDocument: Sendable, Hashable {
    /// The internal uuid7 (`_id`): sorting by it is creation order, which is Hypha's default order.
    public var internalID: String
    /// `ws/alias`.
    public var id: String
    /// Matched by the `alias` filter; nil never matches a string.
    public var alias: String?
    /// Matched by the `workspace` filter.
    public var workspace: String
    /// The parent's `ws/alias`, nil for a root artifact.
    public var parentID: String?
    /// Matched by the `type` filter; `{"type": null}` selects nil.
    public var type: String?
    /// Matched by the `created_by` filter.
    public var createdBy: String?
    /// The manifest the row holds (the staged one for a draft); `.null` when none.
    public var manifest: JSONValue
    /// The config: `config.permissions` filters and `config.k` ordering read it.
    public var config: JSONValue
    /// Epoch seconds.
    public var createdAt: Int64
    /// Epoch seconds.
    public var lastModified: Int64
    /// Range filter and sort key `download_count`.
    public var downloadCount: Double
    /// Range filter and sort key `view_count`.
    public var viewCount: Double
    /// How many committed versions there are: `stage: false` lists only artifacts with at least one.
    public var versionCount: Int
    /// Whether a staging session is open: `stage: true` lists only these.
    public var isStaged: Bool
    /// Where the caller's candidate list has this document, to find its record again without a lookup.
    public var ordinal = 0

    /// A document; the defaults describe a committed generic artifact with nothing set.
    public init(
        internalID: String, id: String, alias: String?, workspace: String, parentID: String? = nil, type: String? = "generic",
        createdBy: String? = nil, manifest: JSONValue = [:], config: JSONValue = [:], createdAt: Int64 = 0, lastModified: Int64 = 0,
        downloadCount: Double = 0, viewCount: Double = 0, versionCount: Int = 1, isStaged: Bool = false
    ) {
        self.internalID = internalID
        self.id = id
        self.alias = alias
        self.workspace = workspace
        self.parentID = parentID
        self.type = type
        self.createdBy = createdBy
        self.manifest = manifest
        self.config = config
        self.createdAt = createdAt
        self.lastModified = lastModified
        self.downloadCount = downloadCount
        self.viewCount = viewCount
        self.versionCount = versionCount
        self.isStaged = isStaged
    }
}

/// Why a list/search call was refused. `kind` is the Python exception Hypha raises for the same input and `message`
/// its text, so the caller can answer `ValueError: Invalid filter key: x`. Hypha answers 400 for ValueError,
/// AssertionError and TypeError, 500 for the others.
public struct ArtifactQueryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The Python exception type, spelled as Hypha's detail spells it.
    public enum Kind: String, Sendable {
        case valueError = "ValueError"
        case assertionError = "AssertionError"
        case typeError = "TypeError"
        case attributeError = "AttributeError"
        case indexError = "IndexError"
        case jsonDecodeError = "JSONDecodeError"
        /// SQLAlchemy refused to build the statement (a range compared with null or a boolean).
        case argumentError = "ArgumentError"
        /// SQLite refused the statement (a malformed JSON path).
        case operationalError = "OperationalError"
        /// sqlite3 could not bind a value (a list or dict where a scalar goes).
        case programmingError = "ProgrammingError"
    }

    /// Which exception Hypha raises.
    public let kind: Kind
    /// The exception's text.
    public let message: String

    /// An error of `kind` with Hypha's text.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// `Kind: message`, as the last line of Hypha's remote traceback reads.
    public var description: String { "\(kind.rawValue): \(message)" }
}

/// A `list`/`search` call's query, parsed from its arguments: which artifacts match (keywords, filters, mode, stage),
/// in what order, and which page. The caller supplies the candidates (the parent's children, or every artifact of
/// the context workspace) and checks `list` on the parent; this type decides the rest, as Hypha's SQL does.
public struct ArtifactQuery: Sendable {
    /// Items per page when `limit` is not given (Hypha's default).
    public static let limitDefault = 100
    /// The largest `limit` accepted: Hypha's documented range is 1…1000 but it enforces nothing, so spore refuses
    /// larger pages rather than evaluating and serialising unbounded ones.
    public static let limitMax = 1000

    /// Where the arguments come from: the service call (JSON values) or the HTTP list routes (query strings).
    public enum Source: Sendable {
        case serviceCall
        case httpQuery
    }

    /// `search` lists what the caller asks; `list` without a `parent_id` adds `filters.parent_id = null` (roots only).
    public enum Call: Sendable {
        case search
        case list
    }

    /// How keyword and filter conditions combine. Only the exact string `"OR"` selects OR, as in Hypha.
    public enum Mode: String, Sendable {
        case and = "AND"
        case or = "OR"
    }

    /// Which artifacts `stage` selects.
    public enum Stage: Sendable, Equatable {
        /// At least one committed version (`stage: false`, the default).
        case committed
        /// A staging session is open (`stage: true`).
        case staged
        /// Everything (`stage: "all"`).
        case all
    }

    /// A sort field of `order_by`.
    public enum OrderField: Sendable, Equatable {
        case id
        case viewCount
        case downloadCount
        case lastModified
        case createdAt
        /// `manifest.{key}`: a dotted key walks into nested objects.
        case manifest(String)
        case config(String)
    }

    /// The parsed `order_by`.
    public struct Order: Sendable, Equatable {
        /// What to sort by.
        public var field: OrderField
        /// `field<` or a bare field (true), `field>` (false).
        public var ascending: Bool

        /// An order.
        public init(field: OrderField, ascending: Bool) {
            self.field = field
            self.ascending = ascending
        }
    }

    /// The recipient scoping of a `private_children` collection: a non-admin caller only sees children whose manifest
    /// field equals their email, AND-ed even in OR mode; their own filter on that field is dropped.
    public struct RecipientScope: Sendable, Equatable {
        /// The collection's `recipient_field`: a manifest key (dotted keys walk into objects).
        public var field: String
        /// The caller's email; nil or empty sees nothing.
        public var email: String?

        /// A scope for a caller.
        public init(field: String, email: String?) {
            self.field = field
            self.email = email
        }

        /// The scope a listing of a collection with `parentConfig` gets, or nil (not private, or an admin caller).
        public static func forCollection(
            parentConfig: JSONValue?, callerEmail: String?, isWorkspaceAdmin: Bool
        ) throws(ArtifactQueryError) -> RecipientScope? {
            guard let flag = parentConfig?["private_children"], PythonText.isTruthy(flag) else { return nil }
            guard let field = parentConfig?["recipient_field"]?.stringValue, !field.isEmpty else {
                throw ArtifactQueryError(
                    .valueError, "Collection has 'private_children' enabled but no valid string 'recipient_field' configured."
                )
            }
            return isWorkspaceAdmin ? nil : RecipientScope(field: field, email: callerEmail)
        }
    }

    /// The collection whose children are listed (`parent_id`, normalised to a uuid or `ws/alias`); nil lists the
    /// context workspace.
    public let parentID: String?
    /// Each keyword is one condition: a case-insensitive (ASCII) substring of the manifest's stored JSON text.
    public let keywords: [String]
    /// How keyword and filter conditions combine.
    public let mode: Mode
    /// Which artifacts by staging state, after the `version` filter had its say.
    public let stage: Stage
    /// The sort order.
    public let order: Order
    /// Matches skipped before the page.
    public let offset: Int
    /// The page size, 1…``limitMax``.
    public let limit: Int
    /// Whether the caller answers `{items, total, offset, limit}` rather than the bare list.
    public let pagination: Bool

    /// Keyword and filter conditions, combined by `mode`; nil when there are none.
    var condition: QueryCondition?
    /// The recipient condition, AND-ed outside `mode`.
    var recipientCondition: QueryCondition?

    /// Parses the arguments of `list`/`search` (or of the HTTP list routes) as Hypha reads them.
    ///
    /// - Parameters:
    ///   - contextWorkspace: the call's context workspace: a bare alias in `parent_id` (argument or filter) is resolved
    ///     against it.
    ///   - recipientScope: see ``RecipientScope/forCollection(parentConfig:callerEmail:isWorkspaceAdmin:)``.
    public init(
        arguments: JSONObject, source: Source = .serviceCall, call: Call = .search, contextWorkspace: String? = nil,
        recipientScope: RecipientScope? = nil
    ) throws(ArtifactQueryError) {
        let parentArgument = arguments["parent_id"] ?? .null
        parentID = PythonText.isTruthy(parentArgument) ? try Self.artifactReference(parentArgument, contextWorkspace: contextWorkspace) : nil
        keywords = try Self.parseKeywords(arguments["keywords"])
        var filters = try Self.parseFilters(arguments["filters"], source: source)
        if call == .list, parentArgument.isNull {
            var object = filters ?? JSONObject()
            if !object.contains("parent_id") { object["parent_id"] = .null }
            filters = object
        }
        if let scope = recipientScope, case .object(var manifest)? = filters?["manifest"] {
            manifest[scope.field] = nil
            filters?["manifest"] = .object(manifest)
        }
        mode = arguments["mode"]?.stringValue == Mode.or.rawValue ? .or : .and

        var stageArgument = Self.parseStage(arguments["stage"], source: source)
        var conditions = keywords.map(QueryCondition.keyword)
        if let filters {
            conditions += try FilterCompiler(contextWorkspace: contextWorkspace).compile(filters, stage: &stageArgument)
        }
        condition = conditions.isEmpty ? nil : (mode == .or ? .any(conditions) : .all(conditions))
        stage = stageArgument.selection
        if let scope = recipientScope {
            let value = JSONValue.string(scope.email.flatMap { $0.isEmpty ? nil : $0 } ?? "\u{0}__no_recipient__")
            recipientCondition = try FilterCompiler(contextWorkspace: contextWorkspace).manifestFilter([scope.field: value])
        }
        order = try Self.parseOrder(arguments["order_by"])
        offset = try Self.parseInteger(arguments["offset"], name: "offset", default: 0)
        limit = try Self.parseInteger(arguments["limit"], name: "limit", default: Self.limitDefault)
        pagination = try Self.parseFlag(arguments["pagination"], name: "pagination", source: source)
        guard offset >= 0 else { throw ArtifactQueryError(.valueError, "offset must be 0 or more, got \(offset)") }
        guard (1...Self.limitMax).contains(limit) else {
            throw ArtifactQueryError(.valueError, "limit must be between 1 and \(Self.limitMax), got \(limit)")
        }
    }

    /// The `parent_id` filter values that need resolving: uuids or `ws/alias` ids of other collections. Until resolved
    /// they match a document whose `parentID` equals them, which is right for `ws/alias` and never true for a uuid.
    public var parentFilterReferences: [String] {
        var references: [String] = []
        condition?.visitParents { if let reference = $0 { references.append(reference) } }
        return references
    }

    /// This query with each `parent_id` filter value replaced by `resolve(value)`, the parent's `ws/alias`. Hypha looks
    /// the parent up and fails (KeyError) when it does not exist; `resolve` should throw the same.
    public func resolvingParentReferences<Failure: Error>(
        _ resolve: (String) throws(Failure) -> String
    ) throws(Failure) -> ArtifactQuery {
        var copy = self
        copy.condition = try condition?.mapParents(resolve)
        return copy
    }

    /// `_validate_artifact_id`: a uuid or `ws/alias` as given, a bare alias prefixed with the context workspace.
    static func artifactReference(_ value: JSONValue, contextWorkspace: String?) throws(ArtifactQueryError) -> String {
        guard case .string(let text) = value else { throw ArtifactQueryError(.assertionError, "Artifact ID must be a string.") }
        if isUUID(text) { return text }
        if text.contains("/") {
            guard text.split(separator: "/", omittingEmptySubsequences: false).count == 2 else {
                throw ArtifactQueryError(.assertionError, "Invalid artifact ID format, it should be `workspace/alias`.")
            }
            return text
        }
        return contextWorkspace.map { "\($0)/\(text)" } ?? text
    }

    private static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                let isHex = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                guard isHex else { return false }
            }
        }
        return true
    }
}
