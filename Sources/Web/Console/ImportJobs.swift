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

/// One Hugging Face import: a repository's files copied into a bucket prefix. A value type; the
/// runner changes it through `ImportJobs` and the API reads it.
struct ImportJob: Sendable {
    enum Status: String, Sendable {
        case queued, running, completed, failed, cancelled
    }

    struct File: Sendable {
        let path: String
        let key: String
        let size: Int64
        var loaded: Int64 = 0
        var status: Status = .queued
        var error: String?
        var attempts = 0
    }

    let id: String
    let user: String
    let bucket: String
    let prefix: String
    let repo: String
    let repoType: HubRepoType
    let revision: String
    let createdAtMilliseconds: Int64
    var files: [File]
    var status: Status = .queued
    var finishedAtMilliseconds: Int64?

    var totalBytes: Int64 { files.reduce(0) { $0 + $1.size } }
    var loadedBytes: Int64 { files.reduce(0) { $0 + $1.loaded } }
    var isFinished: Bool { status == .completed || status == .failed || status == .cancelled }

    /// The job's state once every file has ended: completed when all arrived, failed when any
    /// failed (the rest still arrived), cancelled when it was stopped.
    mutating func finish(nowMilliseconds: Int64, cancelled: Bool) {
        if cancelled {
            for index in files.indices where files[index].status == .queued || files[index].status == .running {
                files[index].status = .cancelled
            }
            status = .cancelled
        } else {
            status = files.contains { $0.status == .failed } ? .failed : .completed
        }
        finishedAtMilliseconds = nowMilliseconds
    }

    func describe(withFiles: Bool) -> JSONValue {
        var result: JSONObject = [
            "jobId": .string(id), "status": .string(status.rawValue), "bucketName": .string(bucket), "s3Prefix": .string(prefix),
            "hfRepoId": .string(repo), "repoType": .string(repoType.rawValue), "revision": .string(revision), "user": .string(user),
            "files": .int(Int64(files.count)), "doneFiles": .int(Int64(files.filter { $0.status == .completed }.count)),
            "failedFiles": .int(Int64(files.filter { $0.status == .failed }.count)), "totalBytes": .int(totalBytes),
            "loadedBytes": .int(loadedBytes), "createdAt": .string(Timestamp.iso8601(milliseconds: createdAtMilliseconds)),
        ]
        if let finished = finishedAtMilliseconds { result["finishedAt"] = .string(Timestamp.iso8601(milliseconds: finished)) }
        if withFiles {
            result["fileList"] = .array(
                files.map { file in
                    var entry: JSONObject = [
                        "path": .string(file.path), "key": .string(file.key), "size": .int(file.size), "loaded": .int(file.loaded),
                        "status": .string(file.status.rawValue), "attempts": .int(Int64(file.attempts)),
                    ]
                    if let error = file.error { entry["error"] = .string(error) }
                    return .object(entry)
                })
        }
        return .object(result)
    }
}

/// The import jobs of the daemon: at most `runningJobCountMax` run at once, at most `jobCountMax`
/// are remembered (finished ones are forgotten oldest first).
final class ImportJobs: Sendable {
    static let jobCountMax = 100
    /// Jobs one user may have queued or running, so nobody fills every slot.
    static let activeJobsPerUserMax = 5
    static let runningJobCountMax = 2
    static let fileCountMax = 100_000
    static let attemptCountMax = 3

    let importer: HubImporter
    private let jobs = Mutex<[String: ImportJob]>([:])
    private let tasks = Mutex<[String: Task<Void, Never>]>([:])
    private let gate = AdmissionGate(capacity: runningJobCountMax)

    init(importer: HubImporter) {
        self.importer = importer
    }

    func job(_ id: String) -> ImportJob? { jobs.withLock { $0[id] } }

    func all() -> [ImportJob] { jobs.withLock { Array($0.values) }.sorted { $0.createdAtMilliseconds > $1.createdAtMilliseconds } }

    private func change(_ id: String, _ body: (inout ImportJob) -> Void) {
        jobs.withLock { jobs in
            guard var job = jobs[id] else { return }
            body(&job)
            jobs[id] = job
        }
    }

    /// Registers and starts a job. `store` stores one file's body under its key.
    func start(_ job: ImportJob, token: String?, objects: ObjectService, logger: Logger, mayWrite: @escaping @Sendable (String) -> Bool) throws {
        try jobs.withLock { jobs in
            guard jobs.values.filter({ $0.user == job.user && !$0.isFinished }).count < Self.activeJobsPerUserMax else {
                throw ConsoleError(
                    .tooManyRequests, "TooManyRequests", "You have \(Self.activeJobsPerUserMax) imports under way; wait for one to end.")
            }
            if jobs.count >= Self.jobCountMax {
                let finished = jobs.values.filter(\.isFinished).sorted { $0.createdAtMilliseconds < $1.createdAtMilliseconds }
                guard let oldest = finished.first else {
                    throw ConsoleError(.tooManyRequests, "TooManyRequests", "Too many imports are running; wait for one to finish.")
                }
                jobs[oldest.id] = nil
            }
            jobs[job.id] = job
        }
        // Registered under the lock the task's own cleanup takes, so a job that ends at once
        // cannot leave its entry behind.
        tasks.withLock { tasks in
            tasks[job.id] = Task { [self] in
                await gate.enter()
                defer { gate.leave() }
                await run(job.id, token: token, objects: objects, logger: logger, mayWrite: mayWrite)
            }
        }
    }

    func cancel(_ id: String) -> Bool {
        guard let task = tasks.withLock({ $0[id] }) else { return false }
        task.cancel()
        return true
    }

    func cancelAll() async {
        let running = tasks.withLock { Array($0.values) }
        for task in running { task.cancel() }
        for task in running { await task.value }
        await importer.shutdown()
    }

    private func run(_ id: String, token: String?, objects: ObjectService, logger: Logger, mayWrite: @escaping @Sendable (String) -> Bool) async {
        defer { tasks.withLock { _ = $0.removeValue(forKey: id) } }
        guard let job = job(id) else { return }
        change(id) { $0.status = .running }
        logger.info("hub import started", metadata: ["job": "\(id)", "repo": "\(job.repo)", "files": "\(job.files.count)"])
        for index in job.files.indices {
            if Task.isCancelled { break }
            let file = job.files[index]
            change(id) { $0.files[index].status = .running }
            let outcome = await copy(file, of: job, index: index, token: token, objects: objects, mayWrite: mayWrite)
            change(id) { job in
                switch outcome {
                case .success: job.files[index].status = .completed
                case .failure(let message):
                    job.files[index].status = Task.isCancelled ? .cancelled : .failed
                    job.files[index].error = message
                }
            }
        }
        let cancelled = Task.isCancelled
        change(id) { $0.finish(nowMilliseconds: objects.clock.nowMilliseconds(), cancelled: cancelled) }
        let finished = self.job(id)
        logger.info(
            "hub import ended",
            metadata: ["job": "\(id)", "status": "\(finished?.status.rawValue ?? "-")", "bytes": "\(finished?.loadedBytes ?? 0)"])
    }

    enum Outcome {
        case success
        case failure(String)
    }

    /// Streams one file from the hub into the store, trying again from the start (the store keeps
    /// nothing of a failed attempt) up to `attemptCountMax` times.
    private func copy(
        _ file: ImportJob.File, of job: ImportJob, index: Int, token: String?, objects: ObjectService, mayWrite: @Sendable (String) -> Bool
    ) async
        -> Outcome
    {
        guard let key = ObjectKey(validating: file.key) else { return .failure("\(file.key) cannot be an object key") }
        guard mayWrite(file.key) else { return .failure("AccessDenied: you may not write \(file.key)") }
        if file.size > importer.settings.partByteCount {
            return await copyInParts(file, of: job, index: index, key: key, token: token, objects: objects)
        }
        var lastError = "not attempted"
        for attempt in 1...Self.attemptCountMax {
            if Task.isCancelled { return .failure("cancelled") }
            change(job.id) {
                $0.files[index].attempts = attempt
                $0.files[index].loaded = 0
            }
            do {
                let url = importer.fileURL(repo: job.repo, type: job.repoType, revision: job.revision, path: file.path)
                let response = try await importer.get(url, token: token)
                guard response.status == .ok else {
                    _ = try? await response.body.collect(upTo: 64 * 1024)
                    lastError = "the hub answered \(response.status.code) for \(file.path)"
                    // A missing or forbidden file will not appear on a second try.
                    if response.status.code < 500, response.status.code != 429 { return .failure(lastError) }
                    continue
                }
                let template = ObjectVersion(
                    byteCount: 0, etag: "", lastModifiedMilliseconds: 0, headers: ContentHeaders(contentType: MediaTypes.guess(file.path)),
                    userMetadata: [], checksums: [], body: .inline([]), owner: job.user
                )
                let jobID = job.id
                let body = ProgressReportingBody(base: response.body) { [self] bytes in
                    change(jobID) { $0.files[index].loaded += Int64(bytes) }
                }
                let spec = IngestSpec(declaredByteCount: file.size, byteCountMax: objects.settings.objectByteCountMax, allowsInline: true)
                _ = try await objects.put(bucket: job.bucket, key: key, body: body, spec: spec, template: template)
                change(job.id) { $0.files[index].loaded = file.size }
                return .success
            } catch is CancellationError {
                return .failure("cancelled")
            } catch {
                lastError = "\(error)"
                if Task.isCancelled { return .failure("cancelled") }
                if case ObjectError.storageFull = error { return .failure("Not enough disk space") }
            }
        }
        return .failure("\(lastError) (after \(Self.attemptCountMax) attempts)")
    }

    /// A large file as a multipart upload: each part fetched with a Range request and stored as it
    /// arrives, each retried on its own, so a dropped connection costs one part. Whatever fails
    /// or is cancelled aborts the upload, and its parts are freed.
    private func copyInParts(_ file: ImportJob.File, of job: ImportJob, index: Int, key: ObjectKey, token: String?, objects: ObjectService) async
        -> Outcome
    {
        guard file.size <= Limits.multipartObjectByteCountMax else {
            return .failure("The file is larger than the \(ByteText.describe(Limits.multipartObjectByteCountMax)) object limit.")
        }
        // Parts of at least the configured size, and few enough for the part-number limit.
        let minimumPart = (file.size + Int64(Limits.partNumberMax) - 1) / Int64(Limits.partNumberMax)
        let partSize = max(importer.settings.partByteCount, minimumPart, objects.settings.partByteCountMin)
        let template = MultipartUpload(key: key.value, owner: job.user, headers: ContentHeaders(contentType: MediaTypes.guess(file.path)))
        let upload: MultipartUpload
        do {
            upload = try await objects.createUpload(bucket: job.bucket, key: key, template: template)
        } catch {
            return .failure("\(error)")
        }
        let url = importer.fileURL(repo: job.repo, type: job.repoType, revision: job.revision, path: file.path)
        var parts = [CompletionPart]()
        var start: Int64 = 0
        var number = 1
        change(job.id) {
            $0.files[index].attempts = 1
            $0.files[index].loaded = 0
        }
        while start < file.size {
            let last = min(start + partSize, file.size) - 1
            var stored: UploadPart?
            var lastError = "not attempted"
            for attempt in 1...Self.attemptCountMax {
                if Task.isCancelled { break }
                change(job.id) { $0.files[index].attempts = max($0.files[index].attempts, attempt) }
                do {
                    let response = try await importer.get(url, token: token, range: start...last)
                    guard response.status == .partialContent || (response.status == .ok && start == 0 && last == file.size - 1) else {
                        _ = try? await response.body.collect(upTo: 64 * 1024)
                        lastError = "the hub answered \(response.status.code) for bytes \(start)-\(last) of \(file.path)"
                        if response.status.code < 500, response.status.code != 429 { break }
                        continue
                    }
                    let jobID = job.id
                    let body = ProgressReportingBody(base: response.body) { [self] bytes in
                        change(jobID) { $0.files[index].loaded += Int64(bytes) }
                    }
                    let spec = IngestSpec(declaredByteCount: last - start + 1, byteCountMax: Limits.partByteCountMax, allowsInline: false)
                    let partKey = try objects.partKey(for: upload)
                    let ingested = try await objects.ingest(body, spec, encryptingWith: partKey)
                    var part = UploadPart(
                        partNumber: number, etag: Hex.encode(ingested.digests.md5), byteCount: ingested.digests.byteCount,
                        chunks: ingested.body.chunks, checksum: nil, lastModifiedMilliseconds: objects.clock.nowMilliseconds())
                    part.crc32 = ingested.digests.crc32
                    do {
                        try await objects.catalog.uploads.putPart(
                            bucket: job.bucket, key: key, uploadID: upload.uploadID, part: part, md5: partKey == nil ? ingested.digests.md5 : nil)
                        ingested.lease?.release()
                    } catch {
                        await objects.abandon(ingested)
                        throw error
                    }
                    stored = part
                    break
                } catch {
                    // The part starts again: the progress goes back to the parts already stored.
                    let partStart = start
                    change(job.id) { $0.files[index].loaded = partStart }
                    lastError = "\(error)"
                    if case ObjectError.storageFull = error { break }
                }
            }
            guard let part = stored else {
                try? await objects.catalog.uploads.abortUpload(
                    bucket: job.bucket, key: key, uploadID: upload.uploadID, nowMilliseconds: objects.clock.nowMilliseconds())
                return .failure(Task.isCancelled ? "cancelled" : "\(lastError) (after \(Self.attemptCountMax) attempts)")
            }
            parts.append(CompletionPart(partNumber: part.partNumber, etag: part.etag, checksum: nil))
            start = last + 1
            number += 1
        }
        do {
            _ = try await objects.catalog.uploads.completeUpload(
                bucket: job.bucket, key: key, uploadID: upload.uploadID, parts: parts, partByteCountMin: objects.settings.partByteCountMin,
                expectedChecksum: nil, preconditions: .none, nowMilliseconds: objects.clock.nowMilliseconds())
        } catch {
            try? await objects.catalog.uploads.abortUpload(
                bucket: job.bucket, key: key, uploadID: upload.uploadID, nowMilliseconds: objects.clock.nowMilliseconds())
            return .failure("\(error)")
        }
        change(job.id) { $0.files[index].loaded = file.size }
        return .success
    }
}
