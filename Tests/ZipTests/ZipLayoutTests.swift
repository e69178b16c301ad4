import Foundation
import SporeTestSupport
import Testing
import Zip

@Suite struct ZipLayoutTests {
    static let smallEntries: [ZipEntry] = [
        ZipTestSupport.generatedEntry("hello.txt", index: 0, byteCount: 13, modified: 1_709_214_330),  // 2024-02-29 13:45:30Z
        ZipEntry(name: "dir/", byteCount: 0, crc32: 0, modifiedSeconds: 1_700_000_000),
        ZipTestSupport.generatedEntry("dir/ünïcødé 文件.txt", index: 2, byteCount: 1000),
        ZipEntry(name: "empty.txt", byteCount: 0, crc32: 0, modifiedSeconds: 0),  // 1970: clamps to 1980-01-01
        ZipTestSupport.generatedEntry("emoji 🎉/data.bin", index: 4, byteCount: 70_000),
    ]

    @Test func smallArchivePassesPythonAndUnzip() throws {
        let layout = try ZipLayout(entries: Self.smallEntries)
        #expect(!layout.usesZip64EndRecords)
        let bytes = ZipTestSupport.archiveBytes(layout)
        #expect(UInt64(bytes.count) == layout.byteCount)
        // Our layout: 30 + 46 + 2·name + 18 (two extended timestamps) per entry, plus data, plus 22.
        let expected = Self.smallEntries.reduce(UInt64(22)) { $0 + $1.byteCount + 94 + 2 * UInt64($1.name.utf8.count) }
        #expect(layout.byteCount == expected)

        let path = ZipTestSupport.temporaryPath("small.zip")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let python = try ZipTestSupport.python(ZipTestSupport.pythonCheck, path)
        #expect(python.status == 0, "\(python.output)")
        let report = try JSONSerialization.jsonObject(with: Data(python.output.utf8)) as? [String: Any]
        #expect(report?["bad"] is NSNull)
        let entries = report?["entries"] as? [[Any]] ?? []
        #expect(entries.map { $0[0] as? String } == Self.smallEntries.map(\.name))
        #expect(entries.map { ($0[1] as? NSNumber)?.uint64Value } == Self.smallEntries.map(\.byteCount))
        #expect(entries.map { ($0[2] as? NSNumber)?.uint32Value } == Self.smallEntries.map(\.crc32))
        #expect(entries.first?[3] as? [Int] == [2024, 2, 29, 13, 45, 30])
        #expect(entries[3][3] as? [Int] == [1980, 1, 1, 0, 0, 0])

        let unzip = try ZipTestSupport.run(["unzip", "-t", path])
        #expect(unzip.status == 0, "\(unzip.output)")
        #expect(unzip.output.contains("No errors detected"))
        // unzip applies the extended timestamp: its verbose listing shows the exact UTC time.
        let listing = try ZipTestSupport.run(["unzip", "-Z", "-v", path])
        #expect(listing.output.contains("2024 Feb 29 13:45:30"), "\(listing.output.prefix(2000))")
    }

    @Test func emptyArchiveIsTheEndRecordAlone() throws {
        let layout = try ZipLayout(entries: [])
        #expect(layout.byteCount == 22)
        let bytes = ZipTestSupport.archiveBytes(layout)
        #expect(bytes == [0x50, 0x4b, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))
    }

    @Test func randomRangesConcatenateToTheArchive() throws {
        var random = SplitMix64(seed: 42)
        var entries: [ZipEntry] = []
        var contents: [[UInt8]] = []
        for index in 0..<3000 {
            let size: UInt64 = index % 7 == 0 ? 0 : UInt64.random(in: 1...(index % 50 == 0 ? 100_000 : 300), using: &random)
            contents.append(ZipTestSupport.generatedData(entry: index, range: 0..<size))
            entries.append(
                ZipEntry(
                    name: "d\(index % 13)/file-\(index)-é.bin", byteCount: size, crc32: ZipCRC32.checksum(contents[index]),
                    modifiedSeconds: 1_700_000_000))
        }
        let data = { (index: Int, range: Range<UInt64>) in Array(contents[index][Int(range.lowerBound)..<Int(range.upperBound)]) }
        let layout = try ZipLayout(entries: entries)
        #expect(layout.centralDirectoryByteCount > UInt64(ZipLayout.mergedPartMaximumBytes))
        let full = ZipTestSupport.archiveBytes(layout, data: data)
        #expect(UInt64(full.count) == layout.byteCount)
        #expect(ZipTestSupport.archiveBytes(layout, range: 0..<layout.byteCount, data: data) == full)
        let path = ZipTestSupport.temporaryPath("ranges.zip")
        try Data(full).write(to: URL(fileURLWithPath: path))
        let python = try ZipTestSupport.python(ZipTestSupport.pythonCheck, path)
        #expect(python.status == 0 && python.output.contains("\"bad\": null"), "\(python.output.prefix(500))")

        var ranges: [Range<UInt64>] = [0..<0, 0..<1, layout.byteCount - 1..<layout.byteCount, layout.byteCount..<layout.byteCount]
        ranges.append(layout.centralDirectoryOffset - 1..<layout.centralDirectoryOffset + 1)
        ranges.append(layout.dataRange(ofEntry: 1))
        for _ in 0..<400 {
            let start = UInt64.random(in: 0...layout.byteCount, using: &random)
            let length = UInt64.random(in: 0...(Bool.random(using: &random) ? 200 : 300_000), using: &random)
            ranges.append(start..<min(start + length, layout.byteCount))
        }
        for range in ranges {
            let parts = layout.parts(in: range)
            #expect(parts.allSatisfy { $0.byteCount > 0 }, "empty part in \(range)")
            let bytes = ZipTestSupport.archiveBytes(layout, range: range, data: data)
            guard bytes[...] == full[Int(range.lowerBound)..<Int(range.upperBound)] else {
                Issue.record("range \(range) differs from the full archive")
                return
            }
        }
    }

    @Test func dataPartsPointAtTheRightEntry() throws {
        let layout = try ZipLayout(entries: Self.smallEntries)
        let range = layout.dataRange(ofEntry: 4)
        let inner = range.lowerBound + 10..<range.upperBound - 10
        #expect(layout.parts(in: inner) == [.entryData(index: 4, range: 10..<69_990)])
        let parts = layout.parts(in: range.lowerBound - 5..<range.lowerBound + 5)
        #expect(parts.count == 2)
        #expect(parts.last == .entryData(index: 4, range: 0..<5))
    }

    @Test(arguments: ["", "/etc/passwd", "\\windows", "C:/x", "a/../b", "..", "../x", "a/..", "a\\..\\b", "a\u{0}b"])
    func badNamesAreRefused(_ name: String) {
        #expect(throws: ZipError.self) { try ZipLayout(entries: [ZipEntry(name: name, byteCount: 0, crc32: 0, modifiedSeconds: 0)]) }
    }

    @Test func unusualButSafeNamesAreAccepted() throws {
        let names = ["..a", "a..", "a/..b/c", ".hidden", "a/./b", "xy:z", String(repeating: "n", count: ZipLimits.maximumNameBytes)]
        let layout = try ZipLayout(entries: names.map { ZipEntry(name: $0, byteCount: 0, crc32: 0, modifiedSeconds: 0) })
        #expect(layout.entryCount == names.count)
    }

    @Test func inconsistentEntriesAreRefused() {
        let tooLong = String(repeating: "é", count: ZipLimits.maximumNameBytes / 2 + 1)
        #expect(throws: ZipError.self) { try ZipLayout(entries: [ZipEntry(name: tooLong, byteCount: 0, crc32: 0, modifiedSeconds: 0)]) }
        #expect(throws: ZipError.self) { try ZipLayout(entries: [ZipEntry(name: "d/", byteCount: 1, crc32: 0, modifiedSeconds: 0)]) }
        #expect(throws: ZipError.self) { try ZipLayout(entries: [ZipEntry(name: "e", byteCount: 0, crc32: 1, modifiedSeconds: 0)]) }
        let huge = ZipEntry(name: "h", byteCount: UInt64.max - 10, crc32: 1, modifiedSeconds: 0)
        #expect(throws: ZipError.self) { try ZipLayout(entries: [huge]) }
    }

    @Test func tooManyEntriesAreRefused() {
        let entry = ZipEntry(name: "x", byteCount: 0, crc32: 0, modifiedSeconds: 0)
        let entries = [ZipEntry](repeating: entry, count: ZipLimits.maximumEntryCount + 1)
        #expect(throws: ZipError.self) { try ZipLayout(entries: entries) }
    }

    /// Measures what the HTTP layer pays: building a 100,000-entry layout, and one `parts(in:)` call.
    @Test func hundredThousandEntriesAreCheapToLayOutAndSlice() throws {
        let entries = (0..<100_000).map { index in
            ZipEntry(
                name: "dir-\(index % 100)/file-\(index).dat", byteCount: UInt64(index % 5000), crc32: index % 5000 == 0 ? 0 : 1,
                modifiedSeconds: 1_700_000_000)
        }
        let clock = ContinuousClock()
        var layout: ZipLayout?
        let buildTime = try clock.measure { layout = try ZipLayout(entries: entries) }
        guard let layout else { return }
        #expect(layout.usesZip64EndRecords)
        var random = SplitMix64(seed: 7)
        let calls = 10_000
        var partCount = 0
        let sliceTime = clock.measure {
            for _ in 0..<calls {
                let start = UInt64.random(in: 0..<layout.byteCount, using: &random)
                partCount += layout.parts(in: start..<min(start + 4096, layout.byteCount)).count
            }
        }
        print("100,000-entry layout: built in \(buildTime); parts(in:) of 4 KiB: \(sliceTime / calls) per call, \(partCount) parts")
        #expect(buildTime < .seconds(10))
        #expect(sliceTime / calls < .milliseconds(5))
    }
}
