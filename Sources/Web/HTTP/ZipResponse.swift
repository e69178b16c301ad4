import BlobStore
import Crypto
import HTTPTypes
import Hummingbird
import Index
import NIOCore
import Objects
import Zip

/// One file of a zip archive served from objects: its name in the archive and the version whose
/// bytes it holds.
public struct ZipSource: Sendable {
    public let name: String
    public let version: ObjectVersion
    public let bucket: String
    public let key: ObjectKey

    public init(name: String, version: ObjectVersion, bucket: String, key: ObjectKey) {
        self.name = name
        self.version = version
        self.bucket = bucket
        self.key = key
    }
}

/// A set of objects served as one zip archive, stored (no compression), as every face that
/// offers "download as zip" serves it: every file's size and CRC-32 are known before a byte is
/// sent, so the archive has an exact `Content-Length`, is byte-identical on every request for the
/// same files (entry times are the files' own), and any `Range` of it is produced without
/// producing what comes before. Memory stays at one read chunk whatever the archive's size.
public enum ZipResponse {
    /// Files one archive may hold.
    public static let entryCountMax = 100_000
    /// Bytes one archive may hold (the archive may be a little larger: headers).
    public static let byteCountMax: UInt64 = 1 << 40
    /// Says how many objects of a folder or prefix an archive left out (unreadable for the caller,
    /// or a name that cannot be a safe entry).
    public static let omittedField = HTTPField.Name("x-spore-zip-omitted")!

    public enum Failure: Error, Equatable, Sendable {
        case tooManyFiles(Int)
        case tooLarge(UInt64)
        case invalidName(String)
    }

    /// The current versions under `prefix` in `bucket`, in key order, named relative to `base`
    /// (a leading part of `prefix`): folder markers (keys ending in `/`) are left out, and so is
    /// every object `include` refuses. Objects whose name cannot be a safe zip entry (a `..`
    /// segment, a leading `/`, a drive letter), and SSE-C objects, are left out too and counted in
    /// `unsafeNames`, so one such key cannot break the archive for everyone. Throws `tooManyFiles` past `entryCountMax`.
    public static func sources(
        _ objects: ObjectService, bucket: String, prefix: String, base: String, unsafeNames: inout Int,
        include: (String, ObjectVersion) throws -> Bool = { _, _ in true }
    ) throws -> [ZipSource] {
        precondition(prefix.hasPrefix(base), "names are relative to a leading part of the prefix")
        var sources = [ZipSource]()
        var after: [UInt8]?
        repeat {
            let query = ListQuery(prefix: Array(prefix.utf8), after: after)
            let (_, page) = try objects.catalog.objects.listObjects(bucket: bucket, query: query, nowMilliseconds: objects.clock.nowMilliseconds())
            for entry in page.entries where entry.key.utf8.count > base.utf8.count && !entry.key.hasSuffix("/") {
                guard let key = ObjectKey(validating: entry.key), try include(entry.key, entry.version) else { continue }
                let name = String(decoding: entry.key.utf8.dropFirst(base.utf8.count), as: UTF8.self)
                // SSE-C objects need their key, which a zip request cannot carry: left out and
                // counted like unsafe names, never a broken archive.
                guard ZipLayout.isSafeName(name), entry.version.encryption?.kind != .customer else {
                    unsafeNames += 1
                    continue
                }
                sources.append(ZipSource(name: name, version: entry.version, bucket: bucket, key: key))
                guard sources.count <= entryCountMax else { throw Failure.tooManyFiles(sources.count) }
            }
            after = page.isTruncated ? page.lastItem : nil
        } while after != nil
        return sources
    }

    /// The archive's layout and strong ETag for `sources` (CRC-32s of versions stored before spore
    /// kept them are computed once and recorded).
    public static func layout(_ objects: ObjectService, sources: [ZipSource]) async throws -> (ZipLayout, String) {
        guard sources.count <= entryCountMax else { throw Failure.tooManyFiles(sources.count) }
        var entries = [ZipEntry]()
        entries.reserveCapacity(sources.count)
        var total: UInt64 = 0
        var tag = SHA256()
        for source in sources {
            let crc = try await objects.crc32(of: source.version, bucket: source.bucket, key: source.key)
            entries.append(
                ZipEntry(
                    name: source.name, byteCount: UInt64(source.version.byteCount), crc32: crc,
                    modifiedSeconds: source.version.lastModifiedMilliseconds / 1000
                )
            )
            total += UInt64(source.version.byteCount)
            tag.update(data: Array("\(source.name)\u{0}\(source.version.etag)\u{0}\(source.version.sequence)\u{0}".utf8))
        }
        guard total <= byteCountMax else { throw Failure.tooLarge(total) }
        do {
            let layout = try ZipLayout(entries: entries)
            return (layout, "\"zip-" + Hex.encode(Array(tag.finalize()).prefix(16)) + "\"")
        } catch {
            throw Failure.invalidName(error.message)
        }
    }

    /// GET or HEAD of the archive: `200` with the whole archive, or `206` for one `Range` (unless
    /// `If-Range` names another ETag); `If-None-Match` gives `304`.
    ///
    /// `onComplete` runs once the last byte of the archive has been handed to the connection by a
    /// response whose window ends there: a download counted once however it was split into ranges.
    public static func serve(
        _ objects: ObjectService, sources: [ZipSource], filename: String, request: Request, eventLoop: (any EventLoop)?,
        onComplete: (@Sendable () -> Void)? = nil
    ) async throws -> Response {
        let (layout, etag) = try await layout(objects, sources: sources)
        var headers = HTTPFields()
        headers[.contentType] = "application/zip"
        headers[.contentDisposition] = "attachment; filename=\"\(filename.replacingQuotes())\"; filename*=UTF-8''\(PercentEncoding.encode(filename))"
        headers[.eTag] = etag
        headers[.acceptRanges] = ObjectResponse.acceptRangesValue
        if let match = request.headers[.ifNoneMatch], match == etag || match == "*" { return Response(status: .notModified, headers: headers) }
        var status = HTTPResponse.Status.ok
        var window: Range<UInt64> = 0..<layout.byteCount
        let ifRange = request.headers[.ifRange]
        if ifRange == nil || ifRange == etag, let range = try ByteRange.parse(request.headers[.range], size: Int64(layout.byteCount)) {
            status = .partialContent
            window = UInt64(range.first)..<UInt64(range.last + 1)
            headers[.contentRange] = "bytes \(range.first)-\(range.last)/\(layout.byteCount)"
        }
        headers[.contentLength] = String(window.count)
        if request.method == .head { return Response(status: status, headers: headers) }
        let parts = layout.partSequence(in: window)
        let reachesEnd = window.upperBound == layout.byteCount
        let body = ResponseBody(contentLength: window.count) { writer in
            for part in parts {
                switch part {
                case .bytes(let bytes):
                    try await writer.write(ByteBuffer(bytes: bytes))
                case .entryData(let index, let range):
                    guard !range.isEmpty else { continue }
                    let version = sources[index].version
                    let slice = ByteRange(first: Int64(range.lowerBound), last: Int64(range.upperBound) - 1)
                    for try await chunk in objects.bytes(of: version, window: slice) {
                        try await writer.write(chunk)
                        try await eventLoop?.submit {}.get()
                    }
                }
            }
            try await writer.finish(nil)
            if reachesEnd { onComplete?() }
        }
        return Response(status: status, headers: headers, body: body)
    }
}

extension String {
    fileprivate func replacingQuotes() -> String { String(map { $0 == "\"" || $0 == "\\" ? "_" : $0 }) }
}
