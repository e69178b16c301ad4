import HTTPTypes
import Hummingbird
import NIOCore
import SporeJSON

/// JSON answers, written as Hypha's (FastAPI's) are: compact, UTF-8 kept, `/` never escaped.
public enum JSONResponse {
    public static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = HTTPFields()) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let bytes = value.jsonBytes
        headers[.contentLength] = String(bytes.count)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Reading small request bodies whole, always with an explicit limit.
public enum RequestBodies {
    /// Why a body could not be read.
    public enum Failure: Error, Equatable, Sendable {
        case tooLarge(byteCountMax: Int)
        case notJSON(String)
    }

    /// The body's bytes; more than `byteCountMax` is refused without reading the rest.
    public static func collect(_ request: Request, byteCountMax: Int) async throws -> [UInt8] {
        var request = request
        do {
            var buffer = try await request.collectBody(upTo: byteCountMax)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Failure.tooLarge(byteCountMax: byteCountMax)
        }
    }

    /// The body as JSON; nil for an empty body.
    public static func collectJSON(_ request: Request, byteCountMax: Int) async throws -> JSONValue? {
        let bytes = try await collect(request, byteCountMax: byteCountMax)
        guard !bytes.isEmpty else { return nil }
        do {
            return try JSONValue(parsing: bytes)
        } catch {
            throw Failure.notJSON(error.description)
        }
    }
}
