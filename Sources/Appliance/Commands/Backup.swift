import ArgumentParser
import BlobStore
import Foundation
import Index

/// `spore backup DEST`: a consistent hot copy of the index and the blobs it refers to.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the store to a directory: a consistent snapshot of the index and every blob it refers to.",
        discussion:
            "Safe while the daemon runs: the index is copied from one read transaction, and blobs are immutable. Running it again into the same directory copies only new blobs. Restore with 'spore restore'."
    )

    @OptionGroup var store: StoreOptions
    @Argument(help: "Backup directory (created; its index/ must not exist yet).") var destination: String

    func run() async throws {
        let settings = try store.configuration()
        let access = try StoreAccess.open(settings, exclusive: false)
        let target = URL(fileURLWithPath: destination).standardizedFileURL.path
        let indexTarget = target + "/index"
        guard !FileManager.default.fileExists(atPath: indexTarget + "/data.mdb") else {
            throw SporeError("\(indexTarget) already holds an index; back up into a new directory")
        }
        try FileManager.default.createDirectory(atPath: indexTarget, withIntermediateDirectories: true)
        try access.catalog.environment.copy(to: indexTarget)
        // The blobs the snapshot refers to, read from the snapshot itself. A backup keeps every
        // blob as a file of its own, so the copy's packed locations (places in the source's
        // segments) are dropped.
        let snapshot = try Catalog(directory: indexTarget)
        let audit = try snapshot.auditReferences()
        _ = try await snapshot.forgetAllLocations()
        await snapshot.close()
        // Read through the live index: compaction may have moved a packed blob since the snapshot.
        let source = access.blobs
        let destinationStore = try LocalBlobStore(root: target, threadCount: 4)
        var manifest = [String]()
        var copied = 0
        for digest in audit.computed.keys.sorted() where audit.computed[digest, default: 0] > 0 {
            if try await destinationStore.size(of: digest) == nil {
                try await Self.copy(digest, from: source, to: destinationStore)
                copied += 1
            }
            manifest.append("\(digest.hex) \(audit.sizes[digest] ?? 0)")
        }
        for name in ["secret", "root-credentials"] {
            let path = access.directory.path + "/" + name
            if let data = FileManager.default.contents(atPath: path) {
                try DataDirectory.writePrivate(String(decoding: data, as: UTF8.self), to: target + "/" + name)
            }
        }
        try DataDirectory.writePrivate(manifest.joined(separator: "\n") + "\n", to: target + "/blob-manifest")
        await access.close()
        await destinationStore.shutdown()
        Console.line("backup of \(access.directory.path) in \(target): index snapshot, \(manifest.count) blobs (\(copied) copied now)")
    }

    /// Copies one blob through the blob store, which re-hashes it on the way: a corrupt source
    /// blob fails the copy instead of spreading.
    static func copy(_ digest: BlobDigest, from source: any BlobStorage, to target: any BlobStorage) async throws {
        let reader = try await source.open(digest)
        let writer = try await target.makeWriter(checksums: [], byteCountMax: reader.byteCount, expectedByteCount: reader.byteCount)
        do {
            try await reader.read(range: 0..<reader.byteCount, chunkByteCount: 1 << 20) { try await writer.write($0) }
            let staged = try await writer.finish()
            guard staged.digests.sha256 == digest else {
                await target.discard(staged)
                throw SporeError("blob \(digest) does not match its digest; run 'spore fsck'")
            }
            try await target.place(staged).release()
        } catch {
            await writer.abort()
            throw error
        }
    }
}

/// `spore restore SRC`: makes a data directory from a backup.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Restore a backup made by 'spore backup' into an empty data directory.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "Backup directory.") var source: String

    func run() async throws {
        let settings = try store.configuration()
        let directory = try DataDirectory(path: settings.string("data_dir") ?? "./spore-data")
        guard !directory.isLocked() else { throw SporeError("a spore daemon is using \(directory.path); stop it first") }
        guard !FileManager.default.fileExists(atPath: directory.indexPath + "/data.mdb") else {
            throw SporeError("\(directory.path) already holds a store; restore into an empty data directory")
        }
        let lock = try directory.lock()
        let origin = URL(fileURLWithPath: source).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: origin + "/index/data.mdb") else { throw SporeError("\(origin) is not a spore backup") }
        try FileManager.default.createDirectory(atPath: directory.indexPath, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: origin + "/index/data.mdb", toPath: directory.indexPath + "/data.mdb")
        for name in ["secret", "root-credentials"] {
            if let data = FileManager.default.contents(atPath: origin + "/" + name) {
                try DataDirectory.writePrivate(String(decoding: data, as: UTF8.self), to: directory.path + "/" + name)
            }
        }
        let manifest = (try? String(contentsOfFile: origin + "/blob-manifest", encoding: .utf8)) ?? ""
        let sourceStore = try LocalBlobStore(root: origin, threadCount: 4, inspectOnly: true)
        let targetStore = try LocalBlobStore(root: directory.path, threadCount: 4)
        var restored = 0
        for line in manifest.split(separator: "\n") {
            guard let hex = line.split(separator: " ").first, let digest = BlobDigest(hex: hex) else { continue }
            try await Backup.copy(digest, from: sourceStore, to: targetStore)
            restored += 1
        }
        await sourceStore.shutdown()
        await targetStore.shutdown()
        let catalog = try Catalog(directory: directory.indexPath)
        _ = try await catalog.checkFormat()
        await catalog.close()
        withExtendedLifetime(lock) {}
        Console.line("restored \(origin) into \(directory.path): index and \(restored) blobs; run 'spore fsck' to check it")
    }
}
