import Hummingbird
import Index
import NIOCore
import Objects

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a `multipart/form-data` body as it streams: the small fields before the file whole, the
/// file part as a stream, so a browser upload of any size needs bounded memory.
public final class MultipartFormReader {
    /// Longest header block of one part.
    public static let headerByteCountMax = 16 * 1024
    /// Longest non-file field.
    public static let fieldByteCountMax = 64 * 1024
    /// Most fields before the file.
    public static let fieldCountMax = 64

    public struct Part {
        public let name: String
        public let filename: String?
        public let contentType: String?
    }

    public enum FormError: Error {
        case malformed(String)
    }

    fileprivate(set) var base: RequestBody.AsyncIterator
    fileprivate var buffer = ByteBuffer()
    private var finished = false
    private let delimiter: [UInt8]

    public init(body: RequestBody, boundary: String) {
        base = body.makeAsyncIterator()
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// The boundary parameter of a `multipart/form-data` content type.
    public static func boundary(_ contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingSpaces() }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() where part.lowercased().hasPrefix("boundary=") {
            return part.dropFirst("boundary=".count).unquoted
        }
        return nil
    }

    /// Positions after the opening boundary.
    public func start() async throws {
        // The body starts with "--boundary" (without the CRLF that separates later parts).
        let opening = Array(delimiter.dropFirst(2))
        guard try await fill(opening.count + 2) else { throw FormError.malformed("empty form") }
        guard buffer.readBytes(length: opening.count) == opening else { throw FormError.malformed("missing opening boundary") }
        try await skipLineEnd()
    }

    /// The next part's headers, or nil after the closing boundary.
    public func nextPart() async throws -> Part? {
        var headerBytes = [UInt8]()
        while true {
            guard try await fill(1) else { throw FormError.malformed("truncated part headers") }
            headerBytes.append(buffer.readInteger(as: UInt8.self)!)
            if headerBytes.count > Self.headerByteCountMax { throw FormError.malformed("part headers too long") }
            if headerBytes.suffix(4) == Array("\r\n\r\n".utf8) { break }
            if headerBytes == Array("--".utf8) { return nil }
        }
        var name: String?
        var filename: String?
        var contentType: String?
        for line in String(decoding: headerBytes.dropLast(4), as: UTF8.self).split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let header = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            if header == "content-disposition" {
                for parameter in value.split(separator: ";").map({ $0.trimmingSpaces() }) {
                    if parameter.hasPrefix("name=") { name = parameter.dropFirst(5).unquoted }
                    if parameter.hasPrefix("filename=") { filename = parameter.dropFirst(9).unquoted }
                }
            } else if header == "content-type" {
                contentType = value
            }
        }
        guard let name else { throw FormError.malformed("part without a name") }
        return Part(name: name, filename: filename, contentType: contentType)
    }

    /// The whole value of a small field part.
    public func readField() async throws -> [UInt8] {
        var value = [UInt8]()
        while let chunk = try await nextChunk() {
            value += chunk.readableBytesView
            if value.count > Self.fieldByteCountMax { throw FormError.malformed("form field too long") }
        }
        return value
    }

    /// The next piece of the current part's content, nil at its end (the boundary is consumed).
    public func nextChunk() async throws -> ByteBuffer? {
        if finished { return nil }
        while true {
            let view = buffer.readableBytesView
            if let index = Self.find(delimiter, in: view) {
                let length = index - view.startIndex
                let chunk = buffer.readSlice(length: length)!
                buffer.moveReaderIndex(forwardBy: delimiter.count)
                finished = true
                return chunk.readableBytes > 0 ? chunk : nil
            }
            // Keep back what could be the start of a delimiter split across reads.
            let safe = view.count - (delimiter.count - 1)
            if safe > 0 {
                return buffer.readSlice(length: safe)!
            }
            guard let more = try await base.next() else { throw FormError.malformed("form ended inside a part") }
            append(more)
        }
    }

    /// Adds read bytes after the kept-back ones in a new buffer: the slices handed out share the
    /// old buffer's storage, so writing into it would copy everything read so far on every chunk
    /// (quadratic in the file's size).
    private func append(_ more: ByteBuffer) {
        guard buffer.readableBytes > 0 else {
            buffer = more
            return
        }
        var joined = ByteBuffer()
        joined.reserveCapacity(buffer.readableBytes + more.readableBytes)
        joined.writeBuffer(&buffer)
        joined.writeImmutableBuffer(more)
        buffer = joined
    }

    /// Prepares for the next part after the current one ended.
    public func endPart() async throws {
        while try await nextChunk() != nil {}
        finished = false
        try await skipLineEnd()
    }

    private func skipLineEnd() async throws {
        guard try await fill(2) else { throw FormError.malformed("truncated boundary") }
        let next = buffer.getBytes(at: buffer.readerIndex, length: 2) ?? []
        if next == Array("\r\n".utf8) { buffer.moveReaderIndex(forwardBy: 2) }
        // "--" (the closing boundary) is left for nextPart to see.
    }

    private func fill(_ count: Int) async throws -> Bool {
        while buffer.readableBytes < count {
            guard let more = try await base.next() else { return false }
            append(more)
        }
        return true
    }

    static func find(_ needle: [UInt8], in haystack: ByteBufferView) -> Int? {
        guard haystack.count >= needle.count, let first = needle.first else { return nil }
        // memchr finds candidates for the first byte; a file part is megabytes of bytes to skip.
        let offset: Int?? = haystack.withContiguousStorageIfAvailable { bytes -> Int? in
            guard let base = bytes.baseAddress else { return nil }
            var position = 0
            let last = bytes.count - needle.count
            while position <= last {
                guard let hit = memchr(base + position, Int32(first), last - position + 1) else { return nil }
                let candidate = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + candidate, needle, needle.count) == 0 { return candidate }
                position = candidate + 1
            }
            return nil
        }
        if let offset { return offset.map { haystack.startIndex + $0 } }
        // Not contiguous (never for a ByteBuffer's view): compare byte by byte.
        var index = haystack.startIndex
        while index <= haystack.endIndex - needle.count {
            if haystack[index...].starts(with: needle) { return index }
            index += 1
        }
        return nil
    }
}

/// The file part of a form as a body to ingest.
public struct FormFileBody: AsyncSequence, @unchecked Sendable {
    // @unchecked Sendable: the reader is used by the one task that ingests the file, never shared.
    public typealias Element = ByteBuffer
    let reader: MultipartFormReader

    public init(reader: MultipartFormReader) { self.reader = reader }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let reader: MultipartFormReader
        public mutating func next() async throws -> ByteBuffer? { try await reader.nextChunk() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader) }
}

extension MultipartFormReader {
    /// The raw bytes after the current position (nil at the end of the body).
    public func rest() async throws -> ByteBuffer? {
        if buffer.readableBytes > 0 {
            defer { buffer.clear() }
            return buffer
        }
        return try await base.next()
    }
}

extension StringProtocol {
    /// Without one pair of surrounding double quotes.
    fileprivate var unquoted: String {
        if count >= 2, hasPrefix("\""), hasSuffix("\"") { return String(dropFirst().dropLast()) }
        return String(self)
    }
}
