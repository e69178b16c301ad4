/// An S3 access control list: grants of permissions to grantees. Canned ACLs expand to these.
public struct AccessControlList: Sendable, Hashable {
    public enum Grantee: Sendable, Hashable {
        /// A user by canonical id.
        case user(String)
        case allUsers
        case authenticatedUsers
    }

    public enum Permission: String, Sendable, CaseIterable {
        case fullControl = "FULL_CONTROL"
        case read = "READ"
        case write = "WRITE"
        case readACP = "READ_ACP"
        case writeACP = "WRITE_ACP"
    }

    public struct Grant: Sendable, Hashable {
        public let grantee: Grantee
        public let permission: Permission

        public init(_ grantee: Grantee, _ permission: Permission) {
            self.grantee = grantee
            self.permission = permission
        }
    }

    public var grants: [Grant]

    public init(grants: [Grant]) { self.grants = grants }

    /// A canned ACL for an owner (and, for objects, the bucket owner); nil for an unknown name.
    public static func canned(_ name: String, ownerID: String, bucketOwnerID: String? = nil) -> AccessControlList? {
        // Group grants first, then the owner, then the bucket owner: the order RGW answers in.
        var grants = [Grant]()
        switch name {
        case "private", "log-delivery-write", "bucket-owner-read", "bucket-owner-full-control": break
        case "public-read": grants.append(Grant(.allUsers, .read))
        case "public-read-write":
            grants.append(Grant(.allUsers, .read))
            grants.append(Grant(.allUsers, .write))
        case "authenticated-read": grants.append(Grant(.authenticatedUsers, .read))
        default: return nil
        }
        grants.append(Grant(.user(ownerID), .fullControl))
        if let bucketOwnerID, bucketOwnerID != ownerID {
            if name == "bucket-owner-read" { grants.append(Grant(.user(bucketOwnerID), .read)) }
            if name == "bucket-owner-full-control" { grants.append(Grant(.user(bucketOwnerID), .fullControl)) }
        }
        return AccessControlList(grants: grants)
    }

    /// Whether the list gives `permission` to this requester (FULL_CONTROL implies every permission).
    public func allows(_ permission: Permission, canonicalID: String?, isAuthenticated: Bool, ignorePublic: Bool = false) -> Bool {
        grants.contains { grant in
            guard grant.permission == permission || grant.permission == .fullControl else { return false }
            switch grant.grantee {
            case .user(let id): return id == canonicalID
            case .allUsers: return !ignorePublic
            case .authenticatedUsers: return isAuthenticated && !ignorePublic
            }
        }
    }

    /// Whether anyone but named users is granted something.
    public var isPublic: Bool {
        grants.contains { $0.grantee == .allUsers || $0.grantee == .authenticatedUsers }
    }

    func encoded() -> [UInt8] {
        var writer = RecordWriter(format: 1)
        for grant in grants {
            let grantee: String
            switch grant.grantee {
            case .user(let id): grantee = "u:" + id
            case .allUsers: grantee = "all"
            case .authenticatedUsers: grantee = "auth"
            }
            writer.field(1, parts: [Array(grantee.utf8), Array(grant.permission.rawValue.utf8)])
        }
        return writer.bytes
    }

    init(decoding bytes: ArraySlice<UInt8>) throws(IndexError) {
        var reader = try RecordReader(Array(bytes))
        var grants = [Grant]()
        while let (tag, value) = try reader.next() {
            guard tag == 1 else { continue }
            let (granteeText, permissionText) = try ObjectVersion.pair(value)
            guard let permission = Permission(rawValue: permissionText) else { continue }
            let grantee: Grantee
            switch granteeText {
            case "all": grantee = .allUsers
            case "auth": grantee = .authenticatedUsers
            default: grantee = .user(String(granteeText.dropFirst(2)))
            }
            grants.append(Grant(grantee, permission))
        }
        self.grants = grants
    }
}
