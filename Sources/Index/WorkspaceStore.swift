import SporeJSON

/// A workspace other than a user's personal one: who owns it and whether it is read-only.
public struct WorkspaceRecord: Sendable, Equatable {
    public var name: String
    public var owners: [String]
    public var isReadOnly: Bool
    public var description: String

    public init(name: String, owners: [String], isReadOnly: Bool = false, description: String = "") {
        self.name = name
        self.owners = owners
        self.isReadOnly = isReadOnly
        self.description = description
    }

    /// The record as stored: a JSON object, so later fields need no migration.
    func encoded() -> [UInt8] {
        let object: JSONValue = [
            "name": .string(name), "owners": .array(owners.map(JSONValue.string)), "read_only": .bool(isReadOnly),
            "description": .string(description),
        ]
        return object.jsonBytes
    }

    init?(decoding bytes: [UInt8]) {
        guard let object = try? JSONValue(parsing: bytes), let name = object["name"]?.stringValue else { return nil }
        self.init(
            name: name, owners: object["owners"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            isReadOnly: object["read_only"]?.boolValue ?? false, description: object["description"]?.stringValue ?? ""
        )
    }

    /// Workspace names become the first segment of object keys: no `/`, no control characters,
    /// not `.` or `..`, at most `nameByteCountMax` bytes.
    /// First path segments the HTTP listener serves itself (the console, its API, share links, the
    /// S3 mount, operations, hypha-rpc): a workspace of one of these names could never be reached.
    public static let reservedNames: Set<String> = ["api", "console", "share", "s3", "health", "metrics", "ws"]

    public static func isValidName(_ name: String) -> Bool {
        (1...nameByteCountMax).contains(name.utf8.count) && name != "." && name != ".." && !reservedNames.contains(name)
            && !name.utf8.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") || $0 < 0x20 || $0 == 0x7f }
    }

    /// Longest workspace name.
    public static let nameByteCountMax = 128
}

/// The workspaces of the Hypha-style API, in a database of their own (`workspaces`, name → record),
/// sharing the catalog's environment and writer.
public struct WorkspaceStore: Sendable {
    let catalog: Catalog

    public func create(_ record: WorkspaceRecord) async throws {
        let database = catalog.databases.workspaces
        try await catalog.writer.write { transaction in
            try transaction.put(database, Array(record.name.utf8), record.encoded())
        }
    }

    public func list() throws -> [WorkspaceRecord] {
        try catalog.read { transaction in
            try transaction.withCursor(catalog.databases.workspaces) { cursor in
                var found = [WorkspaceRecord]()
                var entry = try cursor.first()
                while let current = entry {
                    if let record = WorkspaceRecord(decoding: Array(current.value)) { found.append(record) }
                    entry = try cursor.next()
                }
                return found
            }
        }
    }

    public func record(_ name: String) throws -> WorkspaceRecord? {
        guard WorkspaceRecord.isValidName(name) else { return nil }
        return try catalog.read { transaction in
            try transaction.get(catalog.databases.workspaces, Array(name.utf8)).flatMap(WorkspaceRecord.init(decoding:))
        }
    }

    /// Forgets the workspace (its files stay until removed through S3 or `/files`).
    public func delete(_ name: String) async throws {
        let database = catalog.databases.workspaces
        try await catalog.writer.write { transaction in
            _ = try transaction.delete(database, Array(name.utf8))
        }
    }

    /// Moves records that older versions kept as settings of the workspace bucket
    /// (`hypha-workspace/<name>`) into this store, in one transaction; idempotent.
    public func migrateFromBucketSettings(bucket: String) async throws {
        let settingPrefix = "hypha-workspace/"
        let databases = catalog.databases
        try await catalog.writer.write { transaction in
            guard let record = try catalog.bucket(transaction, named: bucket) else { return }
            let start = Catalog.settingKey(record.id, settingPrefix)
            var moved = [(key: [UInt8], document: [UInt8])]()
            try transaction.withCursor(databases.settings) { cursor in
                var entry = try cursor.seek(atOrAfter: start)
                while let current = entry, current.key.starts(with: start) {
                    moved.append((Array(current.key), Array(current.value)))
                    entry = try cursor.next()
                }
            }
            for item in moved {
                if let workspace = WorkspaceRecord(decoding: item.document) {
                    try transaction.put(databases.workspaces, Array(workspace.name.utf8), workspace.encoded())
                }
                _ = try transaction.delete(databases.settings, item.key)
            }
        }
    }
}

extension Catalog {
    /// The workspaces of the Hypha-style API.
    public var workspaces: WorkspaceStore { WorkspaceStore(catalog: self) }
}
