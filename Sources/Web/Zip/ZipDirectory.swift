/// The central directory of a stored zip, read with a few ranged reads so one member of a large archive
/// can be listed or served without reading the archive: the tail (for the end record), the ZIP64 end
/// record when there is one, the central directory itself, and later one local header per member served.
///
/// Every offset and size taken from the archive is checked against the archive's length and the
/// central directory's position before it is used, so a malformed archive gives a `ZipError` and
/// never a read outside `0..<archiveByteCount`.
public struct ZipDirectory: Sendable {
    /// The archive's length, as given to `read`.
    public let archiveByteCount: UInt64
    /// Where the central directory starts; every member's local header and data lie before it.
    public let centralDirectoryOffset: UInt64
    /// The members in central-directory order, directories included.
    public let entries: [ZipDirectoryEntry]
    /// Name to index in `entries`; for duplicate names the last one wins, as most extractors do.
    private let indexByName: [String: Int]

    /// Reads and parses the directory of an archive of `archiveByteCount` bytes. `readRange` must return
    /// exactly the bytes of the range it is given (a short or long answer is a `ZipError`); its own errors
    /// pass through unchanged. Throws `ZipError` for a malformed archive, a multi-disk archive, more than
    /// `ZipLimits.maximumEntryCount` entries, or a central directory over `ZipLimits.maximumCentralDirectoryBytes`.
    public nonisolated(nonsending) static func read(
        archiveByteCount: UInt64, readRange: (Range<UInt64>) async throws -> [UInt8]
    ) async throws -> ZipDirectory {
        let minimum = UInt64(ZipFormat.endOfCentralDirectoryBytes)
        guard archiveByteCount >= minimum else {
            throw ZipError("the archive is \(archiveByteCount) bytes, too short for an end of central directory record")
        }
        let searchBytes = UInt64(ZipFormat.endOfCentralDirectoryBytes + ZipLimits.maximumCommentBytes + ZipFormat.zip64LocatorBytes)
        let tailStart = archiveByteCount - min(archiveByteCount, searchBytes)
        let tail = try await readExactly(tailStart..<archiveByteCount, archiveByteCount: archiveByteCount, readRange: readRange)
        guard let endIndex = findEndRecord(tail) else {
            throw ZipError("no end of central directory record in the last \(tail.count) bytes: not a zip, or truncated")
        }
        let endOffset = tailStart + UInt64(endIndex)
        var end = ZipByteReader(tail[endIndex...], context: "the end of central directory record")
        _ = try end.u32()
        let disk16 = try end.u16()
        let directoryDisk16 = try end.u16()
        _ = try end.u16()  // entries on this disk
        var entryCount = UInt64(try end.u16())
        var directoryBytes = UInt64(try end.u32())
        var directoryOffset = UInt64(try end.u32())
        var directoryLimit = endOffset  // the central directory must end before this

        var locator = ZipByteReader(tail[max(0, endIndex - ZipFormat.zip64LocatorBytes)..<endIndex], context: "the ZIP64 locator")
        if endIndex >= ZipFormat.zip64LocatorBytes, try locator.u32() == ZipFormat.zip64LocatorSignature {
            _ = try locator.u32()  // disk holding the ZIP64 end record
            let recordOffset = try locator.u64()
            let recordEnd = try ZipMath.add(recordOffset, UInt64(ZipFormat.zip64EndOfCentralDirectoryBytes), "the ZIP64 end record offset")
            guard recordEnd <= endOffset - UInt64(ZipFormat.zip64LocatorBytes) else {
                throw ZipError("the ZIP64 locator points at offset \(recordOffset), past the locator itself")
            }
            let bytes = try await readExactly(recordOffset..<recordEnd, archiveByteCount: archiveByteCount, readRange: readRange)
            var record = ZipByteReader(bytes[...], context: "the ZIP64 end of central directory record")
            guard try record.u32() == ZipFormat.zip64EndOfCentralDirectorySignature else {
                throw ZipError("no ZIP64 end of central directory record at offset \(recordOffset), where the locator points")
            }
            _ = try record.u64()  // size of the rest of the record
            _ = try record.u16()  // version made by
            _ = try record.u16()  // version needed
            let disk = try record.u32()
            let directoryDisk = try record.u32()
            _ = try record.u64()  // entries on this disk
            entryCount = try record.u64()
            directoryBytes = try record.u64()
            directoryOffset = try record.u64()
            directoryLimit = recordOffset
            guard disk == 0, directoryDisk == 0 else { throw ZipError("multi-disk archives are not supported") }
        } else {
            guard disk16 == 0, directoryDisk16 == 0 else { throw ZipError("multi-disk archives are not supported") }
        }

        let directoryEnd = try ZipMath.add(directoryOffset, directoryBytes, "the central directory's end")
        guard directoryEnd <= directoryLimit else {
            throw ZipError(
                "the central directory (\(directoryBytes) bytes at offset \(directoryOffset)) runs past the end records at \(directoryLimit)")
        }
        guard directoryBytes <= ZipLimits.maximumCentralDirectoryBytes else {
            throw ZipError("the central directory is \(directoryBytes) bytes, more than the limit of \(ZipLimits.maximumCentralDirectoryBytes)")
        }
        guard entryCount <= UInt64(ZipLimits.maximumEntryCount) else {
            throw ZipError("the archive has \(entryCount) entries, more than the limit of \(ZipLimits.maximumEntryCount)")
        }
        guard entryCount * UInt64(ZipFormat.centralHeaderBytes) <= directoryBytes else {
            throw ZipError("\(entryCount) entries cannot fit in a central directory of \(directoryBytes) bytes")
        }
        let directory = try await readExactly(directoryOffset..<directoryEnd, archiveByteCount: archiveByteCount, readRange: readRange)
        var reader = ZipByteReader(directory[...], context: "the central directory")
        var entries: [ZipDirectoryEntry] = []
        entries.reserveCapacity(Int(entryCount))
        var indexByName: [String: Int] = [:]
        indexByName.reserveCapacity(Int(entryCount))
        for _ in 0..<entryCount {
            let entry = try ZipDirectoryEntry.parse(&reader, centralDirectoryOffset: directoryOffset)
            indexByName[entry.name] = entries.count
            entries.append(entry)
        }
        return ZipDirectory(
            archiveByteCount: archiveByteCount, centralDirectoryOffset: directoryOffset, entries: entries, indexByName: indexByName)
    }

    /// The member called `name` (for duplicates, the last in the directory), or nil.
    public func entry(named name: String) -> ZipDirectoryEntry? {
        indexByName[name].map { entries[$0] }
    }

    /// The archive range holding `entry`'s data (compressed, for deflated members), found by reading its
    /// local header; for a stored member, a `Range` of the member maps straight onto it. Throws `ZipError`
    /// when the local header is missing or the data would run into the central directory.
    public nonisolated(nonsending) func dataRange(
        of entry: ZipDirectoryEntry, readRange: (Range<UInt64>) async throws -> [UInt8]
    ) async throws -> Range<UInt64> {
        let headerEnd = try ZipMath.add(entry.localHeaderOffset, UInt64(ZipFormat.localHeaderBytes), "a local header offset")
        guard headerEnd <= centralDirectoryOffset else {
            throw ZipError("the local header of \(ZipName.quoted(entry.name.utf8)) at \(entry.localHeaderOffset) overlaps the central directory")
        }
        let header = try await Self.readExactly(entry.localHeaderOffset..<headerEnd, archiveByteCount: archiveByteCount, readRange: readRange)
        var reader = ZipByteReader(header[...], context: "a local header")
        guard try reader.u32() == ZipFormat.localHeaderSignature else {
            throw ZipError("no local header at offset \(entry.localHeaderOffset) for \(ZipName.quoted(entry.name.utf8))")
        }
        _ = try reader.take(22)  // version, flags, method, time, date, CRC, sizes: the central directory's are used
        let nameLength = UInt64(try reader.u16())
        let extraLength = UInt64(try reader.u16())
        let dataStart = try ZipMath.add(headerEnd, nameLength + extraLength, "a member's start")
        let dataEnd = try ZipMath.add(dataStart, entry.compressedByteCount, "a member's end")
        guard dataEnd <= centralDirectoryOffset else {
            throw ZipError("the data of \(ZipName.quoted(entry.name.utf8)) (\(dataStart)..<\(dataEnd)) runs into the central directory")
        }
        return dataStart..<dataEnd
    }

    /// Calls `readRange` and checks it answered with exactly the bytes asked for.
    private nonisolated(nonsending) static func readExactly(
        _ range: Range<UInt64>, archiveByteCount: UInt64, readRange: (Range<UInt64>) async throws -> [UInt8]
    ) async throws -> [UInt8] {
        precondition(range.upperBound <= archiveByteCount, "the reader asked for \(range) outside the archive")
        let bytes = try await readRange(range)
        guard UInt64(bytes.count) == UInt64(range.count) else {
            throw ZipError("reading \(range) of the archive returned \(bytes.count) bytes instead of \(range.count)")
        }
        return bytes
    }

    /// The index in `tail` of the end record: the last signature whose comment ends exactly at the end of
    /// the archive, or failing that (some writers append junk) the last one whose comment fits.
    static func findEndRecord(_ tail: [UInt8]) -> Int? {
        let size = ZipFormat.endOfCentralDirectoryBytes
        guard tail.count >= size else { return nil }
        let signature = ZipFormat.endOfCentralDirectorySignature
        var loose: Int?
        for index in stride(from: tail.count - size, through: 0, by: -1) {
            let word = UInt32(tail[index]) | UInt32(tail[index + 1]) << 8 | UInt32(tail[index + 2]) << 16 | UInt32(tail[index + 3]) << 24
            guard word == signature else { continue }
            let commentLength = Int(tail[index + 20]) | Int(tail[index + 21]) << 8
            let recordEnd = index + size + commentLength
            if recordEnd == tail.count { return index }
            if recordEnd < tail.count && loose == nil { loose = index }
        }
        return loose
    }
}
