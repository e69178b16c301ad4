import Access
import BlobStore
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Logging
import NIOCore
import Objects
import SporeJSON
import Synchronization

/// Status, users, keys and workspaces. Users and keys are root's, answered by the daemon's admin
/// service (the same calls `spore user …` and `spore key …` make), so the CLI and the console
/// cannot disagree.
struct AdminRoutes {
    let face: ConsoleFace

    func register(on router: Router<SporeRequestContext>) {
        router.get("/api/status") { request, context in try await status(request, context) }
        router.get("/api/users") { request, context in
            // The admin service lists the users made with `spore user add`; root and the users of
            // SPORE_USERS are built in, and shown as such.
            try await forward(request, context, "GET", "users") { answer in
                guard case .object(var object) = answer, case .array(var users)? = object["users"] else { return answer }
                let listed = Set(users.compactMap { $0["name"]?.stringValue })
                for name in face.credentials.userNames().sorted() where !listed.contains(name) {
                    users.append(["name": .string(name), "builtin": true, "disabled": false])
                }
                object["users"] = .array(users)
                return .object(object)
            }
        }
        router.post("/api/users") { request, context in
            let body = try await ConsoleRequest.jsonObject(request)
            return try await forward(request, context, "POST", "users", query: ["name": try Self.string(body, "name")])
        }
        router.delete("/api/users/:name") { request, context in
            try await forward(request, context, "DELETE", "users", query: ["name": try ConsoleRequest.parameter(context, "name")])
        }
        router.get("/api/keys") { request, context in
            try await forward(request, context, "GET", "keys", query: ConsoleRequest.query(request).filter { $0.key == "user" })
        }
        router.post("/api/keys") { request, context in
            let body = try await ConsoleRequest.jsonObject(request)
            var query = ["user": try Self.string(body, "user")]
            if let bucket = body["bucket"]?.stringValue, !bucket.isEmpty { query["bucket"] = bucket }
            if let prefix = body["prefix"]?.stringValue, !prefix.isEmpty { query["prefix"] = prefix }
            if body["readOnly"]?.boolValue == true { query["read_only"] = "true" }
            if let label = body["label"]?.stringValue, !label.isEmpty { query["label"] = label }
            return try await forward(request, context, "POST", "keys", query: query)
        }
        router.delete("/api/keys/:accessKey") { request, context in
            try await forward(request, context, "DELETE", "keys", query: ["access_key": try ConsoleRequest.parameter(context, "accessKey")])
        }
        router.get("/api/workspaces") { request, context in try workspaces(request, context) }
    }

    static func string(_ body: JSONObject, _ name: String) throws -> String {
        guard let value = body[name]?.stringValue, !value.isEmpty else { throw ConsoleError.invalid("\(name) is required.") }
        return value
    }

    /// Runs an admin command for root and answers its JSON (or its failure as a console error).
    private func forward(
        _ request: Request, _ context: SporeRequestContext, _ method: String, _ command: String, query: [String: String] = [:],
        adjust: (JSONValue) -> JSONValue = { $0 }
    ) async throws -> Response {
        let caller = try face.caller(request, context: context)
        context.labels.set(operation: "console.admin." + command, resource: "-")
        try face.requireRoot(caller)
        guard let admin = face.admin else { throw ConsoleError(.notImplemented, "NotImplemented", "The admin service is not available.") }
        let reply = try await admin(AdminRequest(method: method, command: command, query: query, body: []))
        let value = (try? JSONValue(parsing: Array(reply.json.utf8))) ?? .null
        guard reply.status < 300 else {
            let message = value["message"]?.stringValue ?? value["error"]?.stringValue ?? reply.json
            let status = HTTPResponse.Status(code: reply.status)
            let code = reply.status == 404 ? "NotFound" : reply.status == 409 ? "Conflict" : "InvalidArgument"
            throw ConsoleError(status, code, message)
        }
        return JSONResponse.make(adjust(value), status: method == "POST" ? .created : .ok)
    }

    /// Store-wide numbers for the status page (root only: they describe everyone's data).
    private func status(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let caller = try face.caller(request, context: context)
        context.labels.set(operation: "console.Status", resource: "-")
        try face.requireRoot(caller)
        let statistics = try face.catalog.statistics()
        let free = (try? await face.objects.disk.availableBytes()) ?? -1
        let buckets = statistics.buckets.map { entry -> JSONValue in
            ["name": .string(entry.name), "objects": .int(entry.statistics.versionCount), "bytes": .int(entry.statistics.byteCount)]
        }
        return JSONResponse.make([
            "disk": ["freeBytes": .int(free), "usedBytes": .int(statistics.physicalByteCount)],
            "objects": .int(statistics.versionCount), "logicalBytes": .int(statistics.logicalByteCount),
            "storedBytes": .int(statistics.physicalByteCount), "deduplicatedBytes": .int(statistics.deduplicatedByteCount),
            "blobs": .int(Int64(statistics.blobCount)), "uploadsOpen": .int(Int64(statistics.uploadCount)), "buckets": .array(buckets),
            "requests": ["total": .int(RequestTotals.shared.requestCount), "errors": .int(RequestTotals.shared.failureCount)],
            "uptimeSeconds": .int((face.now - face.startedAtMilliseconds) / 1000),
            "time": .string(Timestamp.iso8601(milliseconds: face.now)),
        ])
    }

    /// The Hypha-style workspaces the caller may see: all for root, otherwise the personal one
    /// and those the caller owns.
    private func workspaces(_ request: Request, _ context: SporeRequestContext) throws -> Response {
        let caller = try face.caller(request, context: context)
        context.labels.set(operation: "console.ListWorkspaces", resource: "-")
        let personal = "ws-user-" + caller.user
        var names = [JSONValue]()
        if !caller.principal.isRoot { names.append(["name": .string(personal), "owners": [.string(caller.user)], "personal": true]) }
        var seen = Set<String>()
        for record in try face.catalog.workspaces.list() where caller.principal.isRoot || record.owners.contains(caller.user) {
            seen.insert(record.name)
            names.append([
                "name": .string(record.name), "owners": .array(record.owners.map(JSONValue.string)), "readOnly": .bool(record.isReadOnly),
                "description": .string(record.description), "personal": false,
            ])
        }
        // Personal workspaces exist without a record: root sees those that hold files.
        if caller.principal.isRoot, try face.catalog.buckets.bucket(named: face.configuration.workspaceBucket) != nil {
            let query = ListQuery(prefix: Array("ws-user-".utf8), delimiter: Array("/".utf8), maxEntries: ListQuery.pageEntryCountMax)
            let (_, page) = try face.catalog.objects.listObjects(bucket: face.configuration.workspaceBucket, query: query, nowMilliseconds: face.now)
            for prefix in page.commonPrefixes {
                let name = String(prefix.dropLast())
                guard !seen.contains(name) else { continue }
                names.append(["name": .string(name), "owners": [.string(String(name.dropFirst("ws-user-".count)))], "personal": true])
            }
        }
        return JSONResponse.make(["workspaces": .array(names), "bucket": .string(face.configuration.workspaceBucket)])
    }
}
