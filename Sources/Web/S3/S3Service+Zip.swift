import Access
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Objects

extension S3Service {
    /// `GET|HEAD /{bucket}?x-spore-zip&prefix=P`: the current version of every object under `P`
    /// as one stored zip archive, with an exact `Content-Length`, a strong `ETag` and `Range`
    /// support (ZipResponse), so a browser or `curl -C -` resumes it.
    ///
    /// Needs `s3:ListBucket` for the prefix, like a listing of it; each object is included only
    /// if the caller may `s3:GetObject` it (its ACL, tags and the bucket policy count, as for a
    /// GET), and the rest are left out and counted in `x-spore-zip-omitted`, as are objects whose
    /// key cannot be a safe entry name (a `..` segment, a leading `/`). Entry names are
    /// relative to the prefix's last `/`, so `photos/` gives `a.jpg`, not `photos/a.jpg`.
    func getPrefixZip(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        guard let name = request.bucket else { throw S3Error.methodNotAllowed() }
        guard let bucket = try catalog.buckets.bucket(named: name) else { throw S3Error.noSuchBucket(name) }
        let prefix = request.queryValue("prefix") ?? ""
        try authorize(auth, bucket, request: request, action: "s3:ListBucket", prefix: prefix, bucketLevel: true)
        let base = prefix.lastIndex(of: "/").map { String(prefix[...$0]) } ?? ""
        var (denied, unsafe) = (0, 0)
        let sources: [ZipSource]
        do {
            sources = try ZipResponse.sources(objects, bucket: bucket.name, prefix: prefix, base: base, unsafeNames: &unsafe) { key, version in
                do {
                    try authorize(auth, bucket, request: request, key: key, action: "s3:GetObject", object: version)
                    return true
                } catch let error as S3Error where error.code == "AccessDenied" {
                    denied += 1
                    return false
                }
            }
        } catch let failure as ZipResponse.Failure {
            throw Self.zipError(failure)
        }
        let omitted = denied + unsafe
        guard !sources.isEmpty else {
            let message = omitted == 0 ? "No objects under this prefix." : "No objects under this prefix that you may read."
            throw S3Error("NoSuchKey", .notFound, message, fields: [("Key", prefix)])
        }
        let folder = prefix.split(separator: "/").last.map(String.init) ?? bucket.name
        var response: Response
        do {
            response = try await ZipResponse.serve(objects, sources: sources, filename: folder + ".zip", request: http, eventLoop: request.eventLoop)
        } catch let failure as ZipResponse.Failure {
            throw Self.zipError(failure)
        }
        if omitted > 0 { response.headers[ZipResponse.omittedField] = String(omitted) }
        return response
    }

    static func zipError(_ failure: ZipResponse.Failure) -> S3Error {
        switch failure {
        case .tooManyFiles:
            return .invalidRequest("A zip archive holds at most \(ZipResponse.entryCountMax) objects; choose a longer prefix.")
        case .tooLarge:
            return .invalidRequest("A zip archive holds at most \(ZipResponse.byteCountMax) bytes; choose a longer prefix.")
        case .invalidName(let message):
            return .invalidRequest("An object's name cannot be stored in a zip archive: \(message)")
        }
    }
}
