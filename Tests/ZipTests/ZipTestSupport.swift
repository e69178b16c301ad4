import Foundation
import SporeTestSupport
import Zip

#if canImport(Glibc)
    import Glibc
#endif

/// An error a test's `readRange` throws when the reader asks for bytes outside the archive.
struct OutOfArchiveRead: Error {
    var range: Range<UInt64>
}

enum ZipTestSupport {
    /// Byte `offset` of entry `index` in generated archives: depends on both, so misplaced data shows.
    static func generatedByte(entry index: Int, offset: UInt64) -> UInt8 {
        UInt8(truncatingIfNeeded: offset &* 31 &+ UInt64(index) &* 7 &+ (offset >> 8))
    }

    static func generatedData(entry index: Int, range: Range<UInt64>) -> [UInt8] {
        range.map { generatedByte(entry: index, offset: $0) }
    }

    /// An entry of generated data with its real CRC.
    static func generatedEntry(_ name: String, index: Int, byteCount: UInt64, modified: Int64 = 1_700_000_000) -> ZipEntry {
        let data = generatedData(entry: index, range: 0..<byteCount)
        return ZipEntry(name: name, byteCount: byteCount, crc32: ZipCRC32.checksum(data), modifiedSeconds: modified)
    }

    /// The whole archive in memory, entry data from `data`.
    static func archiveBytes(
        _ layout: ZipLayout, range: Range<UInt64>? = nil,
        data: (Int, Range<UInt64>) -> [UInt8] = generatedData
    ) -> [UInt8] {
        var result: [UInt8] = []
        for part in layout.partSequence(in: range ?? 0..<layout.byteCount) {
            switch part {
            case .bytes(let bytes): result.append(contentsOf: bytes)
            case .entryData(let index, let range): result.append(contentsOf: data(index, range))
            }
        }
        return result
    }

    /// Writes the archive to `path` as a sparse file: entry spans for which `data` returns nil are left as
    /// holes (zeros), so multi-gigabyte archives of zeros cost no disk and little time.
    static func writeSparseArchive(_ layout: ZipLayout, to path: String, data: (Int, Range<UInt64>) -> [UInt8]?) throws {
        let descriptor = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o644)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        defer { close(descriptor) }
        guard ftruncate(descriptor, off_t(layout.byteCount)) == 0 else { throw POSIXError(.EIO) }
        var offset: UInt64 = 0
        func write(_ bytes: [UInt8]) throws {
            let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
            guard written == bytes.count else { throw POSIXError(.EIO) }
        }
        for part in layout.partSequence(in: 0..<layout.byteCount) {
            switch part {
            case .bytes(let bytes):
                try write(bytes)
            case .entryData(let index, let range):
                var start = range.lowerBound
                while start < range.upperBound {
                    let end = min(start + (1 << 20), range.upperBound)
                    if let bytes = data(index, start..<end) { try write(bytes) }
                    offset += end - start
                    start = end
                }
                continue
            }
            offset += part.byteCount
        }
        precondition(offset == layout.byteCount)
    }

    /// A `readRange` over a file, refusing (with `OutOfArchiveRead`) anything outside it.
    static func fileReader(_ path: String) throws -> (size: UInt64, read: @Sendable (Range<UInt64>) throws -> [UInt8]) {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        let size = try handle.seekToEnd()
        let read: @Sendable (Range<UInt64>) throws -> [UInt8] = { range in
            guard range.upperBound <= size else { throw OutOfArchiveRead(range: range) }
            try handle.seek(toOffset: range.lowerBound)
            return [UInt8](try handle.read(upToCount: range.count) ?? Data())
        }
        return (size, read)
    }

    /// Runs a command, returning its exit status and standard output (standard error is appended).
    @discardableResult
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs a Python script with arguments; its output is what the test checks.
    static func python(_ script: String, _ arguments: String...) throws -> (status: Int32, output: String) {
        try run(["python3", "-c", script] + arguments)
    }

    /// A fresh path under /tmp for this test process.
    static func temporaryPath(_ name: String) -> String {
        let directory = "/tmp/zip-tests-\(getpid())"
        mkdir(directory, 0o755)
        return "\(directory)/\(name)"
    }

    /// Python that runs `testzip()` and prints name, size, CRC and DOS date of every member as JSON.
    static let pythonCheck = """
        import json, sys, zipfile
        with zipfile.ZipFile(sys.argv[1]) as z:
            bad = z.testzip()
            print(json.dumps({"bad": bad, "entries": [[i.filename, i.file_size, i.CRC, list(i.date_time)] for i in z.infolist()]}))
        """
}
