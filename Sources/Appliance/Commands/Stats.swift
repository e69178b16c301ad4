import ArgumentParser
import Foundation
import Index
import SporeJSON

/// `spore stats`: what the store holds.
struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print objects, bytes stored and bytes saved by deduplication, per bucket.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let settings = try store.configuration()
        let access = try StoreAccess.open(settings, exclusive: false)
        let statistics = try access.catalog.statistics()
        await access.close()
        let buckets = statistics.buckets.map { bucket -> JSONValue in
            [
                "name": .string(bucket.name), "versions": .int(bucket.statistics.versionCount), "bytes": .int(bucket.statistics.byteCount),
                "inline_bytes": .int(bucket.statistics.inlineByteCount),
            ]
        }
        let answer: JSONValue = [
            "buckets": .array(buckets), "versions": .int(statistics.versionCount), "logical_bytes": .int(statistics.logicalByteCount),
            "stored_bytes": .int(statistics.physicalByteCount), "deduplicated_bytes": .int(statistics.deduplicatedByteCount),
            "blobs": .int(statistics.blobCount), "uploads_open": .int(statistics.uploadCount), "gc_pending": .int(statistics.garbageCount),
        ]
        output.emit(answer, human: Self.summary)
    }

    /// A table of buckets, then the totals in words, sizes in binary units.
    static func summary(_ answer: JSONValue) -> [String] {
        var table = TextTable([.left("BUCKET"), .right("VERSIONS"), .right("SIZE")])
        for bucket in answer["buckets"]?.arrayValue ?? [] {
            table.append([Shown.text(bucket, "name"), Shown.text(bucket, "versions"), Shown.bytes(bucket["bytes"]?.intValue ?? 0)])
        }
        func number(_ name: String) -> Int64 { answer[name]?.intValue ?? 0 }
        return table.lines + [
            "",
            "total: \(Shown.count(number("versions"), "version")), \(Shown.bytes(number("logical_bytes")))",
            "stored: \(Shown.bytes(number("stored_bytes"))) in \(Shown.count(number("blobs"), "blob")) and the index",
            "saved by deduplication: \(Shown.bytes(number("deduplicated_bytes")))",
            "multipart uploads open: \(number("uploads_open")); blobs waiting for collection: \(number("gc_pending"))",
        ]
    }
}
