import BlobStore
import HTTPTypes
import Hummingbird
import Index
import NIOCore

/// A byte range of an object, inclusive bounds as in `Content-Range`.
struct ByteRange: Equatable {
    let first: Int64
    let last: Int64

    var byteCount: Int64 { last - first + 1 }

    /// Parses a `Range` header against an object of `size` bytes. Returns nil when the header should
    /// be ignored (absent, malformed, several ranges); throws InvalidRange when unsatisfiable.
    static func parse(_ header: String?, size: Int64) throws -> ByteRange? {
        guard let header else { return nil }
        let trimmed = header.trimmingCharacters(in: " ")
        guard trimmed.hasPrefix("bytes=") else { return nil }
        let spec = trimmed.dropFirst("bytes=".count)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let startText = spec[..<dash].trimmingSpaces()
        let endText = spec[spec.index(after: dash)...].trimmingSpaces()
        if startText.isEmpty {
            guard let suffix = Int64(endText), suffix >= 0 else { return nil }
            guard suffix > 0, size > 0 else { throw S3Error.invalidRange(objectByteCount: size) }
            return ByteRange(first: max(0, size - suffix), last: size - 1)
        }
        guard let first = Int64(startText), first >= 0 else { return nil }
        var last = size - 1
        if !endText.isEmpty {
            guard let value = Int64(endText) else { return nil }
            guard value >= first else { return nil }
            last = min(value, size - 1)
        }
        guard first < size else { throw S3Error.invalidRange(objectByteCount: size) }
        return ByteRange(first: first, last: last)
    }
}

extension S3Service {
    static let acceptRangesValue = "bytes"
    static let defaultContentType = "binary/octet-stream"

    func getObject(_ request: S3Request, _ auth: Authentication, isHead: Bool) async throws -> Response {
        guard let bucketName = request.bucket else { throw S3Error.methodNotAllowed() }
        let key = try request.objectKey()
        let versionID = try Self.versionID(request)
        let now = clock.nowMilliseconds()
        let lookup: ObjectLookup
        do {
            let (bucket, found) = try catalog.lookup(bucket: bucketName, key: key, versionID: versionID, nowMilliseconds: now)
            var object: ObjectVersion?
            if case .found(let version) = found { object = version }
            try authorizeRead(auth, bucket, request: request, object: object)
            lookup = found
        } catch IndexError.noSuchBucket(let name) {
            throw S3Error.noSuchBucket(name)
        }
        let version: ObjectVersion
        switch lookup {
        case .found(let found):
            version = found
        case .deleteMarker(let marker):
            var error = versionID == nil ? S3Error.noSuchKey(key.value) : S3Error.methodNotAllowed()
            error.headers = [(Self.deleteMarkerField, "true"), (Self.versionIDField, marker.versionID.rawValue)]
            throw error
        case .notFound:
            var error = versionID.map { S3Error.noSuchVersion(key.value, $0.rawValue) } ?? S3Error.noSuchKey(key.value)
            error.headers = [(Self.deleteMarkerField, "false")]
            throw error
        }
        var headers = HTTPFields()
        headers[.eTag] = "\"\(version.etag)\""
        headers[.lastModified] = Timestamp.httpDate(milliseconds: version.lastModifiedMilliseconds)
        if !version.isNullVersion || versionID != nil { headers[Self.versionIDField] = version.versionID.rawValue }
        if let expiration = expirationHeader(bucket: bucketName, key: key, version: version) { headers[Self.expirationField] = expiration }
        if let notModified = try Self.evaluateConditions(request, version, headers: headers) { return notModified }

        var range = try ByteRange.parse(request.headers[.range], size: version.byteCount)
        var partChecksum: ChecksumValue?
        if let text = request.queryValue("partNumber") {
            guard request.headers[.range] == nil else {
                throw S3Error.invalidRequest("Cannot specify both Range header and partNumber query parameter.")
            }
            guard let number = Int(text), number >= 1, number <= Limits.partNumberMax else {
                throw S3Error.invalidArgument("Part number must be an integer between 1 and 10000, inclusive", name: "partNumber", value: text)
            }
            (range, partChecksum) = try Self.partWindow(version, number)
            if !version.partByteCounts.isEmpty { headers[Self.partsCountField] = String(version.partByteCounts.count) }
        }
        Self.objectHeaders(&headers, version, request: request, includeChecksums: range == nil || request.hasQuery("partNumber"), partChecksum: partChecksum)
        headers[.acceptRanges] = Self.acceptRangesValue
        let status: HTTPResponse.Status
        let window: ByteRange?
        if let range, request.headers[.range] != nil || !version.partByteCounts.isEmpty {
            status = .partialContent
            window = range
            headers[.contentRange] = "bytes \(range.first)-\(range.last)/\(version.byteCount)"
        } else if let range {
            status = .ok
            window = range
        } else {
            status = .ok
            window = version.byteCount > 0 ? ByteRange(first: 0, last: version.byteCount - 1) : nil
        }
        let length = window?.byteCount ?? 0
        headers[.contentLength] = String(length)
        if isHead { return Response(status: status, headers: headers) }
        return Response(status: status, headers: headers, body: try await body(of: version, window: window, pacedBy: request.eventLoop))
    }

    static let partsCountField = HTTPField.Name("x-amz-mp-parts-count")!

    /// The byte window of part `number` of a version (the whole object for part 1 of a single-part
    /// object) and the part's checksum.
    static func partWindow(_ version: ObjectVersion, _ number: Int) throws -> (ByteRange?, ChecksumValue?) {
        let invalidPart = S3Error("InvalidPart", .badRequest, "The requested partnumber is not satisfiable")
        guard !version.partByteCounts.isEmpty else {
            guard number == 1 else { throw invalidPart }
            return (nil, nil)
        }
        guard number <= version.partByteCounts.count else { throw invalidPart }
        let first = version.partByteCounts.prefix(number - 1).reduce(0, +)
        let size = version.partByteCounts[number - 1]
        let checksum = number <= version.partChecksums.count ? version.partChecksums[number - 1] : nil
        return (size > 0 ? ByteRange(first: first, last: first + size - 1) : nil, checksum)
    }

    /// Evaluates If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since as S3 does:
    /// throws 412, returns a 304 response, or nil to go on.
    static func evaluateConditions(_ request: S3Request, _ version: ObjectVersion, headers: HTTPFields) throws -> Response? {
        let modifiedSeconds = version.lastModifiedMilliseconds / 1000
        if let ifMatch = request.header("if-match") {
            if !WritePreconditions.matches(ifMatch, etag: version.etag) { throw S3Error.preconditionFailed("If-Match") }
        } else if let text = request.header("if-unmodified-since"), let date = Timestamp.parseHTTPDate(text), modifiedSeconds > date / 1000 {
            throw S3Error.preconditionFailed("If-Unmodified-Since")
        }
        var notModified = false
        if let ifNoneMatch = request.header("if-none-match") {
            notModified = WritePreconditions.matches(ifNoneMatch, etag: version.etag)
        } else if let text = request.header("if-modified-since"), let date = Timestamp.parseHTTPDate(text) {
            notModified = modifiedSeconds <= date / 1000
        }
        guard notModified else { return nil }
        return Response(status: .notModified, headers: headers)
    }

    /// Content headers, metadata and (for whole-object reads with checksum mode) checksums.
    static func objectHeaders(
        _ headers: inout HTTPFields, _ version: ObjectVersion, request: S3Request, includeChecksums: Bool, partChecksum: ChecksumValue? = nil
    ) {
        let stored = version.headers
        headers[.contentType] = request.queryValue("response-content-type") ?? stored.contentType ?? defaultContentType
        let overrides: [(String, String?, HTTPField.Name)] = [
            ("response-content-language", stored.contentLanguage, .contentLanguage),
            ("response-expires", stored.expires, .expires),
            ("response-cache-control", stored.cacheControl, .cacheControl),
            ("response-content-disposition", stored.contentDisposition, .contentDisposition),
            ("response-content-encoding", stored.contentEncoding, .contentEncoding),
        ]
        for (parameter, value, field) in overrides {
            if let chosen = request.queryValue(parameter) ?? value { headers[field] = chosen }
        }
        for (name, value) in version.userMetadata {
            if let field = HTTPField.Name("x-amz-meta-" + name) { headers.append(HTTPField(name: field, value: MetadataBytes.bytes(of: value))) }
        }
        if let storageClass = version.storageClass { headers[HTTPField.Name("x-amz-storage-class")!] = storageClass }
        if !version.tags.isEmpty { headers[HTTPField.Name("x-amz-tagging-count")!] = String(version.tags.count) }
        if includeChecksums, request.header("x-amz-checksum-mode")?.uppercased() == "ENABLED" {
            let isPart = request.hasQuery("partNumber") && !version.partByteCounts.isEmpty
            let partCount = version.checksumType == .composite && !version.partByteCounts.isEmpty && !isPart ? version.partByteCounts.count : nil
            let checksums = isPart ? (partChecksum.map { [$0] } ?? []) : version.checksums
            for checksum in checksums {
                headers[ChecksumHeaders.headerName(checksum.algorithm)] = ChecksumHeaders.value(checksum, partCount: partCount)
            }
            if !checksums.isEmpty {
                headers[HTTPField.Name("x-amz-checksum-type")!] = version.checksumType == .composite ? "COMPOSITE" : "FULL_OBJECT"
            }
        }
    }

    /// The response body for `window` of a version: inline bytes, or its blobs streamed in order.
    ///
    /// A write reaches the connection by a hop onto its event loop, and the writer stops only once
    /// the connection has said its socket is full, so a fast disk could otherwise queue many chunks
    /// in that hop (tens of MiB were seen while the event loop's thread waited for a core). One more
    /// hop after each write, on `eventLoop`, waits until the connection has taken the chunk.
    func body(of version: ObjectVersion, window: ByteRange?, pacedBy eventLoop: (any EventLoop)?) async throws -> ResponseBody {
        guard let window else { return ResponseBody() }
        switch version.body {
        case .inline(let bytes):
            let slice = bytes[Int(window.first)...Int(window.last)]
            return ResponseBody(byteBuffer: ByteBuffer(bytes: slice))
        case .chunks(let chunks):
            let segments = Self.segments(chunks, window)
            guard let first = segments.first else { return ResponseBody() }
            // Open the first blob before answering, so a missing blob is an error response rather
            // than a truncated body.
            let firstReader = try await blobs.open(first.digest)
            let blobs = self.blobs
            return ResponseBody(contentLength: Int(window.byteCount)) { writer in
                for (index, segment) in segments.enumerated() {
                    let reader = index == 0 ? firstReader : try await blobs.open(segment.digest)
                    try await reader.read(range: segment.range) { chunk in
                        try await writer.write(chunk)
                        try await eventLoop?.submit {}.get()
                    }
                }
                try await writer.finish(nil)
            }
        }
    }

    struct Segment: Sendable {
        let digest: BlobDigest
        let range: Range<Int64>
    }

    /// The parts of each chunk that fall inside `window`.
    static func segments(_ chunks: [Chunk], _ window: ByteRange) -> [Segment] {
        var segments = [Segment]()
        var offset: Int64 = 0
        for chunk in chunks {
            let chunkEnd = offset + chunk.byteCount
            let start = max(window.first, offset)
            let end = min(window.last + 1, chunkEnd)
            if start < end { segments.append(Segment(digest: chunk.digest, range: (start - offset)..<(end - offset))) }
            offset = chunkEnd
            if offset > window.last { break }
        }
        return segments
    }

    func deleteObject(_ request: S3Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let key = try request.objectKey()
        let versionID = try Self.versionID(request)
        let outcome = try await catalog.deleteObject(
            bucket: bucket.name, key: key, versionID: versionID, owner: auth.principal.user, nowMilliseconds: clock.nowMilliseconds()
        )
        var headers = HTTPFields()
        if let marker = outcome.createdMarker {
            headers[Self.deleteMarkerField] = "true"
            headers[Self.versionIDField] = marker.versionID.rawValue
        } else if let removed = outcome.removed, versionID != nil {
            headers[Self.versionIDField] = removed.versionID.rawValue
            if removed.isDeleteMarker { headers[Self.deleteMarkerField] = "true" }
        } else if let versionID {
            headers[Self.versionIDField] = versionID.rawValue
        }
        return Response(status: .noContent, headers: headers)
    }
}
