import BlobStore
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import NIOCore
import Objects
import SporeJSON

/// The one error type of the Hypha face, and the one place where domain errors become its wire
/// shapes: the workspace-file routes and service calls answer `{"success": false, "detail": …}`,
/// token failures and the artifact routes `{"detail": …}`, and a missing file read through
/// `/files` is plain text, as Hypha's streaming response is.
public struct HyphaError: Error, HTTPResponseError, Sendable, Equatable {
    public enum Shape: Sendable, Equatable {
        case withSuccess
        case detailOnly
        case text
    }

    public let status: HTTPResponse.Status
    public let detail: String
    public var shape: Shape = .withSuccess

    public init(status: HTTPResponse.Status, detail: String, shape: Shape = .withSuccess) {
        self.status = status
        self.detail = detail
        self.shape = shape
    }

    static func notFound(_ detail: String) -> HyphaError { HyphaError(status: .notFound, detail: detail) }
    static func forbidden(_ detail: String) -> HyphaError { HyphaError(status: .forbidden, detail: detail) }
    static func badRequest(_ detail: String) -> HyphaError { HyphaError(status: .badRequest, detail: detail) }
    static func unauthorized(_ detail: String) -> HyphaError { HyphaError(status: .unauthorized, detail: detail, shape: .detailOnly) }
    static let routeNotFound = HyphaError(status: .notFound, detail: "Not Found", shape: .detailOnly)
    static let methodNotAllowed = HyphaError(status: .methodNotAllowed, detail: "Method Not Allowed", shape: .detailOnly)

    public func response(from request: Request, context: some RequestContext) throws -> Response { response }

    var response: Response {
        switch shape {
        case .text:
            return Response(
                status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: detail))
            )
        case .withSuccess:
            return JSONResponse.make(["success": false, "detail": .string(detail)], status: status)
        case .detailOnly:
            return JSONResponse.make(["detail": .string(detail)], status: status)
        }
    }

    /// Maps any error reaching the Hypha face to what the client sees.
    static func from(_ error: any Error) -> HyphaError {
        switch error {
        case let error as HyphaError:
            return error
        case let error as PythonException:
            return HyphaError(status: error.status, detail: error.detail)
        case let error as ObjectError:
            return from(error)
        case let error as IndexError:
            return from(error)
        case let error as RequestBodies.Failure:
            switch error {
            case .tooLarge: return .badRequest("The request body is too large.")
            case .notJSON(let reason): return .badRequest("Invalid request body: \(reason)")
            }
        case ObjectResponse.ConditionFailure.preconditionFailed:
            return HyphaError(status: .preconditionFailed, detail: "Precondition Failed")
        case let error as BlobStoreError where error.kind == .noSpace:
            return from(ObjectError.storageFull)
        case let error as LMDBError where error.isMapFull:
            return from(ObjectError.storageFull)
        case let error as HTTPError where error.status == .notFound:
            return .routeNotFound
        default:
            return HyphaError(status: .internalServerError, detail: "Internal Server Error")
        }
    }

    private static func from(_ error: ObjectError) -> HyphaError {
        switch error {
        case .tooLarge(let limit): return HyphaError(status: .contentTooLarge, detail: "The body exceeds \(limit) bytes.")
        case .incompleteBody: return .badRequest("The body does not have the length it declared.")
        case .md5Mismatch, .checksumMismatch, .contentSHA256Mismatch: return .badRequest("The body does not match its digest.")
        case .storageFull:
            return HyphaError(status: HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage"), detail: "The storage is full.")
        case .unsatisfiableRange(let byteCount):
            return HyphaError(status: .rangeNotSatisfiable, detail: "Requested range not satisfiable (the file has \(byteCount) bytes).")
        // SSE-C objects are readable through S3 with their key only; this face has no way to send it.
        case .customerKeyRequired, .customerKeyMismatch, .customerKeyNotApplicable:
            return HyphaError(status: .forbidden, detail: "Permission denied: \(error.description) (read it through S3 with its key)")
        case .unknownMasterKey: return .badRequest(error.description)
        }
    }

    private static func from(_ error: IndexError) -> HyphaError {
        switch error {
        case .noSuchBucket, .noSuchKey, .noSuchVersion, .noSuchUpload, .notFound: return .notFound(error.description)
        case .alreadyExists: return HyphaError(status: .conflict, detail: error.description)
        case .preconditionFailed: return HyphaError(status: .preconditionFailed, detail: "Precondition Failed")
        case .bucketOwnedByAnother, .bucketOwnedByCaller, .bucketNotEmpty: return HyphaError(status: .conflict, detail: error.description)
        case .invalidPart, .invalidPartOrder, .partTooSmall, .checksumMismatch, .invalidRequest, .deleteMarker:
            return .badRequest(error.description)
        case .corrupt, .closed: return HyphaError(status: .internalServerError, detail: "Internal Server Error")
        case .objectLocked: return HyphaError(status: .forbidden, detail: "Permission denied: \(error.description)")
        }
    }
}

/// A failure of a service function, reported as Hypha reports the Python exception a function
/// raised: `{"success": false, "detail": "<prefix><Type>: <message>"}`, with the status Hypha's HTTP
/// proxy derives from the text (KeyError or "not found" → 404, PermissionError or "Permission
/// denied" → 403, TypeError/ValueError/AssertionError → 400, anything else → 500).
struct PythonException: Error, Sendable, Equatable {
    enum Kind: String, Sendable {
        case keyError = "KeyError"
        case permissionError = "PermissionError"
        case valueError = "ValueError"
        case typeError = "TypeError"
        case assertionError = "AssertionError"
        case fileNotFoundError = "FileNotFoundError"
        case fileExistsError = "FileExistsError"
        case notImplementedError = "NotImplementedError"
        case runtimeError = "RuntimeError"
        case httpException = "fastapi.exceptions.HTTPException"
        case pydanticValidationError = "ValidationError"
    }

    let kind: Kind
    let message: String
    /// `RemoteException: ` for functions Hypha runs in a service process (the artifact manager).
    var prefix = ""
    /// Whether the detail names the type (Hypha drops it from multi-line messages).
    var showsType = true

    init(kind: Kind, message: String, prefix: String = "") {
        self.kind = kind
        self.message = message
        self.prefix = prefix
    }

    static func key(_ message: String) -> PythonException { PythonException(kind: .keyError, message: message) }
    static func permission(_ message: String) -> PythonException { PythonException(kind: .permissionError, message: message) }
    static func value(_ message: String) -> PythonException { PythonException(kind: .valueError, message: message) }
    static func type(_ message: String) -> PythonException { PythonException(kind: .typeError, message: message) }

    var detail: String { showsType ? "\(prefix)\(kind.rawValue): \(message)" : "\(prefix)\(message)" }

    /// Hypha's mapping from the remote error's text, except where spore answers better on purpose
    /// (docs/hypha-api.md): an alias that exists is 409, not 500; a function spore does not offer
    /// is 501.
    var status: HTTPResponse.Status {
        if kind == .fileExistsError { return .conflict }
        if kind == .notImplementedError { return .notImplemented }
        // Python's FileNotFoundError reaches Hypha's mapping with "not found" in its traceback.
        if kind == .fileNotFoundError { return .notFound }
        let text = "\(prefix)\(kind.rawValue): \(message)"
        if text.contains("KeyError:") || text.contains("not found") { return .notFound }
        if text.contains("PermissionError:") || text.contains("Permission denied") { return .forbidden }
        if text.contains("TypeError:") || text.contains("ValueError:") || text.contains("AssertionError:") { return .badRequest }
        return .internalServerError
    }
}
