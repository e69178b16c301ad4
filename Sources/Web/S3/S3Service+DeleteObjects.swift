import Access
import BlobStore
import Crypto
import HTTPSupport
import Hummingbird
import Index
import Objects

extension S3Service {
    /// DeleteObjects: up to 1000 keys in one request and one durable commit.
    func deleteObjects(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        guard let bucketName = request.bucket else { throw S3Error.methodNotAllowed() }
        guard let bucket = try catalog.buckets.bucket(named: bucketName) else { throw S3Error.noSuchBucket(bucketName) }
        // Each key is authorized on its own below; a caller who may delete none of them gets nothing.
        if auth.principal.isAnonymous && bucket.policy == nil && !(bucket.acl?.isPublic ?? false) { throw S3Error.accessDenied() }
        let body = try await verifiedBody(http, request, auth)
        let (expected, _) = try ChecksumHeaders.parse(request)
        guard request.header("content-md5") != nil || !expected.isEmpty else {
            throw S3Error.invalidRequest("Missing required header for this request: Content-MD5")
        }
        if !expected.isEmpty {
            let digests = ContentHasher.digests(of: body, checksums: Set(expected.map(\.algorithm)))
            for checksum in expected where digests.checksum(checksum.algorithm) != checksum {
                throw S3Error.badDigest("The \(ChecksumHeaders.name(checksum.algorithm)) you specified did not match the calculated checksum.")
            }
        }
        guard let document = try? XMLReader.parse(body), document.name == "Delete" else { throw S3Error.malformedXML() }
        let objects = document.children("Object")
        guard !objects.isEmpty, objects.count <= Limits.deleteObjectsKeyCountMax else { throw S3Error.malformedXML() }
        let quiet = document.value("Quiet")?.lowercased() == "true"

        enum Target {
            case valid(ObjectKey, VersionID?, versionText: String?)
            case invalid(key: String, versionText: String?, error: S3Error)
        }
        let targets: [Target] = try objects.map { object in
            guard let keyText = object.value("Key") else { throw S3Error.malformedXML() }
            let versionText = object.value("VersionId")
            guard let key = ObjectKey(validating: keyText) else {
                return .invalid(
                    key: keyText, versionText: versionText,
                    error: keyText.utf8.count > ObjectKey.byteCountMax ? .keyTooLong() : .invalidArgument("Invalid key"))
            }
            do {
                try authorize(auth, bucket, request: request, key: keyText, action: versionText == nil ? "s3:DeleteObject" : "s3:DeleteObjectVersion")
            } catch let error as S3Error {
                return .invalid(key: keyText, versionText: versionText, error: error)
            }
            var versionID: VersionID?
            if let versionText {
                guard let parsed = VersionID(parsing: versionText) else {
                    return .invalid(key: keyText, versionText: versionText, error: .invalidArgument("Invalid version id specified"))
                }
                versionID = parsed
            }
            return .valid(key, versionID, versionText: versionText)
        }
        let valid = targets.compactMap { target -> (key: ObjectKey, versionID: VersionID?)? in
            if case .valid(let key, let versionID, _) = target { return (key, versionID) }
            return nil
        }
        // The bypass is a permission on each object, as AWS grants it (`arn:aws:s3:::bucket/*`).
        let bypassing = Set(valid.map(\.key.value).filter { bypassesGovernance(request, auth, bucket, key: $0) })
        let outcomes = try await catalog.objects.deleteObjects(
            bucket: bucket.name, valid, owner: auth.principal.user, bypassGovernance: { bypassing.contains($0.value) },
            nowMilliseconds: clock.nowMilliseconds()
        )
        var xml = XMLWriter()
        xml.openRoot("DeleteResult")
        var outcomeIndex = 0
        for target in targets {
            switch target {
            case .invalid(let key, let versionText, let error):
                Self.writeDeleteError(&xml, key: key, versionID: versionText, error: error)
            case .valid(let key, _, let versionText):
                let outcome = outcomes[outcomeIndex]
                outcomeIndex += 1
                switch outcome {
                case .success(let result):
                    guard !quiet else { continue }
                    xml.open("Deleted")
                    xml.element("Key", key.value)
                    if let versionText { xml.element("VersionId", versionText) }
                    if let marker = result.createdMarker {
                        xml.element("DeleteMarker", true)
                        xml.element("DeleteMarkerVersionId", marker.versionID.rawValue)
                    } else if let removed = result.removed, removed.isDeleteMarker, versionText != nil {
                        xml.element("DeleteMarker", true)
                        xml.element("DeleteMarkerVersionId", removed.versionID.rawValue)
                    }
                    xml.close("Deleted")
                case .failure(let error):
                    Self.writeDeleteError(&xml, key: key.value, versionID: versionText, error: S3Error.from(error))
                }
            }
        }
        xml.close("DeleteResult")
        return Self.xmlResponse(xml)
    }

    private static func writeDeleteError(_ xml: inout XMLWriter, key: String, versionID: String?, error: S3Error) {
        xml.open("Error")
        xml.element("Key", key)
        if let versionID { xml.element("VersionId", versionID) }
        xml.element("Code", error.code)
        xml.element("Message", error.message)
        xml.close("Error")
    }
}
