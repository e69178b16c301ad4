import Foundation
import Index

/// A workspace other than a user's personal one: who owns it and whether it is read-only. Kept as
/// a setting of the workspace bucket, so it lives (and is backed up) with the index.
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

    static func settingName(_ workspace: String) -> String { "hypha-workspace/" + workspace }

    func encoded() -> [UInt8] {
        let object: [String: Any] = ["name": name, "owners": owners, "read_only": isReadOnly, "description": description]
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    init?(decoding bytes: [UInt8]) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any], let name = object["name"] as? String else {
            return nil
        }
        self.init(
            name: name, owners: object["owners"] as? [String] ?? [], isReadOnly: object["read_only"] as? Bool ?? false,
            description: object["description"] as? String ?? ""
        )
    }

    /// Workspace names become the first segment of object keys: no `/`, no control characters,
    /// not `.` or `..`, at most 128 bytes.
    public static func isValidName(_ name: String) -> Bool {
        (1...128).contains(name.utf8.count) && name != "." && name != ".."
            && !name.utf8.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") || $0 < 0x20 || $0 == 0x7f }
    }
}

/// Who is calling the Hypha-style API, and what they may do in which workspace.
struct HyphaCaller: Sendable {
    let token: HyphaToken?

    var isAnonymous: Bool { token == nil }
    var userID: String { token?.userID ?? "anonymous" }
    var isAdmin: Bool { token?.workspaces["*"] == .admin }

    /// The workspace a call runs in when the URL names none (or names `public`).
    var currentWorkspace: String? {
        guard let token else { return nil }
        return token.currentWorkspace ?? HyphaToken.personalWorkspace(of: token.userID)
    }

    func permission(_ workspace: String, record: WorkspaceRecord?) -> WorkspacePermission? {
        guard let token else { return nil }
        if isAdmin { return .admin }
        // A user's own token administers their personal workspace; a token minted from it by
        // generate_token (its own subject) has only the scopes it was given.
        if workspace == HyphaToken.personalWorkspace(of: token.userID), token.subject == token.userID { return .admin }
        if record?.owners.contains(token.userID) == true { return .admin }
        return token.workspaces[workspace]
    }
}

/// Creates, lists and deletes workspace records in the workspace bucket's settings.
public struct WorkspaceDirectory: Sendable {
    let catalog: Catalog
    let bucket: String

    public init(catalog: Catalog, bucket: String) {
        self.catalog = catalog
        self.bucket = bucket
    }

    public func create(_ record: WorkspaceRecord) async throws {
        try await catalog.setBucketSetting(bucket: bucket, WorkspaceRecord.settingName(record.name), record.encoded())
    }

    public func list() throws -> [WorkspaceRecord] {
        try catalog.bucketSettings(bucket: bucket, prefix: WorkspaceRecord.settingName("")).compactMap { WorkspaceRecord(decoding: $0.document) }
    }

    public func record(_ name: String) throws -> WorkspaceRecord? {
        try catalog.bucketSetting(bucket: bucket, WorkspaceRecord.settingName(name)).flatMap(WorkspaceRecord.init(decoding:))
    }

    /// Forgets the workspace (its files stay until removed through S3 or `/files`).
    public func delete(_ name: String) async throws {
        try await catalog.setBucketSetting(bucket: bucket, WorkspaceRecord.settingName(name), nil)
    }

    /// Makes the workspace bucket, owned by `owner`, unless it exists.
    public func ensureBucket(owner: String, nowMilliseconds: Int64) async throws {
        guard try catalog.bucket(named: bucket) == nil else { return }
        guard let name = BucketName(validating: bucket) else { throw IndexError.invalidRequest("invalid workspace bucket name \(bucket)") }
        do {
            _ = try await catalog.createBucket(name, owner: owner, location: nil, nowMilliseconds: nowMilliseconds)
        } catch IndexError.bucketAlreadyOwnedByYou {
            return
        }
    }
}
