import Foundation
import Testing
import Zip

/// Reads an in-memory archive the way the HTTP layer reads a stored blob, refusing reads outside it.
func readSlice(_ bytes: [UInt8], _ range: Range<UInt64>) throws -> [UInt8] {
    guard range.upperBound <= UInt64(bytes.count) else { throw OutOfArchiveRead(range: range) }
    return Array(bytes[Int(range.lowerBound)..<Int(range.upperBound)])
}

/// Reads one member through `dataRange` and `ZipInflater`, feeding the compressed data in small chunks.
func extract(
    _ entry: ZipDirectoryEntry, from directory: ZipDirectory, bytes: [UInt8], inputChunk: Int = 1000,
    outputChunk: Int = 4096
) async throws -> [UInt8] {
    let range = try await directory.dataRange(of: entry) { try readSlice(bytes, $0) }
    var inflater = try ZipInflater(entry: entry, outputChunkBytes: outputChunk)
    var output: [UInt8] = []
    var start = range.lowerBound
    repeat {
        let end = min(start + UInt64(inputChunk), range.upperBound)
        try await inflater.inflate(try readSlice(bytes, start..<end)) { chunk in
            #expect(chunk.count <= outputChunk)
            output.append(contentsOf: chunk)
        }
        start = end
    } while start < range.upperBound
    try inflater.finish()
    return output
}

@Suite struct ZipReaderTests {
    /// Writes an archive with stored, deflated, forced-ZIP64, unicode, empty and directory members and a
    /// comment, and each member's content to `<path>.d/<index>`; prints the members as JSON. With "zip64"
    /// it lowers zipfile's limits so every header and the end records take their ZIP64 forms.
    static let pythonMake = """
        import json, os, random, sys, zipfile
        path, comment, zip64 = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "zip64"
        limits = zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT
        def lower_limits():  # every size, offset and count is then "too big": ZIP64 everywhere, in a tiny archive
            if zip64:
                zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = 16, 2
        rnd = random.Random(1)
        text = b"".join(b"line %d of some compressible text\\n" % i for i in range(6000))
        noise = bytes(rnd.getrandbits(8) for _ in range(50000))
        lower_limits()
        with zipfile.ZipFile(path, "w") as z:
            z.writestr(zipfile.ZipInfo("stored.txt", (2020, 5, 17, 10, 20, 30)), text[:5000])
            z.writestr("deflated.txt", text, compress_type=zipfile.ZIP_DEFLATED)
            z.writestr("noise.bin", noise, compress_type=zipfile.ZIP_DEFLATED)
            z.writestr("ünïcødé/文件.txt", "unicode ✓".encode() * 50, compress_type=zipfile.ZIP_DEFLATED)
            z.writestr("empty.txt", b"", compress_type=zipfile.ZIP_DEFLATED)
            z.mkdir("folder")
            for name, method in (("zip64-stored.txt", zipfile.ZIP_STORED), ("zip64-deflated.txt", zipfile.ZIP_DEFLATED)):
                info = zipfile.ZipInfo(name, (2021, 1, 2, 3, 4, 6))
                info.compress_type = method
                with z.open(info, "w", force_zip64=True) as f:
                    f.write(text[:7000])
        zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = limits
        os.makedirs(path + ".d", exist_ok=True)
        with zipfile.ZipFile(path) as z:
            for i, info in enumerate(z.infolist()):
                open("%s.d/%d" % (path, i), "wb").write(z.read(info))
            print(json.dumps([[i.filename, i.file_size, i.compress_size, i.CRC, i.compress_type, i.header_offset] for i in z.infolist()]))
        if comment:  # added last: the fake end record in it defeats zipfile's own reader (it takes the last signature)
            with zipfile.ZipFile(path, "a") as z:
                lower_limits()
                z.comment = b"PK\\x05\\x06 fake end record in the comment " + b"c" * (comment - 36)
        """

    static func makePythonArchive(_ name: String, commentBytes: Int = 0, zip64: Bool = false) throws
        -> (path: String, bytes: [UInt8], members: [[Any]])
    {
        let path = ZipTestSupport.temporaryPath(name)
        let result = try ZipTestSupport.python(pythonMake, path, String(commentBytes), zip64 ? "zip64" : "classic")
        #expect(result.status == 0, "\(result.output)")
        let members = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[Any]] ?? []
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        return (path, bytes, members)
    }

    @Test(arguments: [(0, false), (1000, false), (65_535, false), (0, true), (500, true)])
    func readsPythonArchivesAndTheirMembers(commentBytes: Int, zip64: Bool) async throws {
        let (path, bytes, members) = try Self.makePythonArchive("python-\(commentBytes)-\(zip64).zip", commentBytes: commentBytes, zip64: zip64)
        if zip64 {  // the ZIP64 end record and locator precede the end record
            let locator = bytes.count - 22 - commentBytes - 20
            #expect(bytes[locator..<locator + 4] == [0x50, 0x4b, 0x06, 0x07])
        }
        let directory = try await ZipDirectory.read(archiveByteCount: UInt64(bytes.count)) { try readSlice(bytes, $0) }
        #expect(directory.entries.count == members.count)
        #expect(directory.entries.map(\.name) == members.map { $0[0] as? String })
        #expect(directory.entries.map(\.uncompressedByteCount) == members.map { ($0[1] as? NSNumber)?.uint64Value })
        #expect(directory.entries.map(\.compressedByteCount) == members.map { ($0[2] as? NSNumber)?.uint64Value })
        #expect(directory.entries.map(\.crc32) == members.map { ($0[3] as? NSNumber)?.uint32Value })
        #expect(directory.entries.map { Int($0.method.rawValue) } == members.map { $0[4] as? Int })
        #expect(directory.entries.map(\.localHeaderOffset) == members.map { ($0[5] as? NSNumber)?.uint64Value })
        #expect(directory.entries.map(\.isDirectory) == members.map { ($0[0] as? String)?.hasSuffix("/") })
        #expect(directory.entry(named: "stored.txt")?.modifiedSeconds == 1_589_710_830)  // 2020-05-17T10:20:30Z
        #expect(Set(directory.entries.map(\.method)) == [.stored, .deflated])

        for (index, entry) in directory.entries.enumerated() where !entry.isDirectory {
            let expected = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(path).d/\(index)")))
            let content = try await extract(entry, from: directory, bytes: bytes)
            #expect(content == expected, "member \(entry.name)")
        }
    }

    @Test func readsWhatTheWriterWrites() async throws {
        let layout = try ZipLayout(entries: ZipLayoutTests.smallEntries)
        let bytes = ZipTestSupport.archiveBytes(layout)
        let directory = try await ZipDirectory.read(archiveByteCount: UInt64(bytes.count)) { try readSlice(bytes, $0) }
        #expect(directory.entries.map(\.name) == ZipLayoutTests.smallEntries.map(\.name))
        #expect(directory.entries.map(\.crc32) == ZipLayoutTests.smallEntries.map(\.crc32))
        #expect(directory.entries.map(\.uncompressedByteCount) == ZipLayoutTests.smallEntries.map(\.byteCount))
        #expect(directory.entries.map(\.modifiedSeconds) == ZipLayoutTests.smallEntries.map(\.modifiedSeconds))
        for (index, entry) in directory.entries.enumerated() {
            #expect(try await directory.dataRange(of: entry) { try readSlice(bytes, $0) } == layout.dataRange(ofEntry: index))
            let content = try await extract(entry, from: directory, bytes: bytes)
            #expect(content == ZipTestSupport.generatedData(entry: index, range: 0..<entry.uncompressedByteCount))
        }
    }

    @Test func namesWithoutTheUTF8FlagAreReadAsCP437() async throws {
        let path = ZipTestSupport.temporaryPath("cp437.zip")
        let result = try ZipTestSupport.python(
            """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                z.writestr("cafX.txt", b"x")
            data = open(sys.argv[1], "rb").read().replace(b"cafX", b"caf\\x82")
            open(sys.argv[1], "wb").write(data)
            print(zipfile.ZipFile(sys.argv[1]).namelist()[0])
            """, path)
        #expect(result.output == "café.txt\n")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let directory = try await ZipDirectory.read(archiveByteCount: UInt64(bytes.count)) { try readSlice(bytes, $0) }
        #expect(directory.entries.map(\.name) == ["café.txt"])
    }

    @Test func inflaterEnforcesDeclaredSizeAndCRC() async throws {
        let (_, bytes, _) = try Self.makePythonArchive("inflater.zip")
        let directory = try await ZipDirectory.read(archiveByteCount: UInt64(bytes.count)) { try readSlice(bytes, $0) }
        let entry = try #require(directory.entry(named: "deflated.txt"))
        let data = try readSlice(bytes, try await directory.dataRange(of: entry) { try readSlice(bytes, $0) })

        var small = try ZipInflater(method: .deflated, uncompressedByteCount: entry.uncompressedByteCount - 1, crc32: entry.crc32)
        #expect(throws: ZipError.self) { _ = try small.inflate(data) }  // a zip bomb stops at the declared size

        var wrongCRC = try ZipInflater(method: .deflated, uncompressedByteCount: entry.uncompressedByteCount, crc32: entry.crc32 ^ 1)
        _ = try wrongCRC.inflate(data)
        #expect(throws: ZipError.self) { try wrongCRC.finish() }

        var truncated = try ZipInflater(entry: entry)
        _ = try truncated.inflate(Array(data.dropLast(10)))
        #expect(throws: ZipError.self) { try truncated.finish() }

        var trailing = try ZipInflater(entry: entry)
        #expect(throws: ZipError.self) { _ = try trailing.inflate(data + [1, 2, 3]) }

        var corrupt = try ZipInflater(entry: entry)
        #expect(throws: ZipError.self) { _ = try corrupt.inflate([0xFF] + data) }

        var stored = try ZipInflater(method: .stored, uncompressedByteCount: 3, crc32: ZipCRC32.checksum([1, 2, 3]))
        #expect(throws: ZipError.self) { _ = try stored.inflate([1, 2, 3, 4]) }
        #expect(throws: ZipError.self) { _ = try ZipInflater(method: ZipCompressionMethod(rawValue: 12), uncompressedByteCount: 0, crc32: 0) }

        var good = try ZipInflater(entry: entry)
        let whole = try good.inflate(data)
        try good.finish()
        #expect(UInt64(whole.count) == entry.uncompressedByteCount)
    }
}
