import Access
import BlobStore
import HTTPSupport
import HTTPTypes
import Index
import Objects

/// An S3 error: its code, HTTP status and message, and the extra XML fields and headers AWS sends.
///
/// Every failure reaching the S3 face becomes one of these in `S3Error.from(_:)`, the one place
/// where domain errors are mapped to S3 codes.
public struct S3Error: Error, CustomStringConvertible, Sendable {
    public let code: String
    public let status: HTTPResponse.Status
    public let message: String
    /// Extra `<Name>value</Name>` fields of the error document (Key, BucketName, ArgumentName …).
    public var fields: [(String, String)]
    /// Extra response headers (Content-Range on 416, x-amz-delete-marker …).
    public var headers: [(HTTPField.Name, String)]

    public init(
        _ code: String, _ status: HTTPResponse.Status, _ message: String, fields: [(String, String)] = [],
        headers: [(HTTPField.Name, String)] = []
    ) {
        self.code = code
        self.status = status
        self.message = message
        self.fields = fields
        self.headers = headers
    }

    public var description: String { "\(code): \(message)" }

    /// The XML document for this error.
    public func document(resource: String, requestID: String) -> [UInt8] {
        var xml = XMLWriter()
        xml.openRoot("Error", namespace: nil)
        xml.element("Code", code)
        xml.element("Message", message)
        for (name, value) in fields { xml.element(name, value) }
        xml.element("Resource", resource)
        xml.element("RequestId", requestID)
        xml.element("HostId", requestID)
        xml.close("Error")
        return xml.bytes
    }

    // MARK: The catalogue of errors spore answers with

    static func accessDenied(_ message: String = "Access Denied.") -> S3Error { S3Error("AccessDenied", .forbidden, message) }
    /// Too many failed authentications from this address or for this key (AuthThrottle).
    static func slowDown(retryAfterMilliseconds: Int64) -> S3Error {
        var error = S3Error("SlowDown", .serviceUnavailable, "Please reduce your request rate.")
        error.headers = [(.retryAfter, String(max(1, (retryAfterMilliseconds + 999) / 1000)))]
        return error
    }
    static func invalidAccessKeyID() -> S3Error {
        S3Error("InvalidAccessKeyId", .forbidden, "The Access Key Id you provided does not exist in our records.")
    }
    static func signatureDoesNotMatch(fields: [(String, String)] = []) -> S3Error {
        S3Error(
            "SignatureDoesNotMatch", .forbidden,
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
            fields: fields
        )
    }
    static func requestTimeTooSkewed(requestTime: String, serverTime: String) -> S3Error {
        S3Error(
            "RequestTimeTooSkewed", .forbidden, "The difference between the request time and the current time is too large.",
            fields: [("RequestTime", requestTime), ("ServerTime", serverTime), ("MaxAllowedSkewMilliseconds", "900000")]
        )
    }
    static func authorizationHeaderMalformed(_ message: String) -> S3Error {
        S3Error("AuthorizationHeaderMalformed", .badRequest, message)
    }
    static func noSuchBucket(_ bucket: String) -> S3Error {
        S3Error("NoSuchBucket", .notFound, "The specified bucket does not exist", fields: [("BucketName", bucket)])
    }
    static func noSuchKey(_ key: String) -> S3Error {
        S3Error("NoSuchKey", .notFound, "The specified key does not exist.", fields: [("Key", key)])
    }
    static func noSuchVersion(_ key: String, _ versionID: String) -> S3Error {
        S3Error("NoSuchVersion", .notFound, "The specified version does not exist.", fields: [("Key", key), ("VersionId", versionID)])
    }
    static func noSuchUpload(_ uploadID: String) -> S3Error {
        S3Error(
            "NoSuchUpload", .notFound,
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
            fields: [("UploadId", uploadID)]
        )
    }
    static func bucketAlreadyExists(_ bucket: String) -> S3Error {
        S3Error(
            "BucketAlreadyExists", .conflict,
            "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
            fields: [("BucketName", bucket)]
        )
    }
    static func bucketAlreadyOwnedByYou(_ bucket: String) -> S3Error {
        S3Error(
            "BucketAlreadyOwnedByYou", .conflict,
            "Your previous request to create the named bucket succeeded and you already own it.", fields: [("BucketName", bucket)]
        )
    }
    static func bucketNotEmpty(_ bucket: String) -> S3Error {
        S3Error("BucketNotEmpty", .conflict, "The bucket you tried to delete is not empty", fields: [("BucketName", bucket)])
    }
    static func invalidBucketName(_ bucket: String) -> S3Error {
        S3Error("InvalidBucketName", .badRequest, "The specified bucket is not valid.", fields: [("BucketName", bucket)])
    }
    static func invalidArgument(_ message: String, name: String? = nil, value: String? = nil) -> S3Error {
        var fields = [(String, String)]()
        if let name { fields.append(("ArgumentName", name)) }
        if let value { fields.append(("ArgumentValue", value)) }
        return S3Error("InvalidArgument", .badRequest, message, fields: fields)
    }
    static func invalidRequest(_ message: String) -> S3Error { S3Error("InvalidRequest", .badRequest, message) }
    static func invalidRange(objectByteCount: Int64) -> S3Error {
        S3Error(
            "InvalidRange", .rangeNotSatisfiable, "The requested range is not satisfiable",
            fields: [("RangeRequested", ""), ("ActualObjectSize", String(objectByteCount))],
            headers: [(.contentRange, "bytes */\(objectByteCount)")]
        )
    }
    static func badDigest(_ message: String = "The Content-MD5 you specified did not match what we received.") -> S3Error {
        S3Error("BadDigest", .badRequest, message)
    }
    static func invalidDigest() -> S3Error { S3Error("InvalidDigest", .badRequest, "The Content-MD5 you specified is not valid.") }
    static func contentSHA256Mismatch(client: String, server: String) -> S3Error {
        S3Error(
            "XAmzContentSHA256Mismatch", .badRequest, "The provided 'x-amz-content-sha256' header does not match what was computed.",
            fields: [("ClientComputedContentSHA256", client), ("S3ComputedContentSHA256", server)]
        )
    }
    static func entityTooLarge(_ byteCountMax: Int64) -> S3Error {
        S3Error(
            "EntityTooLarge", .badRequest, "Your proposed upload exceeds the maximum allowed object size.",
            fields: [("MaxSizeAllowed", String(byteCountMax))]
        )
    }
    static func entityTooSmall() -> S3Error {
        S3Error("EntityTooSmall", .badRequest, "Your proposed upload is smaller than the minimum allowed object size.")
    }
    static func incompleteBody() -> S3Error {
        S3Error("IncompleteBody", .badRequest, "You did not provide the number of bytes specified by the Content-Length HTTP header.")
    }
    static func missingContentLength() -> S3Error {
        S3Error("MissingContentLength", .lengthRequired, "You must provide the Content-Length HTTP header.")
    }
    static func malformedXML() -> S3Error {
        S3Error(
            "MalformedXML", .badRequest,
            "The XML you provided was not well-formed or did not validate against our published schema."
        )
    }
    static func metadataTooLarge(_ byteCountMax: Int) -> S3Error {
        S3Error(
            "MetadataTooLarge", .badRequest, "Your metadata headers exceed the maximum allowed metadata size.",
            fields: [("MaxSizeAllowed", String(byteCountMax))]
        )
    }
    static func keyTooLong() -> S3Error { S3Error("KeyTooLongError", .badRequest, "Your key is too long") }
    static func notImplemented(_ what: String) -> S3Error {
        S3Error("NotImplemented", .notImplemented, "A header or query you provided implies functionality that is not implemented: \(what)")
    }
    static func methodNotAllowed() -> S3Error {
        S3Error("MethodNotAllowed", .methodNotAllowed, "The specified method is not allowed against this resource.")
    }
    static func preconditionFailed(_ condition: String = "If-Match") -> S3Error {
        S3Error(
            "PreconditionFailed", .preconditionFailed, "At least one of the pre-conditions you specified did not hold",
            fields: [("Condition", condition)]
        )
    }
    static func internalError() -> S3Error {
        S3Error("InternalError", .internalServerError, "We encountered an internal error. Please try again.")
    }
    static func storageFull() -> S3Error {
        S3Error(
            "XSporeStorageFull", HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage"),
            "Storage backend has reached its minimum free drive threshold. Please delete a few objects to proceed."
        )
    }

    /// Maps any error from the layers below to the S3 error the client sees.
    public static func from(_ error: any Error) -> S3Error {
        switch error {
        case let error as S3Error:
            return error
        case let error as IndexError:
            return from(error)
        case let error as ObjectError:
            return from(error)
        case ObjectResponse.ConditionFailure.preconditionFailed(let condition):
            return preconditionFailed(condition)
        case let error as EncryptionKeys.Failure:
            if case .invalidKeyID(let id) = error { return invalidArgument("Invalid keyId \(id)") }
            return internalError()
        case let error as BlobStoreError:
            switch error.kind {
            case .noSpace: return storageFull()
            case .tooLarge: return entityTooLarge(0)
            case .lengthMismatch: return incompleteBody()
            case .notFound, .corrupt, .ioFailure: return internalError()
            }
        case let error as LMDBError where error.isMapFull:
            return storageFull()
        default:
            return internalError()
        }
    }

    private static func from(_ error: ObjectError) -> S3Error {
        switch error {
        case .tooLarge(let limit): return entityTooLarge(limit)
        case .incompleteBody: return incompleteBody()
        case .md5Mismatch: return badDigest()
        case .checksumMismatch(let algorithm):
            return badDigest("The \(ChecksumHeaders.name(algorithm)) you specified did not match the calculated checksum.")
        case .contentSHA256Mismatch(let client, let server): return contentSHA256Mismatch(client: client, server: server)
        case .storageFull: return storageFull()
        case .unsatisfiableRange(let byteCount): return invalidRange(objectByteCount: byteCount)
        case .customerKeyRequired:
            return invalidRequest(
                "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
        // AWS answers 403 here; ceph/s3-tests (and so the clients written against it) expect 400.
        case .customerKeyMismatch: return invalidRequest("The provided encryption parameters did not match the ones used originally.")
        case .customerKeyNotApplicable: return invalidRequest("The encryption parameters are not applicable to this object.")
        case .unknownMasterKey(let id): return S3Error("KMS.NotFoundException", .badRequest, "Invalid keyId \(id)")
        }
    }

    private static func from(_ error: IndexError) -> S3Error {
        switch error {
        case .noSuchBucket(let bucket): return noSuchBucket(bucket)
        case .bucketOwnedByAnother(let bucket): return bucketAlreadyExists(bucket)
        case .bucketOwnedByCaller(let bucket): return bucketAlreadyOwnedByYou(bucket)
        case .bucketNotEmpty(let bucket): return bucketNotEmpty(bucket)
        case .noSuchKey(_, let key): return noSuchKey(key)
        case .noSuchVersion(_, let key, let versionID): return noSuchVersion(key, versionID)
        case .noSuchUpload(let uploadID): return noSuchUpload(uploadID)
        case .invalidPart(let detail):
            return S3Error(
                "InvalidPart", .badRequest,
                "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag. \(detail)"
            )
        case .invalidPartOrder:
            return S3Error("InvalidPartOrder", .badRequest, "The list of parts was not in ascending order. Parts must be ordered by part number.")
        case .partTooSmall: return entityTooSmall()
        case .preconditionFailed: return preconditionFailed()
        case .checksumMismatch(let detail): return badDigest(detail)
        case .invalidRequest(let detail): return invalidRequest(detail)
        case .notFound, .alreadyExists: return invalidRequest(error.description)
        case .deleteMarker: return methodNotAllowed()
        case .corrupt, .closed: return internalError()
        case .objectLocked: return accessDenied("Access Denied because object protected by object lock.")
        }
    }
}
