import Foundation
import SporeTestSupport
import Testing

@testable import Zip

@Suite struct ZipMalformedTests {
    /// Reads the directory and every member of `bytes`; returns the first error, nil on success.
    /// Reads outside the archive surface as `OutOfArchiveRead`, which no test accepts.
    static func readEverything(_ bytes: [UInt8]) async -> (any Error)? {
        do {
            let directory = try await ZipDirectory.read(archiveByteCount: UInt64(bytes.count)) { try readSlice(bytes, $0) }
            for entry in directory.entries where !entry.isDirectory {
                _ = try await extract(entry, from: directory, bytes: bytes, inputChunk: 4096, outputChunk: 16 << 10)
            }
            return nil
        } catch {
            return error
        }
    }

    static func expectZipError(_ bytes: [UInt8], containing text: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async {
        let error = await readEverything(bytes)
        guard let zipError = error as? ZipError else {
            Issue.record("expected a ZipError, got \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
        if let text {
            #expect(zipError.message.contains(text), "\(zipError.message)", sourceLocation: sourceLocation)
        }
    }

    static func patch32(_ bytes: inout [UInt8], at offset: Int, _ value: UInt32) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    static func read32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }

    @Test func notAZip() async throws {
        await Self.expectZipError([], containing: "too short")
        await Self.expectZipError([UInt8](repeating: 0, count: 21), containing: "too short")
        var random = SplitMix64(seed: 3)
        await Self.expectZipError((0..<5000).map { _ in UInt8.random(in: 0...255, using: &random) }, containing: "no end of central directory")
        let (_, bytes, _) = try ZipReaderTests.makePythonArchive("truncated.zip")
        await Self.expectZipError(Array(bytes.dropLast()), containing: "no end of central directory")
        await Self.expectZipError(Array(bytes.dropFirst(100)))
        await Self.expectZipError(Array(bytes.prefix(bytes.count / 2)))
    }

    @Test func endRecordFieldsOutOfRange() async throws {
        let (_, bytes, _) = try ZipReaderTests.makePythonArchive("end-record.zip")
        let end = bytes.count - 22
        #expect(await Self.readEverything(bytes) == nil)

        var offset = bytes
        Self.patch32(&offset, at: end + 16, 0xFFFF_FF00)
        await Self.expectZipError(offset, containing: "runs past")
        var size = bytes
        Self.patch32(&size, at: end + 12, UInt32(bytes.count))
        await Self.expectZipError(size, containing: "runs past")
        var count = bytes
        count[end + 8] = 0xFE
        count[end + 10] = 0xFE
        count[end + 11] = 0xFF
        await Self.expectZipError(count, containing: "cannot fit")
        var disk = bytes
        disk[end + 4] = 1
        await Self.expectZipError(disk, containing: "multi-disk")
    }

    @Test func centralEntriesOutOfRange() async throws {
        let (_, bytes, _) = try ZipReaderTests.makePythonArchive("central.zip")
        let directoryOffset = Int(Self.read32(bytes, at: bytes.count - 22 + 16))
        #expect(bytes[directoryOffset..<directoryOffset + 4] == [0x50, 0x4b, 0x01, 0x02])  // first member: stored.txt

        var local = bytes
        Self.patch32(&local, at: directoryOffset + 42, UInt32(directoryOffset))
        await Self.expectZipError(local, containing: "does not fit before the central directory")
        var misplaced = bytes
        Self.patch32(&misplaced, at: directoryOffset + 42, 1)
        await Self.expectZipError(misplaced, containing: "no local header")
        var stored = bytes
        Self.patch32(&stored, at: directoryOffset + 20, 4999)
        await Self.expectZipError(stored, containing: "must be equal")
        var huge = bytes
        Self.patch32(&huge, at: directoryOffset + 20, 0xFFFF_FFF0)
        Self.patch32(&huge, at: directoryOffset + 24, 0xFFFF_FFF0)
        await Self.expectZipError(huge, containing: "does not fit")
        var crc = bytes
        crc[directoryOffset + 16] ^= 1
        await Self.expectZipError(crc, containing: "CRC-32 mismatch")
        var signature = bytes
        signature[directoryOffset] = 0
        await Self.expectZipError(signature, containing: "no central directory header signature")
        var nameLength = bytes
        nameLength[directoryOffset + 28] = 0xFF
        nameLength[directoryOffset + 29] = 0xFF
        await Self.expectZipError(nameLength, containing: "truncated")
    }

    @Test func zip64RecordsOutOfRange() async throws {
        let (_, bytes, _) = try ZipReaderTests.makePythonArchive("zip64-bad.zip", zip64: true)
        let locator = bytes.count - 22 - 20
        #expect(await Self.readEverything(bytes) == nil)
        var pointer = bytes
        Self.patch32(&pointer, at: locator + 8, UInt32(locator - 10))
        await Self.expectZipError(pointer, containing: "past the locator")
        var record = bytes
        Self.patch32(&record, at: locator + 8, 0)
        await Self.expectZipError(record, containing: "no ZIP64 end of central directory record")
        var beyond = bytes
        for index in locator + 8..<locator + 16 { beyond[index] = 0xFF }
        await Self.expectZipError(beyond, containing: "overflows")
    }

    @Test(arguments: ["a/../evil.txt", "../evil.txt", "/etc/evil", "C:\\\\evil"])
    func dangerousNamesAreRefused(_ name: String) async throws {
        // One file per case: the cases run in parallel.
        let path = ZipTestSupport.temporaryPath("evil-\(name.utf8.map { String($0, radix: 16) }.joined()).zip")
        let result = try ZipTestSupport.python(
            """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                z.writestr(zipfile.ZipInfo(sys.argv[2]), b"x")
            """, path, name)
        #expect(result.status == 0, "\(result.output)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        await Self.expectZipError(bytes, containing: "entry name")
    }

    /// Random byte mutations and truncations of valid archives (classic, all-ZIP64, and our writer's)
    /// must give success or a `ZipError`: never a crash, a read outside the archive, or another error.
    @Test func mutatedArchivesOnlyEverThrowZipError() async throws {
        let classic = try ZipReaderTests.makePythonArchive("fuzz-classic.zip").bytes
        let zip64 = try ZipReaderTests.makePythonArchive("fuzz-zip64.zip", commentBytes: 60, zip64: true).bytes
        let ours = ZipTestSupport.archiveBytes(try ZipLayout(entries: ZipLayoutTests.smallEntries))
        var random = SplitMix64(seed: 2024)
        var outcomes: [String: Int] = [:]
        for iteration in 0..<3000 {
            var bytes = [classic, zip64, ours][iteration % 3]
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                // Half the mutations hit the directory and end records, where the offsets and sizes are.
                let tailBytes = min(bytes.count, 1200)
                let position =
                    Bool.random(using: &random)
                    ? bytes.count - 1 - Int.random(in: 0..<tailBytes, using: &random) : Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<10, using: &random) {
                case 0:
                    bytes = Array(bytes.prefix(position))
                case 1:
                    for index in position..<min(position + 4, bytes.count) { bytes[index] = 0xFF }
                case 2:
                    bytes[position] = 0
                default:
                    bytes[position] = UInt8.random(in: 0...255, using: &random)
                }
                if bytes.isEmpty { break }
            }
            let error = await Self.readEverything(bytes)
            if let error, !(error is ZipError) {
                Issue.record("iteration \(iteration): unexpected \(type(of: error)): \(error)")
                return
            }
            let key = error.map { ($0 as? ZipError)?.message.split(separator: " ").prefix(3).joined(separator: " ") ?? "?" } ?? "success"
            outcomes[key, default: 0] += 1
        }
        print("fuzz outcomes: \(outcomes.sorted { $0.value > $1.value }.prefix(12))")
        #expect((outcomes["success"] ?? 0) > 0)
        #expect(outcomes.count > 5)
    }
}

/// Sizes are the archive's word: a forged ZIP64 size must be refused before anything turns it into
/// a length (2^63 does not fit an Int64; the daemon trapped on it).
@Suite struct ZipForgedSizeTests {
    /// One central directory header for a member named "m.bin" whose sizes live in a ZIP64 extra.
    static func header(method: UInt16, uncompressed: UInt64, compressed: UInt64) -> [UInt8] {
        func u16(_ value: UInt16) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
        func u32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
        func u64(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
        let name = Array("m.bin".utf8)
        let extra = u16(1) + u16(16) + u64(uncompressed) + u64(compressed)
        return u32(0x0201_4b50) + u16(45) + u16(45) + u16(0) + u16(method) + u16(0) + u16(0x21) + u32(0)
            + u32(0xFFFF_FFFF) + u32(0xFFFF_FFFF) + u16(UInt16(name.count)) + u16(UInt16(extra.count)) + u16(0) + u16(0)
            + u16(0) + u32(0) + u32(0) + name + extra
    }

    static func parse(_ bytes: [UInt8]) throws(ZipError) -> ZipDirectoryEntry {
        var reader = ZipByteReader(bytes[...], context: "a test header")
        return try ZipDirectoryEntry.parse(&reader, centralDirectoryOffset: 1 << 20)
    }

    @Test func sizesThatDoNotFitAreRefused() throws {
        for huge in [UInt64(1) << 63, UInt64.max, ZipLimits.maximumMemberBytes + 1] {
            #expect(throws: ZipError.self) { try Self.parse(Self.header(method: 0x63, uncompressed: huge, compressed: 100)) }
            #expect(throws: ZipError.self) { try Self.parse(Self.header(method: 8, uncompressed: huge, compressed: 100)) }
        }
        // Deflate expands at most about 1032 times.
        #expect(throws: ZipError.self) { try Self.parse(Self.header(method: 8, uncompressed: 2_000_000, compressed: 100)) }
        let plausible = try Self.parse(Self.header(method: 8, uncompressed: 100_000, compressed: 100))
        #expect(plausible.uncompressedByteCount == 100_000 && plausible.compressedByteCount == 100)
    }
}
