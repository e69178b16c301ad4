import Foundation
import Testing
import Zip

@Suite struct Zip64Tests {
    /// Lists every member's name, size, compressed size and header offset, reads the members named in
    /// the remaining arguments (zipfile checks their local header and CRC), and runs `testzip()` when the
    /// second argument is "test".
    static let pythonInspect = """
        import json, sys, zipfile
        with zipfile.ZipFile(sys.argv[1]) as z:
            bad = z.testzip() if sys.argv[2] == "test" else None
            infos = z.infolist()
            read = {name: len(z.read(name)) for name in sys.argv[3:]}
            print(json.dumps({"bad": bad, "count": len(infos), "read": read,
                              "entries": [[i.filename, i.file_size, i.compress_size, i.header_offset] for i in infos[:10]]}))
        """

    static func inspect(_ path: String, test: Bool, read names: [String] = []) throws -> [String: Any] {
        let result = try ZipTestSupport.run(["python3", "-c", pythonInspect, path, test ? "test" : "list"] + names)
        #expect(result.status == 0, "\(result.output.prefix(2000))")
        return try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] ?? [:]
    }

    @Test func moreThan65535EntriesUseZip64EndRecords() async throws {
        let count = 70_000
        let entries = (0..<count).map { ZipTestSupport.generatedEntry("many/\($0).txt", index: $0, byteCount: UInt64($0 % 3)) }
        let layout = try ZipLayout(entries: entries)
        #expect(layout.usesZip64EndRecords)
        let path = ZipTestSupport.temporaryPath("many.zip")
        try ZipTestSupport.writeSparseArchive(layout, to: path, data: ZipTestSupport.generatedData)

        let report = try Self.inspect(path, test: true, read: ["many/69999.txt"])
        #expect(report["bad"] is NSNull)
        #expect(report["count"] as? Int == count)
        #expect((report["read"] as? [String: Int])?["many/69999.txt"] == 0)
        let unzip = try ZipTestSupport.run(["unzip", "-tq", path])
        #expect(unzip.status == 0, "\(unzip.output.prefix(2000))")

        let (size, read) = try ZipTestSupport.fileReader(path)
        let directory = try await ZipDirectory.read(archiveByteCount: size) { try read($0) }
        #expect(directory.entries.count == count)
        #expect(directory.entries.map(\.name) == entries.map(\.name))
        #expect(directory.entries.map(\.crc32) == entries.map(\.crc32))
        let last = try #require(directory.entry(named: "many/69998.txt"))
        #expect(try await directory.dataRange(of: last) { try read($0) } == layout.dataRange(ofEntry: 69_998))
    }

    /// Multi-gigabyte members without gigabytes: the data is a hole in a sparse file. Python and our reader
    /// check the directory, the ZIP64 fields and a member past 4 GiB; the zeros' CRC is not checked here.
    @Test func hugeMembersHaveZip64FieldsWhereNeeded() async throws {
        let after = ZipTestSupport.generatedEntry("after.txt", index: 2, byteCount: 100)
        let entries = [
            ZipEntry(name: "zeros-5g.bin", byteCount: 5 << 30, crc32: 0xDEAD_BEEF, modifiedSeconds: 1_700_000_000),
            ZipEntry(name: "exactly-ffffffff.bin", byteCount: 0xFFFF_FFFF, crc32: 0xDEAD_BEEF, modifiedSeconds: 1_700_000_000),
            after,
            ZipEntry(name: "small-below.bin", byteCount: 0xFFFF_FFFE, crc32: 0xDEAD_BEEF, modifiedSeconds: 1_700_000_000),
            ZipEntry(name: "dir/", byteCount: 0, crc32: 0, modifiedSeconds: 1_700_000_000),
        ]
        let layout = try ZipLayout(entries: entries)
        #expect(layout.usesZip64EndRecords)
        #expect(layout.byteCount > 13 << 30)
        let path = ZipTestSupport.temporaryPath("huge-sparse.zip")
        defer { unlink(path) }
        try ZipTestSupport.writeSparseArchive(layout, to: path) { index, range in
            index == 2 ? ZipTestSupport.generatedData(entry: index, range: range) : nil
        }
        let report = try Self.inspect(path, test: false, read: ["after.txt"])
        #expect((report["read"] as? [String: Int])?["after.txt"] == 100)
        let listed = (report["entries"] as? [[Any]] ?? []).map { $0.compactMap { ($0 as? NSNumber)?.uint64Value } }
        #expect(listed.map { $0.first } == entries.map(\.byteCount))
        let headerOffsets: [UInt64?] = entries.indices.map { index in
            layout.dataRange(ofEntry: index).lowerBound - 30 - 9 - headerExtra(entries[index])
        }
        #expect(listed.map { $0.last } == headerOffsets)

        let (size, read) = try ZipTestSupport.fileReader(path)
        let directory = try await ZipDirectory.read(archiveByteCount: size) { try read($0) }
        #expect(directory.entries.map(\.uncompressedByteCount) == entries.map(\.byteCount))
        #expect(directory.entries.map(\.compressedByteCount) == entries.map(\.byteCount))
        #expect(directory.entries.map(\.isDirectory) == [false, false, false, false, true])
        for (index, entry) in directory.entries.enumerated() {
            #expect(try await directory.dataRange(of: entry) { try read($0) } == layout.dataRange(ofEntry: index))
        }
        // A range in the middle of the 5 GiB member, and one spanning the end of the last member's data.
        let fourGiB: UInt64 = 4 << 30
        let firstData = layout.dataRange(ofEntry: 0).lowerBound  // 30 + 12 (name) + 9 (timestamp) + 20 (ZIP64)
        #expect(firstData == 71)
        #expect(layout.parts(in: fourGiB..<fourGiB + 10) == [.entryData(index: 0, range: fourGiB - firstData..<fourGiB - firstData + 10)])
        let lastData = layout.dataRange(ofEntry: 3)
        #expect(layout.parts(in: lastData.upperBound - 1..<lastData.upperBound + 1).count == 2)
    }

    /// Local header length before the data: name plus the ZIP64 extra (20 bytes) for members of 0xFFFFFFFF or more.
    private func headerExtra(_ entry: ZipEntry) -> UInt64 {
        UInt64(entry.name.utf8.count) + (entry.byteCount >= 0xFFFF_FFFF ? 20 : 0)
    }

    /// The real thing: a 4.3 GB member of zeros followed by a small member, checked byte for byte by
    /// `zipfile.testzip()` and `unzip -t`. Runs only with SPORE_ZIP_BIG_TEST=1: it takes about 31 s (Python 12 s, unzip 17 s).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SPORE_ZIP_BIG_TEST"] == "1"))
    func aFourGigabyteMemberPassesPythonAndUnzip() throws {
        let zeroCount: UInt64 = 4_300_000_000
        let clock = ContinuousClock()
        let start = clock.now
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        var crc: UInt32 = 0
        var remaining = zeroCount
        while remaining > 0 {
            let count = Int(min(remaining, UInt64(zeros.count)))
            crc = ZipCRC32.checksum(zeros[..<count], continuing: crc)
            remaining -= UInt64(count)
        }
        let entries = [
            ZipEntry(name: "zeros.bin", byteCount: zeroCount, crc32: crc, modifiedSeconds: 1_700_000_000),
            ZipTestSupport.generatedEntry("after-4g.txt", index: 1, byteCount: 5000),
        ]
        let layout = try ZipLayout(entries: entries)
        let path = ZipTestSupport.temporaryPath("zeros-4g.zip")
        defer { unlink(path) }
        try ZipTestSupport.writeSparseArchive(layout, to: path) { index, range in
            index == 1 ? ZipTestSupport.generatedData(entry: index, range: range) : nil
        }
        let written = clock.now
        let report = try Self.inspect(path, test: true)
        #expect(report["bad"] is NSNull)
        let python = clock.now
        let unzip = try ZipTestSupport.run(["unzip", "-tq", path])
        #expect(unzip.status == 0, "\(unzip.output.prefix(2000))")
        print("4.3 GB zip: CRC and sparse write \(written - start), Python testzip \(python - written), unzip -t \(clock.now - python)")
    }
}
