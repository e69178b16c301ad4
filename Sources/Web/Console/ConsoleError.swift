import Access
import BlobStore
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Logging
import NIOCore
import Objects
import SporeJSON
import Synchronization

/// An error of the console's JSON API, in the shape of the S3 console seed:
/// `{"error": "<Code>", "message": "<text>"}` with its HTTP status. Every failure of the face is
/// mapped here (`from`), the one place that decides wire codes.
public struct ConsoleError: Error, HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    /// Extra response headers (`Retry-After`).
    public var headers = HTTPFields()

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// 507, which swift-http-types does not name.
    static let insufficientStorageStatus = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")

    public var description: String { "\(status.code) \(code): \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    func response() -> Response {
        var response = JSONResponse.make(["error": .string(code), "message": .string(message)], status: status, headers: headers)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    static func invalid(_ message: String) -> ConsoleError { ConsoleError(.badRequest, "InvalidArgument", message) }
    static func unauthorized(_ message: String = "Sign in first.") -> ConsoleError { ConsoleError(.unauthorized, "Unauthorized", message) }
    static func denied(_ message: String = "Access Denied") -> ConsoleError { ConsoleError(.forbidden, "AccessDenied", message) }
    static let csrf = ConsoleError(.forbidden, "CSRFTokenInvalid", "This request needs the session's X-CSRF-Token header.")
    static func noSuchBucket(_ name: String) -> ConsoleError {
        ConsoleError(.notFound, "NoSuchBucket", "The specified bucket does not exist: \(name)")
    }
    static let noSuchKey = ConsoleError(.notFound, "NoSuchKey", "The specified key does not exist")
    static func notFound(_ message: String) -> ConsoleError { ConsoleError(.notFound, "NotFound", message) }

    /// Maps what the layers below throw to the console's codes.
    static func from(_ error: any Error) -> ConsoleError {
        switch error {
        case let error as ConsoleError:
            return error
        case let error as ObjectError:
            switch error {
            case .tooLarge(let limit):
                return ConsoleError(.contentTooLarge, "PayloadTooLarge", "File size exceeds maximum limit of \(ByteText.describe(limit))")
            case .storageFull:
                return ConsoleError(Self.insufficientStorageStatus, "InsufficientStorage", "Not enough disk space")
            case .unsatisfiableRange:
                return ConsoleError(.rangeNotSatisfiable, "InvalidRange", error.description)
            case .incompleteBody:
                return ConsoleError(.badRequest, "IncompleteBody", "The upload ended before the whole file arrived; nothing was stored.")
            case .customerKeyRequired, .customerKeyMismatch, .customerKeyNotApplicable:
                return ConsoleError(
                    .forbidden, "AccessDenied", "The object is encrypted with a customer key (SSE-C): read it through S3 with its key.")
            case .unknownMasterKey: return .invalid(error.description)
            default:
                return ConsoleError(.badRequest, "BadDigest", error.description)
            }
        case let error as IndexError:
            switch error {
            case .noSuchBucket(let name): return .noSuchBucket(name)
            case .bucketNotEmpty: return ConsoleError(.conflict, "BucketNotEmpty", "The bucket you tried to delete is not empty")
            case .bucketOwnedByCaller, .bucketOwnedByAnother:
                return ConsoleError(.conflict, "BucketAlreadyExists", "The requested bucket name is not available")
            case .noSuchKey, .notFound: return .noSuchKey
            case .noSuchVersion: return ConsoleError(.notFound, "NoSuchVersion", "The specified version does not exist")
            case .invalidRequest(let detail): return .invalid(detail)
            case .noSuchUpload: return ConsoleError(.notFound, "NoSuchUpload", "No such upload (it was completed or cancelled).")
            case .invalidPart(let detail): return ConsoleError(.badRequest, "InvalidPart", detail)
            case .invalidPartOrder: return ConsoleError(.badRequest, "InvalidPartOrder", "Parts must be listed in ascending order.")
            case .partTooSmall(let number):
                return ConsoleError(.badRequest, "EntityTooSmall", "Part \(number) is smaller than the minimum part size.")
            case .deleteMarker: return ConsoleError(.badRequest, "InvalidArgument", "That version is a delete marker.")
            case .objectLocked: return ConsoleError(.forbidden, "AccessDenied", "The version is protected by object lock: \(error.description)")
            default: return ConsoleError(.internalServerError, "InternalError", "The index could not complete the request.")
            }
        case let error as MultipartFormReader.FormError:
            guard case .malformed(let reason) = error else { return .invalid("malformed form") }
            return .invalid("The upload is not a valid multipart form: \(reason)")
        case let error as HTTPError where error.status == .contentTooLarge:
            return ConsoleError(.contentTooLarge, "PayloadTooLarge", "The request body is too large.")
        default:
            return ConsoleError(.internalServerError, "InternalError", "We encountered an internal error. Please try again.")
        }
    }
}

/// Byte counts for people: `20 GiB`, `1.5 MiB`.
enum ByteText {
    static func describe(_ bytes: Int64) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) bytes" }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int64(rounded)) \(units[unit])" : "\(rounded) \(units[unit])"
    }
}
