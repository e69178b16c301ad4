import Access
import AsyncHTTPClient
import BlobStore
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Logging
import NIOCore
import NIOHTTP1
import Objects
import SporeJSON
import Synchronization

/// Where a Hugging Face hub is and how to speak to it: `HF_ENDPOINT` (as the `huggingface_hub`
/// library reads it; default the public hub) and `HF_TOKEN`.
public struct HubSettings: Sendable {
    public static let defaultEndpoint = "https://huggingface.co"

    public var endpoint: String
    public var token: String?
    /// Files larger than this are copied as a multipart upload of parts this large, each fetched
    /// with a Range request and retried on its own: a failure costs one part, not the file.
    public var partByteCount: Int64 = 64 << 20

    public init(endpoint: String?, token: String?) {
        let chosen = (endpoint?.isEmpty == false ? endpoint! : Self.defaultEndpoint)
        self.endpoint = chosen.hasSuffix("/") ? String(chosen.dropLast()) : chosen
        self.token = token?.isEmpty == false ? token : nil
    }

    /// From the process environment, as the hub's own library reads it.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> HubSettings {
        var settings = HubSettings(endpoint: environment["HF_ENDPOINT"], token: environment["HF_TOKEN"] ?? environment["HUGGING_FACE_HUB_TOKEN"])
        if let text = environment["SPORE_HF_PART_SIZE"], let bytes = Int64(text), bytes >= 1 << 20 { settings.partByteCount = bytes }
        return settings
    }
}

/// One file of a hub repository.
struct HubFile: Sendable, Equatable {
    let path: String
    let size: Int64
}

/// A repository kind: models live at `/<repo>`, datasets at `/datasets/<repo>`.
enum HubRepoType: String, Sendable {
    case model, dataset, space

    var apiSegment: String { rawValue + "s" }
    var resolvePrefix: String { self == .model ? "" : rawValue + "s/" }
}

/// Talks to a hub over HTTP(S): lists a repository's files and streams one file's bytes. Redirects
/// are followed by hand so the token is never sent to another host (the hub redirects large files
/// to a CDN).
public final class HubImporter: Sendable {
    static let redirectCountMax = 5
    static let listingPageCountMax = 100
    static let listingByteCountMax = 16 << 20
    static let repoIDByteCountMax = 200

    let settings: HubSettings
    let client: HTTPClient
    let logger: Logger

    public init(settings: HubSettings, logger: Logger) {
        self.settings = settings
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(20), read: .seconds(120)))
        configuration.decompression = .disabled
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.logger = logger
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    struct HubFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// A repo id is `name` or `owner/name` of letters, digits, `-`, `_` and `.` (never `..`).
    static func isValidRepoID(_ id: String) -> Bool {
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        guard !id.isEmpty, id.utf8.count <= repoIDByteCountMax, parts.count <= 2 else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part != "." && part != ".." && !part.contains("..")
                && part.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }
        }
    }

    static func isValidRevision(_ revision: String) -> Bool {
        !revision.isEmpty && revision.utf8.count <= 200 && !revision.contains("..")
            && revision.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 && !"?#%\\".unicodeScalars.contains($0) }
    }

    /// Every file of the repository at `revision` (the hub's tree API, all pages).
    func listFiles(repo: String, type: HubRepoType, revision: String, token: String?) async throws -> [HubFile] {
        var url: String? =
            "\(settings.endpoint)/api/\(type.apiSegment)/\(repo)/tree/\(PercentEncoding.encode(revision))?recursive=true&expand=false"
        var files = [HubFile]()
        var pages = 0
        while let next = url, pages < Self.listingPageCountMax {
            pages += 1
            let response = try await get(next, token: token)
            guard response.status == .ok else {
                let text = String(buffer: try await response.body.collect(upTo: 64 * 1024))
                throw HubFailure(description: Self.hubMessage(status: response.status.code, text, repo: repo))
            }
            let link = response.headers.first(name: "link")
            let body = try await response.body.collect(upTo: Self.listingByteCountMax)
            guard let value = try? JSONValue(parsing: Array(buffer: body)), let items = value.arrayValue else {
                throw HubFailure(description: "The hub's file list for \(repo) is not a JSON list.")
            }
            for item in items where item["type"]?.stringValue == "file" {
                guard let path = item["path"]?.stringValue, let size = item["size"]?.intValue else { continue }
                files.append(HubFile(path: path, size: size))
            }
            url = link.flatMap(Self.nextLink)
        }
        return files
    }

    /// The `rel="next"` URL of a `Link` header.
    static func nextLink(_ header: String) -> String? {
        for part in header.split(separator: ",") where part.contains("rel=\"next\"") {
            guard let open = part.firstIndex(of: "<"), let close = part.firstIndex(of: ">"), open < close else { continue }
            return String(part[part.index(after: open)..<close])
        }
        return nil
    }

    static func hubMessage(status: UInt, _ text: String, repo: String) -> String {
        let detail = (try? JSONValue(parsing: Array(text.utf8)))?["error"]?.stringValue ?? String(text.prefix(200))
        switch status {
        case 401, 403: return "The hub refused access to \(repo) (\(status)); set HF_TOKEN for private or gated repositories. \(detail)"
        case 404: return "The hub has no repository \(repo) at that revision (404)."
        default: return "The hub answered \(status) for \(repo): \(detail)"
        }
    }

    /// The URL of one file's bytes.
    func fileURL(repo: String, type: HubRepoType, revision: String, path: String) -> String {
        let encodedPath = path.split(separator: "/", omittingEmptySubsequences: false).map { PercentEncoding.encode(String($0)) }.joined(
            separator: "/")
        return "\(settings.endpoint)/\(type.resolvePrefix)\(repo)/resolve/\(PercentEncoding.encode(revision))/\(encodedPath)"
    }

    /// GET with the token for the hub's own host only, following redirects by hand.
    func get(_ url: String, token: String?, range: ClosedRange<Int64>? = nil) async throws -> HTTPClientResponse {
        var current = url
        // The token goes only to the hub's own origin (host and port), never to where it redirects.
        let hub = URL(string: settings.endpoint)
        let hubOrigin = hub.map { "\($0.scheme ?? "")://\($0.host ?? ""):\($0.port ?? -1)" }
        for _ in 0...Self.redirectCountMax {
            var request = HTTPClientRequest(url: current)
            request.headers.add(name: "User-Agent", value: "spore-hub-import")
            if let range { request.headers.add(name: "Range", value: "bytes=\(range.lowerBound)-\(range.upperBound)") }
            if let token, let url = URL(string: current), "\(url.scheme ?? "")://\(url.host ?? ""):\(url.port ?? -1)" == hubOrigin {
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
            }
            let response = try await client.execute(request, timeout: .seconds(300))
            guard [301, 302, 303, 307, 308].contains(response.status.code), let location = response.headers.first(name: "location") else {
                return response
            }
            _ = try? await response.body.collect(upTo: 64 * 1024)
            guard let next = URL(string: location, relativeTo: URL(string: current))?.absoluteString else {
                throw HubFailure(description: "The hub redirected to an invalid URL.")
            }
            current = next
        }
        throw HubFailure(description: "The hub redirected more than \(Self.redirectCountMax) times.")
    }
}
