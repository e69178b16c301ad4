import Access
import ArgumentParser
import BlobStore
import Foundation
import HTTPSupport
import HyphaAPI
import Index
import NIOCore
import Objects
import S3API
import SporeJSON

/// `spore export BUCKET DIR`: writes a bucket's objects as a plain directory tree.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the current objects of a bucket to a directory tree (key a/b/c → DIR/a/b/c).",
        discussion:
            "Works beside a running daemon (read-only). Keys that cannot be file paths (empty segments, '.', '..', a trailing '/') are skipped and reported."
    )

    @OptionGroup var store: StoreOptions
    @Argument(help: "Bucket to export.") var bucket: String
    @Argument(help: "Target directory.") var target: String

    func run() async throws {
        let settings = try store.configuration()
        let access = try StoreAccess.open(settings, exclusive: false)
        let root = URL(fileURLWithPath: target).standardizedFileURL.path
        let now = SystemWallClock().nowMilliseconds()
        var after: [UInt8]?
        var exported = 0
        var skipped = [String]()
        var skippedCustomerKeyed = [String]()
        // SSE-S3 and SSE-KMS objects are written decrypted (the master keys open with this data
        // directory's secret); SSE-C objects cannot be: spore never had their keys.
        let keys = EncryptionKeys(catalog: access.catalog, serverSecret: try access.directory.secret())
        while true {
            let (_, page) = try access.catalog.objects.listObjects(bucket: bucket, query: ListQuery(after: after), nowMilliseconds: now)
            for entry in page.entries {
                guard let relative = Self.relativePath(entry.key) else {
                    skipped.append(entry.key)
                    continue
                }
                if entry.version.encryption?.kind == .customer {
                    skippedCustomerKeyed.append(entry.key)
                    continue
                }
                let path = root + "/" + relative
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                _ = FileManager.default.createFile(atPath: path, contents: nil)
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                if let encryption = entry.version.encryption {
                    let key = try keys.objectKey(for: encryption, customerKey: nil)
                    let window = entry.version.byteCount > 0 ? ByteRange.whole(entry.version.byteCount) : nil
                    for try await buffer in ObjectByteSequence(
                        blobs: access.blobs, body: entry.version.body, window: window, decryption: .success(key))
                    {
                        try handle.write(contentsOf: Data(buffer.readableBytesView))
                    }
                    try handle.close()
                    exported += 1
                    continue
                }
                switch entry.version.body {
                case .inline(let bytes):
                    try handle.write(contentsOf: Data(bytes))
                case .chunks(let chunks):
                    for chunk in chunks {
                        let reader = try await access.blobs.open(chunk.digest)
                        try await reader.read(range: 0..<reader.byteCount) { buffer in try handle.write(contentsOf: Data(buffer.readableBytesView)) }
                    }
                }
                try handle.close()
                exported += 1
            }
            guard page.isTruncated, let last = page.lastItem else { break }
            after = last
        }
        await access.close()
        Console.line("exported \(exported) objects of \(bucket) to \(root)")
        for key in skipped { Console.error("skipped key that is not a file path: \(key)") }
        for key in skippedCustomerKeyed { Console.error("skipped object encrypted with a customer key (SSE-C): \(key)") }
    }

    /// The key as a relative path, or nil when it cannot be one safely.
    static func relativePath(_ key: String) -> String? {
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !key.hasSuffix("/"), !key.hasPrefix("/"), segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else { return nil }
        return key
    }
}

/// `spore import DIR BUCKET`: stores a directory tree as objects.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store every file under a directory as an object of a bucket (DIR/a/b → key a/b), creating the bucket if needed.",
        discussion: "Needs the daemon stopped (it writes to the store); against a running daemon use 'aws s3 sync DIR s3://BUCKET'."
    )

    @OptionGroup var store: StoreOptions
    @Argument(help: "Source directory.") var source: String
    @Argument(help: "Bucket to fill.") var bucket: String
    @Option(help: "Owner of a bucket that has to be created (default: the root user).") var owner: String?

    func run() async throws {
        let settings = try store.configuration()
        let access = try StoreAccess.open(settings, exclusive: true)
        _ = try await access.catalog.checkFormat()
        let root = URL(fileURLWithPath: source).standardizedFileURL.path
        let clock = SystemWallClock()
        let ownerName =
            try owner
            ?? access.directory.rootCredentials(user: settings.string("root_user"), password: settings.string("root_password")).credential.user
        if try access.catalog.buckets.bucket(named: bucket) == nil {
            guard let name = BucketName(validating: bucket) else { throw SporeError("\(bucket) is not a valid bucket name") }
            _ = try await access.catalog.buckets.createBucket(name, owner: ownerName, location: nil, nowMilliseconds: clock.nowMilliseconds())
        }
        // Files stored here bypass the daemon, so they would get neither the bucket's default
        // encryption nor its default retention: such buckets are filled through S3 instead.
        if let record = try access.catalog.buckets.bucket(named: bucket), record.encryption != nil || record.defaultRetention != nil {
            await access.close()
            throw SporeError(
                "\(bucket) has default encryption or a default retention, which spore import cannot apply; start the daemon and use 'aws s3 sync \(root) s3://\(bucket)'"
            )
        }
        var imported = 0
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            let path = root + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                let key = ObjectKey(validating: relative), let data = FileManager.default.contents(atPath: path)
            else { continue }
            let (digests, lease) = try await access.blobs.store(ByteBuffer(bytes: data))
            let version = ObjectVersion(
                byteCount: digests.byteCount, etag: digests.md5.map { String(format: "%02x", $0) }.joined(),
                lastModifiedMilliseconds: clock.nowMilliseconds(),
                body: digests.byteCount == 0 ? .inline([]) : .chunks([Chunk(digest: digests.sha256, byteCount: digests.byteCount)]), owner: ownerName
            )
            _ = try await access.catalog.objects.putObject(bucket: bucket, key: key, version: version, nowMilliseconds: clock.nowMilliseconds())
            lease.release()
            imported += 1
        }
        await access.close()
        Console.line("imported \(imported) files from \(root) into \(bucket)")
    }
}
