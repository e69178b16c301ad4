import Foundation

/// The daemon's memory as the kernel counts it, split the way that matters for a store with a
/// memory-mapped index: anonymous memory (heaps, stacks, buffers: what spore itself allocates)
/// versus file-backed pages, of which the index's mapped `data.mdb` pages are most. Mapped index
/// pages are the page cache seen through the map: the kernel drops them under pressure, so they
/// count in RSS without being memory spore holds.
struct ProcessMemory: Equatable {
    var residentBytes: Int64 = 0
    var peakResidentBytes: Int64 = 0
    var anonymousBytes: Int64 = 0
    var fileBytes: Int64 = 0
    /// Resident pages of mappings of the index's data file.
    var indexMappedBytes: Int64 = 0

    /// Reads `/proc/self/status` and, for the index's share, `/proc/self/smaps` (a scrape every
    /// few seconds; the file is a few hundred lines for spore).
    static func current(indexFile: String) -> ProcessMemory {
        var memory = ProcessMemory()
        if let status = procFile("/proc/self/status") {
            memory = parse(status: status)
        }
        if let smaps = procFile("/proc/self/smaps") {
            // The kernel names mappings by their absolute, resolved path.
            let absolute = indexFile.hasPrefix("/") ? indexFile : FileManager.default.currentDirectoryPath + "/" + indexFile
            memory.indexMappedBytes = residentBytes(ofMappingsOf: (absolute as NSString).resolvingSymlinksInPath, smaps: smaps)
        }
        return memory
    }

    /// A /proc file read to its end: they report a size of 0, so a read sized by stat would stop
    /// short of a long one such as smaps.
    static func procFile(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func parse(status: String) -> ProcessMemory {
        var memory = ProcessMemory()
        for line in status.split(separator: "\n") {
            // "VmRSS:\t  150000 kB": a tab after the name, spaces before the number.
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let kib = Int64(fields[1]) else { continue }
            switch fields[0] {
            case "VmRSS:": memory.residentBytes = kib * 1024
            case "VmHWM:": memory.peakResidentBytes = kib * 1024
            case "RssAnon:": memory.anonymousBytes = kib * 1024
            case "RssFile:": memory.fileBytes = kib * 1024
            default: continue
            }
        }
        return memory
    }

    /// Sums the `Rss:` lines of the mappings whose path is `file`.
    static func residentBytes(ofMappingsOf file: String, smaps: String) -> Int64 {
        var total: Int64 = 0
        var inside = false
        for line in smaps.split(separator: "\n") {
            if let first = line.first, first.isHexDigit, line.contains("-") {
                // A mapping's header: "start-end perms offset dev inode   path".
                inside = line.hasSuffix(" " + file)
            } else if inside, line.hasPrefix("Rss:") {
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if fields.count >= 2, let kib = Int64(fields[1]) { total += kib * 1024 }
            }
        }
        return total
    }
}
