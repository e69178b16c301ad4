import BlobStore
import HTTPTypes
import Hummingbird
import Index
import NIOCore
import Objects

/// Serving an object version as an HTTP resource, shared by every face that hands out bytes: the
/// streamed body with bounded memory, and (for faces without S3's own rules) the standard
/// validators, conditional GET and ranges.
public enum ObjectResponse {
    public static let acceptRangesValue = "bytes"
    /// Bodies up to this size are read whole and written as one buffer; larger ones stream.
    public static let oneBufferByteCountMax: Int64 = 256 << 10

    /// The response body for `window` of a version: inline bytes, or its blobs streamed in order.
    ///
    /// A write reaches the connection by a hop onto its event loop, and the writer stops only once
    /// the connection has said its socket is full, so a fast disk could otherwise queue many chunks
    /// in that hop (tens of MiB were seen while the event loop's thread waited for a core). One more
    /// hop after each write, on `eventLoop`, waits until the connection has taken the chunk.
    public static func body(
        _ objects: ObjectService, of version: ObjectVersion, window: ByteRange?, pacedBy eventLoop: (any EventLoop)?,
        customerKey: [UInt8]? = nil
    ) async throws -> ResponseBody {
        guard let window else { return ResponseBody() }
        if version.encryption != nil {
            // The key is checked before answering, so a missing or wrong one is an error response.
            _ = try objects.readKey(for: version, customerKey: customerKey)
            let bytes = objects.bytes(of: version, window: window, customerKey: customerKey)
            return ResponseBody(contentLength: Int(window.byteCount)) { writer in
                for try await chunk in bytes {
                    try await writer.write(chunk)
                    try await eventLoop?.submit {}.get()
                }
                try await writer.finish(nil)
            }
        }
        switch version.body {
        case .inline(let bytes):
            let slice = bytes[Int(window.first)...Int(window.last)]
            return ResponseBody(byteBuffer: ByteBuffer(bytes: slice))
        case .chunks(let chunks):
            let segments = BlobSegment.segments(chunks, window)
            guard let first = segments.first else { return ResponseBody() }
            // A small body is read into one buffer and written at once: no streamed writer, no
            // pacing hop per chunk, and (for a packed blob in the page cache) no thread-pool hop.
            if segments.count == 1, first.range.count <= Self.oneBufferByteCountMax {
                return ResponseBody(byteBuffer: try await objects.blobs.read(first.digest, range: first.range))
            }
            // Open the first blob before answering, so a missing blob is an error response rather
            // than a truncated body.
            let blobs = objects.blobs
            let firstReader = try await blobs.open(first.digest)
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

    /// Why a conditional request does not get the object.
    public enum ConditionFailure: Error, Equatable, Sendable {
        case preconditionFailed(String)
    }

    /// GET or HEAD of a version as a plain HTTP resource: `ETag`, `Last-Modified`, the stored
    /// content headers (`contentType` overrides the stored type), `If-Match`/`If-None-Match`/
    /// `If-(Un)Modified-Since` (304, or `ConditionFailure`), and one `Range` (206; an unsatisfiable
    /// range throws `ObjectError.unsatisfiableRange`; a malformed one is ignored).
    public static func serve(
        _ objects: ObjectService, version: ObjectVersion, request: Request, contentType: String? = nil, eventLoop: (any EventLoop)?
    ) async throws -> Response {
        // These faces cannot carry an SSE-C key: such an object is refused before anything about
        // it (its ETag, its length, a 304) is told, HEAD included.
        if version.encryption?.kind == .customer { _ = try objects.readKey(for: version, customerKey: nil) }
        var headers = HTTPFields()
        headers[.eTag] = "\"\(version.etag)\""
        headers[.lastModified] = Timestamp.httpDate(milliseconds: version.lastModifiedMilliseconds)
        if let notModified = try evaluateConditions(request.headers, version, headers: headers) { return notModified }
        let stored = version.headers
        headers[.contentType] = contentType ?? stored.contentType ?? "application/octet-stream"
        if let value = stored.contentEncoding { headers[.contentEncoding] = value }
        if let value = stored.contentDisposition { headers[.contentDisposition] = value }
        if let value = stored.contentLanguage { headers[.contentLanguage] = value }
        if let value = stored.cacheControl { headers[.cacheControl] = value }
        if let value = stored.expires { headers[.expires] = value }
        headers[.acceptRanges] = acceptRangesValue
        var status = HTTPResponse.Status.ok
        var window = ByteRange.whole(version.byteCount)
        if let range = try ByteRange.parse(request.headers[.range], size: version.byteCount) {
            status = .partialContent
            window = range
            headers[.contentRange] = "bytes \(range.first)-\(range.last)/\(version.byteCount)"
        }
        headers[.contentLength] = String(window?.byteCount ?? 0)
        if request.method == .head { return Response(status: status, headers: headers) }
        return Response(status: status, headers: headers, body: try await body(objects, of: version, window: window, pacedBy: eventLoop))
    }

    /// If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since, in RFC 9110's order:
    /// throws for 412, returns a 304 response, or nil to go on.
    public static func evaluateConditions(_ request: HTTPFields, _ version: ObjectVersion, headers: HTTPFields) throws -> Response? {
        let modifiedSeconds = version.lastModifiedMilliseconds / 1000
        if let ifMatch = request[.ifMatch] {
            if !WritePreconditions.matches(ifMatch, etag: version.etag) { throw ConditionFailure.preconditionFailed("If-Match") }
        } else if let text = request[.ifUnmodifiedSince], let date = Timestamp.parseHTTPDate(text), modifiedSeconds > date / 1000 {
            throw ConditionFailure.preconditionFailed("If-Unmodified-Since")
        }
        var notModified = false
        if let ifNoneMatch = request[.ifNoneMatch] {
            notModified = WritePreconditions.matches(ifNoneMatch, etag: version.etag)
        } else if let text = request[.ifModifiedSince], let date = Timestamp.parseHTTPDate(text) {
            notModified = modifiedSeconds <= date / 1000
        }
        guard notModified else { return nil }
        return Response(status: .notModified, headers: headers)
    }
}
