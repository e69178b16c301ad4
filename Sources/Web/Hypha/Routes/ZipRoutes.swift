import Artifacts
import BlobStore
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import NIOCore
import Objects
import SporeJSON
import Synchronization
import Zip

/// The zip routes of the artifact API: `create-zip-file` (an artifact version, or some of its
/// files, as one archive with an exact length, resumable with `Range`) and `zip-files` (a listing
/// of, or one member of, a zip stored in an artifact, read by ranges without unpacking it).
struct ZipRoutes {
    let face: HyphaFace

    func register(on router: Router<SporeRequestContext>) {
        for method in [HTTPRequest.Method.get, .head] {
            router.on("/:workspace/artifacts/:alias/create-zip-file", method: method) { request, context in try await createZip(request, context) }
            router.on("/:workspace/artifacts/:alias/zip-files/**", method: method) { request, context in try await zipMember(request, context) }
        }
    }

    private func actor(_ request: Request, _ context: SporeRequestContext) throws -> (ArtifactActor, HyphaQuery, String, String) {
        let workspace = try HyphaFace.workspace(context)
        let query = HyphaQuery(target: request.uri.description)
        let caller = try face.caller(request, query: query)
        let base = face.artifactActor(caller)
        let actor = ArtifactActor(caller: base.caller, contextWorkspace: workspace) { base.workspaceAccess($0) }
        let alias = try ServiceRoutes.decoded(context.parameters.get("alias"))
        return (actor, query, workspace, alias)
    }

    private func createZip(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let (actor, query, workspace, alias) = try actor(request, context)
        var object: JSONObject = ["artifact_id": .string("\(workspace)/\(alias)")]
        if let version = query["version"] { object["version"] = .string(version) }
        if let stage = query["stage"] { object["stage"] = .string(stage) }
        let silent = ["true", "1", "yes"].contains(query["silent"]?.lowercased() ?? "")
        do {
            let artifacts = face.artifacts
            let (record, files, weight) = try artifacts.zipFiles(
                ArtifactArguments(object), files: query.all("file"), limit: ZipResponse.entryCountMax + 1, actor: actor)
            let sources = files.compactMap { file in
                ObjectKey(validating: file.key).map { ZipSource(name: file.path, version: file.version, bucket: face.bucket, key: $0) }
            }
            var count: (@Sendable () -> Void)?
            if !silent { count = { @Sendable in artifacts.countDownload(record, weight: weight) } }
            return try await ZipResponse.serve(
                face.objects, sources: sources, filename: "\(record.alias).zip", request: request, eventLoop: context.channel.eventLoop,
                onComplete: count
            )
        } catch let error as ZipResponse.Failure {
            throw HyphaError(status: .badRequest, detail: "\(error)", shape: .detailOnly)
        } catch {
            throw ArtifactRoutes.routeError(error)
        }
    }

    /// `…/zip-files/{zip}?path=member` or `…/zip-files/{zip}/~/{member}`.
    private func zipMember(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let (actor, query, workspace, alias) = try actor(request, context)
        let segments = request.uri.path.split(separator: "/", maxSplits: 5, omittingEmptySubsequences: false)
        guard segments.count > 5, let rest = PercentEncoding.decodeString(segments[5], plusIsSpace: false) else {
            throw HyphaError(status: .badRequest, detail: "A zip file path is required")
        }
        var zipPath = rest
        var member = query["path"] ?? ""
        let parts = rest.components(separatedBy: "/~/")
        if parts.count > 1 {
            zipPath = parts[0]
            guard member.isEmpty else { throw HyphaError.badRequest("Give the member either after /~/ or as ?path=, not both.") }
            member = parts.dropFirst().joined(separator: "/~/")
        }
        var object: JSONObject = ["artifact_id": .string("\(workspace)/\(alias)")]
        if let version = query["version"] { object["version"] = .string(version) }
        if let stage = query["stage"] { object["stage"] = .string(stage) }
        let archive: (record: ArtifactRecord, key: String, version: ObjectVersion?)
        do {
            archive = try face.artifacts.zipArchive(ArtifactArguments(object), path: zipPath, actor: actor)
        } catch {
            throw ArtifactRoutes.routeError(error)
        }
        guard let version = archive.version else { throw HyphaError.notFound("ZIP file not found: \(archive.key)") }
        let directory: ZipDirectory
        do {
            directory = try await face.zipDirectories.directory(of: version, key: archive.key, objects: face.objects)
        } catch let error as ZipError {
            throw HyphaError(status: .badRequest, detail: "Invalid ZIP file: \(error.message)")
        }
        let memberPath = member.hasPrefix("/") ? String(member.drop { $0 == "/" }) : member
        guard !memberPath.split(separator: "/").contains(where: { $0 == ".." }) else { throw HyphaError.badRequest("Invalid path: \(member)") }
        if memberPath.isEmpty || memberPath.hasSuffix("/") {
            let listing = Self.children(of: memberPath, in: directory)
            guard !listing.isEmpty || memberPath.isEmpty else { throw HyphaError.notFound("File not found inside ZIP: \(member)") }
            return JSONResponse.make(.array(listing))
        }
        guard let entry = directory.entry(named: memberPath), !entry.isDirectory else {
            if !Self.children(of: memberPath + "/", in: directory).isEmpty {
                return JSONResponse.make(.array(Self.children(of: memberPath + "/", in: directory)))
            }
            throw HyphaError.notFound("File not found inside ZIP: \(member)")
        }
        return try await serveMember(entry, directory: directory, archive: version, request: request, context: context)
    }

    /// The immediate children of `prefix` in an archive: files then directories, as Hypha lists them.
    static func children(of prefix: String, in directory: ZipDirectory) -> [JSONValue] {
        var files = [JSONValue]()
        var directories = [String]()
        var seen = Set<String>()
        for entry in directory.entries where entry.name.hasPrefix(prefix) && entry.name != prefix {
            let rest = entry.name.dropFirst(prefix.count)
            if let slash = rest.firstIndex(of: "/") {
                let name = String(rest[..<slash])
                if seen.insert(name).inserted { directories.append(name) }
            } else if !entry.isDirectory {
                files.append([
                    "type": "file", "name": .string(String(rest)), "size": .int(Int64(entry.uncompressedByteCount)),
                    "last_modified": .double(Double(entry.modifiedSeconds)),
                ])
            }
        }
        return files + directories.map { ["type": "directory", "name": .string($0)] }
    }

    private func serveMember(
        _ entry: ZipDirectoryEntry, directory: ZipDirectory, archive version: ObjectVersion, request: Request, context: SporeRequestContext
    ) async throws -> Response {
        let objects = face.objects
        let readRange = { (range: Range<UInt64>) async throws -> [UInt8] in try await ZipDirectoryCache.read(objects, version, range) }
        let dataRange: Range<UInt64>
        do {
            dataRange = try await directory.dataRange(of: entry, readRange: readRange)
            // Refuses encrypted members and unknown methods before the answer starts.
            _ = try ZipInflater(entry: entry)
        } catch let error as ZipError {
            throw HyphaError(status: .badRequest, detail: "Invalid ZIP file: \(error.message)")
        }
        let name = entry.name.split(separator: "/").last.map(String.init) ?? entry.name
        var headers = HTTPFields()
        headers[.contentType] = MediaTypes.guess(name)
        headers[.contentDisposition] = "attachment; filename=\"\(name.replacing("\"", with: "_"))\""
        headers[.contentLength] = String(entry.uncompressedByteCount)
        if request.method == .head { return Response(status: .ok, headers: headers) }
        let eventLoop = context.channel.eventLoop
        let window = dataRange.isEmpty ? nil : ByteRange(first: Int64(dataRange.lowerBound), last: Int64(dataRange.upperBound) - 1)
        let body = ResponseBody(contentLength: Int(entry.uncompressedByteCount)) { writer in
            var inflater = try ZipInflater(entry: entry)
            for try await chunk in objects.bytes(of: version, window: window) {
                try await inflater.inflate(Array(chunk.readableBytesView)) { output in
                    try await writer.write(ByteBuffer(bytes: output))
                    try await eventLoop.submit {}.get()
                }
            }
            try inflater.finish()
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}

/// The parsed central directories of recently opened zips, by object version: a member of a large
/// archive costs one ranged read of its data after the first access. Bounded by the memory the
/// parsed directories take (names dominate: an archive may have up to 64 MiB of them), and by
/// archives; the least recently used go first, but the newest always stays.
final class ZipDirectoryCache: Sendable {
    /// Estimated bytes of parsed directories the cache may hold across all archives.
    static let byteCountMax = 128 << 20
    /// Archives the cache may hold.
    static let archiveCountMax = 64
    /// Estimated bytes one parsed entry takes besides its name.
    static let entryOverheadBytes = 160

    private struct Cached {
        let key: String
        let directory: ZipDirectory
        let byteCount: Int
    }

    private let cached = Mutex<[Cached]>([])

    func directory(of version: ObjectVersion, key: String, objects: ObjectService) async throws -> ZipDirectory {
        let cacheKey = "\(key)#\(version.sequence)#\(version.etag)"
        if let hit = cached.withLock({ entries -> ZipDirectory? in
            guard let index = entries.firstIndex(where: { $0.key == cacheKey }) else { return nil }
            let found = entries.remove(at: index)
            entries.append(found)
            return found.directory
        }) {
            return hit
        }
        let directory = try await ZipDirectory.read(archiveByteCount: UInt64(version.byteCount)) { range in
            try await Self.read(objects, version, range)
        }
        let byteCount = directory.entries.reduce(0) { $0 + $1.name.utf8.count + Self.entryOverheadBytes }
        cached.withLock { entries in
            entries.removeAll { $0.key == cacheKey }
            entries.append(Cached(key: cacheKey, directory: directory, byteCount: byteCount))
            var total = entries.reduce(0) { $0 + $1.byteCount }
            while entries.count > 1, entries.count > Self.archiveCountMax || total > Self.byteCountMax {
                total -= entries.removeFirst().byteCount
            }
        }
        return directory
    }

    static func read(_ objects: ObjectService, _ version: ObjectVersion, _ range: Range<UInt64>) async throws -> [UInt8] {
        guard !range.isEmpty else { return [] }
        var bytes = [UInt8]()
        bytes.reserveCapacity(range.count)
        for try await chunk in objects.bytes(of: version, window: ByteRange(first: Int64(range.lowerBound), last: Int64(range.upperBound) - 1)) {
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        return bytes
    }
}
