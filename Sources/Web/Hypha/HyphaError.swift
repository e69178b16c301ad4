import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error of the Hypha-style API, in one of its two shapes: the workspace-file routes answer
/// `{"success": false, "detail": …}`, token failures answer `{"detail": …}`; a missing file read
/// through `/files` is plain text, as Hypha's streaming response is.
struct HyphaError: Error {
    enum Shape {
        case withSuccess
        case detailOnly
        case text
    }

    let status: HTTPResponse.Status
    let detail: String
    var shape: Shape = .withSuccess

    static func notFound(_ detail: String) -> HyphaError { HyphaError(status: .notFound, detail: detail) }
    static func forbidden(_ detail: String) -> HyphaError { HyphaError(status: .forbidden, detail: detail) }
    static func badRequest(_ detail: String) -> HyphaError { HyphaError(status: .badRequest, detail: detail) }
    static func unauthorized(_ detail: String) -> HyphaError { HyphaError(status: .unauthorized, detail: detail, shape: .detailOnly) }

    var response: Response {
        switch shape {
        case .text:
            return Response(
                status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: detail))
            )
        case .withSuccess:
            return HyphaJSON.response(["success": false, "detail": detail], status: status)
        case .detailOnly:
            return HyphaJSON.response(["detail": detail], status: status)
        }
    }
}

/// JSON bodies of the Hypha-style API.
enum HyphaJSON {
    static func response(_ object: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = HTTPFields()) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed, .withoutEscapingSlashes])) ?? Data("null".utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func text(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
