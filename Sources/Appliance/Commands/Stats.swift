import ArgumentParser
import Foundation
import Index

/// `spore stats`: what the store holds.
struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print objects, bytes stored and bytes saved by deduplication, per bucket.")

    @OptionGroup var store: StoreOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let settings = try store.configuration()
        let access = try StoreAccess.open(settings, exclusive: false)
        let statistics = try access.catalog.statistics()
        await access.close()
        if json {
            let buckets = statistics.buckets.map {
                "{\"name\":\"\($0.name)\",\"versions\":\($0.statistics.versionCount),\"bytes\":\($0.statistics.byteCount),\"inline_bytes\":\($0.statistics.inlineByteCount)}"
            }
            Console.line(
                "{\"buckets\":[\(buckets.joined(separator: ","))],\"versions\":\(statistics.versionCount),\"logical_bytes\":\(statistics.logicalByteCount),"
                    + "\"stored_bytes\":\(statistics.physicalByteCount),\"deduplicated_bytes\":\(statistics.deduplicatedByteCount),"
                    + "\"blobs\":\(statistics.blobCount),\"uploads_open\":\(statistics.uploadCount),\"gc_pending\":\(statistics.garbageCount)}"
            )
            return
        }
        Console.line("bucket                                          versions            bytes")
        for (name, bucket) in statistics.buckets {
            Console.line(
                name.padding(toLength: 40, withPad: " ", startingAt: 0) + String(bucket.versionCount).leftPadded(16)
                    + String(bucket.byteCount).leftPadded(17))
        }
        Console.line("total: \(statistics.versionCount) versions, \(statistics.logicalByteCount) bytes")
        Console.line("stored: \(statistics.physicalByteCount) bytes in \(statistics.blobCount) blobs and the index")
        Console.line("saved by deduplication: \(statistics.deduplicatedByteCount) bytes")
        Console.line("multipart uploads open: \(statistics.uploadCount); blobs waiting for collection: \(statistics.garbageCount)")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
