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

/// `POST /api/objects/huggingface-import` (the seed's) and the jobs' progress and cancel.
struct ImportRoutes {
    let face: ConsoleFace

    func register(on router: Router<SporeRequestContext>) {
        router.post("/api/objects/huggingface-import") { request, context in try await start(request, context) }
        router.get("/api/imports") { request, context in try list(request, context) }
        router.get("/api/imports/:job") { request, context in try show(request, context) }
        router.get("/api/transfers/:job") { request, context in try show(request, context) }
        router.delete("/api/imports/:job") { request, context in try cancel(request, context) }
        router.get("/api/settings/huggingface") { request, context in try settings(request, context) }
        router.put("/api/settings/huggingface") { request, context in try await changeSettings(request, context) }
    }

    private func start(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let caller = try face.caller(request, context: context)
        let body = try await ConsoleRequest.jsonObject(request)
        let bucketName = try AdminRoutes.string(body, "bucketName")
        let repo = try AdminRoutes.string(body, "hfRepoId")
        context.labels.set(operation: "console.HuggingFaceImport", resource: bucketName + " <- " + repo)
        guard HubImporter.isValidRepoID(repo) else { throw ConsoleError.invalid("hfRepoId must look like owner/name.") }
        let revision = body["revision"]?.stringValue ?? "main"
        guard HubImporter.isValidRevision(revision) else { throw ConsoleError.invalid("revision is not a valid branch, tag or commit.") }
        guard let type = HubRepoType(rawValue: body["repoType"]?.stringValue ?? "model") else {
            throw ConsoleError.invalid("repoType is model, dataset or space.")
        }
        var prefix = body["s3Prefix"]?.stringValue ?? ""
        if !prefix.isEmpty, !prefix.hasSuffix("/") { prefix += "/" }
        guard prefix.isEmpty || ObjectKey(validating: prefix) != nil else { throw ConsoleError.invalid("s3Prefix is not a valid key prefix.") }
        let bucket = try face.authorizedBucket(caller, bucketName, action: "s3:PutObject", key: prefix + "x")
        // The daemon's hub token (HF_TOKEN or the settings endpoint) is root's to use: anyone else
        // imports public repositories, or private ones with a token of their own, never stored.
        let own = body["hfToken"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        if let own, own.utf8.count > ImportRoutes.tokenByteCountMax { throw ConsoleError.invalid("hfToken is too long.") }
        let token = caller.principal.isRoot ? (own ?? face.hubToken()) : own
        let files: [HubFile]
        do {
            files = try await face.imports.importer.listFiles(repo: repo, type: type, revision: revision, token: token)
        } catch let failure as HubImporter.HubFailure {
            throw ConsoleError(.badGateway, "HubError", failure.description)
        } catch {
            throw ConsoleError(.badGateway, "HubUnreachable", "The hub at \(face.imports.importer.settings.endpoint) cannot be reached: \(error)")
        }
        guard !files.isEmpty else { throw ConsoleError(.notFound, "NotFound", "The repository has no files at \(revision).") }
        guard files.count <= ImportJobs.fileCountMax else {
            throw ConsoleError.invalid("The repository has more than \(ImportJobs.fileCountMax) files.")
        }
        let total = files.reduce(Int64(0)) { $0 + $1.size }
        if total > (try await face.objects.disk.availableBytes()) {
            throw ConsoleError(
                ConsoleError.insufficientStorageStatus, "InsufficientStorage", "Not enough disk space for \(ByteText.describe(total)).")
        }
        let job = ImportJob(
            id: "import-" + RandomText.make(length: 12, alphabet: RandomText.tokenAlphabet), user: caller.user, bucket: bucketName, prefix: prefix,
            repo: repo, repoType: type, revision: revision, createdAtMilliseconds: face.now,
            files: files.map { ImportJob.File(path: $0.path, key: prefix + $0.path, size: $0.size) }
        )
        let face = self.face
        try face.imports.start(job, token: token, objects: face.objects, logger: face.logger) { key in
            face.allows(caller, bucket, action: "s3:PutObject", key: key)
        }
        return JSONResponse.make([
            "message": "Import started", "jobId": .string(job.id), "estimatedFiles": .int(Int64(files.count)), "estimatedSize": .int(total),
        ])
    }

    private func visible(_ caller: ConsoleCaller, _ job: ImportJob) -> Bool { caller.principal.isRoot || job.user == caller.user }

    private func list(_ request: Request, _ context: SporeRequestContext) throws -> Response {
        let caller = try face.caller(request, context: context)
        context.labels.set(operation: "console.ListImports", resource: "-")
        let jobs = face.imports.all().filter { visible(caller, $0) }
        return JSONResponse.make(["imports": .array(jobs.map { $0.describe(withFiles: false) })])
    }

    private func show(_ request: Request, _ context: SporeRequestContext) throws -> Response {
        let caller = try face.caller(request, context: context)
        let id = try ConsoleRequest.parameter(context, "job")
        context.labels.set(operation: "console.GetImport", resource: id)
        guard let job = face.imports.job(id), visible(caller, job) else { throw ConsoleError.notFound("No such import job.") }
        return JSONResponse.make(job.describe(withFiles: true))
    }

    private func cancel(_ request: Request, _ context: SporeRequestContext) throws -> Response {
        let caller = try face.caller(request, context: context)
        let id = try ConsoleRequest.parameter(context, "job")
        context.labels.set(operation: "console.CancelImport", resource: id)
        guard let job = face.imports.job(id), visible(caller, job) else { throw ConsoleError.notFound("No such import job.") }
        let stopped = face.imports.cancel(id)
        return JSONResponse.make(["jobId": .string(id), "cancelled": .bool(stopped), "status": .string(job.status.rawValue)])
    }

    // MARK: Settings

    static let tokenByteCountMax = 1024

    private func describeSettings() -> Response {
        let stored = face.storedHubToken() != nil
        let environment = face.imports.importer.settings.token != nil
        return JSONResponse.make([
            "endpoint": .string(face.imports.importer.settings.endpoint), "hasToken": .bool(stored || environment),
            "tokenSource": .string(stored ? "settings" : environment ? "environment" : "none"),
        ])
    }

    /// Root only: the hub's token is the daemon's, not one user's.
    private func settings(_ request: Request, _ context: SporeRequestContext) throws -> Response {
        let caller = try face.caller(request, context: context)
        context.labels.set(operation: "console.GetHubSettings", resource: "-")
        try face.requireRoot(caller)
        return describeSettings()
    }

    /// Stores the token sealed (with the daemon's secret) in the index, or removes it with null;
    /// a stored token wins over `HF_TOKEN`. It is never given back.
    private func changeSettings(_ request: Request, _ context: SporeRequestContext) async throws -> Response {
        let caller = try face.caller(request, context: context)
        context.labels.set(operation: "console.PutHubSettings", resource: "-")
        try face.requireRoot(caller)
        let body = try await ConsoleRequest.jsonObject(request)
        guard body.contains("token") else { throw ConsoleError.invalid("Send {\"token\": \"hf_…\"} or {\"token\": null}.") }
        if let token = body["token"]?.stringValue, !token.isEmpty {
            guard token.utf8.count <= Self.tokenByteCountMax, token.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                throw ConsoleError.invalid("That does not look like a Hugging Face token.")
            }
            try await face.catalog.setDaemonSetting(ConsoleFace.hubTokenSetting, try face.sealer.seal(token))
        } else {
            try await face.catalog.setDaemonSetting(ConsoleFace.hubTokenSetting, nil)
        }
        return describeSettings()
    }
}
