import Objects

/// A call to spore's admin API: `/_spore/admin/v1/<command>` on the S3 listener, signed with the
/// root credentials. (`_spore` can never be a bucket name, so the path cannot collide.)
public struct AdminRequest: Sendable {
    public static let pathPrefix = "/_spore/admin/v1/"

    public let method: String
    public let command: String
    public let query: [String: String]
    public let body: [UInt8]

    public init(method: String, command: String, query: [String: String], body: [UInt8]) {
        self.method = method
        self.command = command
        self.query = query
        self.body = body
    }
}

public struct AdminResponse: Sendable {
    public let status: Int
    /// A JSON document.
    public let json: String

    public init(status: Int = 200, json: String) {
        self.status = status
        self.json = json
    }
}

/// What the daemon does for admin calls; injected by the composition root.
public typealias AdminHandler = @Sendable (AdminRequest) async throws -> AdminResponse
