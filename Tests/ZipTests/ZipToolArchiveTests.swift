import Foundation
import SporeTestSupport
import Testing
import Zip

/// The reader against archives written by the independent tools people actually use: Info-ZIP
/// `zip` (also streamed to a pipe, so every entry has a data descriptor and sizes only in the
/// central directory), `7z` and `bsdtar`. `scripts/install-deps --test` installs all three.
@Suite struct ZipToolArchiveTests {
    /// The files every tool archives: text, incompressible bytes, nested folders, an empty file and
    /// a non-ASCII name.
    /// Each case gets its own tree: the cases run in parallel, and one rewriting a shared tree
    /// while another zipped it once lost `readme.txt` from an archive (a CI failure).
    static func makeTree(_ name: String) throws -> (root: String, files: [String: [UInt8]]) {
        let root = ZipTestSupport.temporaryPath("tree-\(name)")
        var generator = SplitMix64(seed: 42)
        let text = Array((0..<4000).map { "line \($0) of a text file\n" }.joined().utf8)
        let files: [String: [UInt8]] = [
            "readme.txt": text,
            "data/noise.bin": (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &generator) },
            "data/deep/nested/empty.txt": [],
            "données/ünïcode ✓.txt": Array("déjà vu\n".utf8),
        ]
        for (path, bytes) in files {
            let url = URL(fileURLWithPath: root).appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        return (root, files)
    }

    static func tool(_ name: String) -> Bool { (try? ZipTestSupport.run(["sh", "-c", "command -v \(name)"]).status) == 0 }

    @Test(arguments: ["zip", "zip-streamed", "7z", "bsdtar"])
    func readsArchivesMadeByTools(_ maker: String) async throws {
        let executable = maker == "zip-streamed" ? "zip" : maker
        try #require(Self.tool(executable), "\(executable) is not installed (scripts/install-deps --test installs it)")
        let (root, files) = try Self.makeTree(maker)
        let archive = root + ".\(maker).zip"
        let command: String
        switch maker {
        case "zip": command = "cd '\(root)' && zip -qr '\(archive)' ."
        case "zip-streamed": command = "cd '\(root)' && zip -qr - . | cat > '\(archive)'"
        case "7z": command = "cd '\(root)' && 7z a -tzip -bso0 -bsp0 '\(archive)' ."
        default: command = "cd '\(root)' && bsdtar -a -cf '\(archive)' ."
        }
        let made = try ZipTestSupport.run(["sh", "-c", command])
        try #require(made.status == 0, "\(made.output)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: archive)))
        let directory = try await ZipDirectory.read(archiveByteCount: UInt64(bytes.count)) { try readSlice(bytes, $0) }
        var found = [String: [UInt8]]()
        for entry in directory.entries where !entry.isDirectory {
            let name = entry.name.hasPrefix("./") ? String(entry.name.dropFirst(2)) : entry.name
            found[name] = try await extract(entry, from: directory, bytes: bytes, inputChunk: 777)
        }
        #expect(found == files)
        if maker == "zip-streamed" {
            // Streamed output cannot seek back: sizes and CRCs follow the data (flag bit 3).
            #expect(directory.entries.contains { $0.flags & 0x0008 != 0 })
        }
        #expect(Set(directory.entries.map(\.method)).contains(.deflated))
    }
}
