import CZlib

/// CRC-32 as zip uses it (zlib's `crc32`, the ISO-HDLC polynomial), for verifying members and for
/// callers that need an entry's checksum.
public enum ZipCRC32 {
    /// The CRC-32 of `bytes`, continuing from `crc` (0 to start) so a stream can be checksummed in chunks.
    public static func checksum(_ bytes: some Collection<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        if let result = bytes.withContiguousStorageIfAvailable({ update(crc, $0) }) { return result }
        return Array(bytes).withUnsafeBufferPointer { update(crc, $0) }
    }

    private static func update(_ crc: UInt32, _ buffer: UnsafeBufferPointer<UInt8>) -> UInt32 {
        guard var base = buffer.baseAddress else { return crc }
        var value = UInt(crc)
        var remaining = buffer.count
        while remaining > 0 {
            let count = min(remaining, 1 << 30)  // zlib's length parameter is 32 bits
            value = UInt(CZlib.crc32(uLong(value), base, uInt(count)))
            base += count
            remaining -= count
        }
        return UInt32(truncatingIfNeeded: value)
    }
}

/// Decompresses one member (raw deflate, or stored passed through) chunk by chunk, with bounded output
/// buffers, and checks it against the central directory: the output may not exceed the declared size
/// (a zip bomb stops at that size, not at the memory limit), and at the end the size and CRC-32 must match.
///
/// Noncopyable because it owns a zlib stream: a copy would share the stream's state. It is `Sendable`
/// (unchecked) because it has exactly one owner, so moving it to another task cannot race.
public struct ZipInflater: ~Copyable, @unchecked Sendable {
    /// The default size of each output chunk.
    public static let defaultOutputChunkBytes = 64 << 10

    /// The zlib stream for deflated members; nil for stored ones.
    private let stream: UnsafeMutablePointer<z_stream>?
    private let outputChunkBytes: Int
    private let expectedByteCount: UInt64
    private let expectedCRC32: UInt32
    private var crc: UInt32 = 0
    private var streamEnded = false
    /// How many decompressed bytes have been handed to `output` so far.
    public private(set) var producedByteCount: UInt64 = 0

    /// Prepares to decompress `entry`, whose data the caller reads from `ZipDirectory.dataRange(of:readRange:)`.
    /// Throws `ZipError` for encrypted members and methods other than stored and deflated.
    public init(entry: ZipDirectoryEntry, outputChunkBytes: Int = ZipInflater.defaultOutputChunkBytes) throws(ZipError) {
        guard !entry.isEncrypted else { throw ZipError("\(ZipName.quoted(entry.name.utf8)) is encrypted") }
        try self.init(
            method: entry.method, uncompressedByteCount: entry.uncompressedByteCount, crc32: entry.crc32,
            outputChunkBytes: outputChunkBytes)
    }

    /// Prepares to decompress a member of `method` declared to be `uncompressedByteCount` bytes with `crc32`.
    public init(
        method: ZipCompressionMethod, uncompressedByteCount: UInt64, crc32: UInt32,
        outputChunkBytes: Int = ZipInflater.defaultOutputChunkBytes
    ) throws(ZipError) {
        precondition(outputChunkBytes > 0 && outputChunkBytes <= Int(UInt32.max), "output chunk size out of range")
        switch method {
        case .stored:
            stream = nil
        case .deflated:
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            // Negative window bits: raw deflate, no zlib header or trailer, as zip stores it.
            let status = inflateInit2_(stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else {
                stream.deinitialize(count: 1)
                stream.deallocate()
                throw ZipError("zlib could not start inflating (status \(status))")
            }
            self.stream = stream
        default:
            throw ZipError("compression \(method) is not supported; only stored and deflated are")
        }
        self.outputChunkBytes = outputChunkBytes
        self.expectedByteCount = uncompressedByteCount
        self.expectedCRC32 = crc32
    }

    deinit {
        if let stream {
            inflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
    }

    /// Decompresses the next chunk of member data, passing each output chunk (at most `outputChunkBytes`)
    /// to `output` before making the next, so memory stays bounded however well the data compresses.
    /// Throws `ZipError` for corrupt data, output beyond the declared size, or data after the stream's end;
    /// errors from `output` pass through.
    public nonisolated(nonsending) mutating func inflate(_ input: [UInt8], output: ([UInt8]) async throws -> Void) async throws {
        guard stream != nil else {
            try account(input)
            if !input.isEmpty { try await output(input) }
            return
        }
        var offset = 0
        while true {
            let (chunk, more) = try step(input, offset: &offset)
            if !chunk.isEmpty { try await output(chunk) }
            if !more { return }
        }
    }

    /// Decompresses a chunk and returns all its output at once: for small members and tests, where the
    /// declared size already bounds the memory.
    public mutating func inflate(_ input: [UInt8]) throws(ZipError) -> [UInt8] {
        guard stream != nil else {
            try account(input)
            return input
        }
        var result: [UInt8] = []
        var offset = 0
        while true {
            let (chunk, more) = try step(input, offset: &offset)
            result.append(contentsOf: chunk)
            if !more { return result }
        }
    }

    /// Checks that the member ended where it should: the deflate stream is complete and the output has
    /// exactly the declared size and CRC-32. Call after the last chunk; without it truncation goes unnoticed.
    public func finish() throws(ZipError) {
        if stream != nil && !streamEnded {
            throw ZipError("the deflate stream ends early: the member is truncated")
        }
        guard producedByteCount == expectedByteCount else {
            throw ZipError("the member has \(producedByteCount) bytes, but its header declares \(expectedByteCount)")
        }
        guard crc == expectedCRC32 else {
            throw ZipError("CRC-32 mismatch: the member's data gives \(hex(crc)), its header declares \(hex(expectedCRC32))")
        }
    }

    /// Counts and checksums output, refusing anything past the declared size.
    private mutating func account(_ bytes: [UInt8]) throws(ZipError) {
        let (total, overflow) = producedByteCount.addingReportingOverflow(UInt64(bytes.count))
        guard !overflow, total <= expectedByteCount else {
            throw ZipError("the member decompresses to more than its declared \(expectedByteCount) bytes")
        }
        producedByteCount = total
        crc = ZipCRC32.checksum(bytes, continuing: crc)
    }

    /// One `inflate` call on the input from `offset`: returns its output and whether another call could
    /// make progress (input left, or the output buffer came back full).
    private mutating func step(_ input: [UInt8], offset: inout Int) throws(ZipError) -> ([UInt8], Bool) {
        guard let stream else { preconditionFailure("step is only for deflated members") }
        if streamEnded {
            if offset < input.count { throw ZipError("there are \(input.count - offset) bytes after the end of the deflate stream") }
            return ([], false)
        }
        var chunk = [UInt8](repeating: 0, count: outputChunkBytes)
        let available = min(input.count - offset, Int(UInt32.max))
        let start = offset
        let chunkBytes = outputChunkBytes
        let (status, consumed, produced) = input.withUnsafeBufferPointer { inputBuffer in
            chunk.withUnsafeMutableBufferPointer { outputBuffer in
                stream.pointee.next_in = available > 0 ? UnsafeMutablePointer(mutating: inputBuffer.baseAddress.map { $0 + start }) : nil
                stream.pointee.avail_in = UInt32(available)
                stream.pointee.next_out = outputBuffer.baseAddress
                stream.pointee.avail_out = UInt32(chunkBytes)
                let status = CZlib.inflate(stream, Z_NO_FLUSH)
                let consumed = available - Int(stream.pointee.avail_in)
                let produced = chunkBytes - Int(stream.pointee.avail_out)
                // The buffers are only valid inside these closures: leave no dangling pointers in the stream.
                stream.pointee.next_in = nil
                stream.pointee.avail_in = 0
                stream.pointee.next_out = nil
                stream.pointee.avail_out = 0
                return (status, consumed, produced)
            }
        }
        offset += consumed
        chunk.removeLast(chunkBytes - produced)
        switch status {
        case Z_OK:
            break
        case Z_STREAM_END:
            streamEnded = true
            if offset < input.count { throw ZipError("there are \(input.count - offset) bytes after the end of the deflate stream") }
        case Z_BUF_ERROR:
            break  // no progress possible until more input arrives
        case Z_NEED_DICT:
            throw ZipError("the deflate stream asks for a preset dictionary, which zip does not use")
        case Z_MEM_ERROR:
            throw ZipError("zlib ran out of memory")
        default:
            let detail = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
            throw ZipError("corrupt deflate data: \(detail)")
        }
        try account(chunk)
        let progressed = consumed > 0 || produced > 0
        let more = !streamEnded && progressed && (offset < input.count || produced == chunkBytes)
        return (chunk, more)
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
