import Access
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Objects

/// S3 Object Lock: the bucket configuration, per-version retention and legal holds, the headers
/// that set them on writes and report them on reads, and the governance bypass. The rules
/// themselves are `ObjectLockRules`; the catalog enforces them wherever a version can go.
extension S3Service {
    static let lockModeField = HTTPField.Name("x-amz-object-lock-mode")!
    static let lockUntilField = HTTPField.Name("x-amz-object-lock-retain-until-date")!
    static let legalHoldField = HTTPField.Name("x-amz-object-lock-legal-hold")!
    static let bypassGovernanceHeader = "x-amz-bypass-governance-retention"

    static func missingLockConfiguration() -> S3Error { S3Error.invalidRequest("Bucket is missing Object Lock Configuration") }

    // MARK: Bucket configuration

    func putObjectLockConfiguration(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let body = try await verifiedBody(http, request, auth)
        let defaultRetention = try Self.parseLockConfiguration(body)
        try await catalog.buckets.updateBucket(named: bucket.name) { record in
            // Checked in the write, so a concurrent suspension cannot slip between check and change.
            guard record.versioning == .enabled else {
                throw S3Error.invalidBucketState("Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
            }
            record.objectLockEnabled = true
            record.defaultRetention = defaultRetention
        }
        return Response(status: .ok, headers: [.contentLength: "0"])
    }

    /// `<ObjectLockConfiguration>`: `ObjectLockEnabled` must say `Enabled`; an optional rule gives a
    /// default retention in days or years (not both).
    static func parseLockConfiguration(_ body: [UInt8]) throws -> DefaultRetention? {
        guard let document = try? XMLReader.parse(body), document.name == "ObjectLockConfiguration",
            document.value("ObjectLockEnabled") == "Enabled"
        else { throw S3Error.malformedXML() }
        guard let rule = document.child("Rule") else { return nil }
        guard let retention = rule.child("DefaultRetention"), let modeName = retention.value("Mode"),
            let mode = RetentionMode(name: modeName)
        else { throw S3Error.malformedXML() }
        let (days, years) = (retention.value("Days"), retention.value("Years"))
        let period: DefaultRetention.Period
        switch (days, years) {
        case (.some(let text), nil):
            guard let count = Int(text), count > 0 else { throw invalidRetentionPeriod() }
            guard count <= DefaultRetention.daysMax else { throw invalidRetentionPeriod() }
            period = .days(count)
        case (nil, .some(let text)):
            guard let count = Int(text), count > 0 else { throw invalidRetentionPeriod() }
            guard count <= DefaultRetention.yearsMax else { throw invalidRetentionPeriod() }
            period = .years(count)
        default:
            throw S3Error.malformedXML()
        }
        return DefaultRetention(mode: mode, period: period)
    }

    static func invalidRetentionPeriod() -> S3Error {
        S3Error("InvalidRetentionPeriod", .badRequest, "Default retention period must be a positive integer value.")
    }

    func getObjectLockConfiguration(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        guard bucket.objectLockEnabled else {
            throw S3Error(
                "ObjectLockConfigurationNotFoundError", .notFound, "Object Lock configuration does not exist for this bucket",
                fields: [("BucketName", bucket.name)])
        }
        var xml = XMLWriter()
        xml.openRoot("ObjectLockConfiguration")
        xml.element("ObjectLockEnabled", "Enabled")
        if let rule = bucket.defaultRetention {
            xml.open("Rule")
            xml.open("DefaultRetention")
            xml.element("Mode", rule.mode.name)
            switch rule.period {
            case .days(let days): xml.element("Days", String(days))
            case .years(let years): xml.element("Years", String(years))
            }
            xml.close("DefaultRetention")
            xml.close("Rule")
        }
        xml.close("ObjectLockConfiguration")
        return Self.xmlResponse(xml)
    }

    // MARK: Retention and legal hold of a version

    func putObjectRetention(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        let (bucket, _) = try authorizedObject(request, auth)
        guard bucket.objectLockEnabled else { throw Self.missingLockConfiguration() }
        let body = try await verifiedBody(http, request, auth)
        guard let document = try? XMLReader.parse(body), document.name == "Retention" else { throw S3Error.malformedXML() }
        let now = clock.nowMilliseconds()
        let retention: Retention?
        switch (document.value("Mode"), document.value("RetainUntilDate")) {
        case (nil, nil):
            retention = nil
        case (.some(let modeName), .some(let dateText)):
            guard let mode = RetentionMode(name: modeName) else { throw S3Error.malformedXML() }
            retention = Retention(mode: mode, untilMilliseconds: try Self.retainUntil(dateText, now: now))
        default:
            throw S3Error.malformedXML()
        }
        let version = try await catalog.objects.setRetention(
            bucket: bucket.name, key: try request.objectKey(), versionID: try Self.versionID(request), retention: retention,
            bypassGovernance: bypassesGovernance(request, auth, bucket), nowMilliseconds: now
        )
        return Self.versionChanged(version)
    }

    /// A retain-until date: ISO 8601 and in the future. No upper bound, as on AWS (ceph/s3-tests
    /// locks until 2140): who may set one at all is what `s3:PutObjectRetention` decides.
    static func retainUntil(_ text: String, now: Int64) throws -> Int64 {
        guard let milliseconds = Timestamp.parseISO8601(text) else {
            throw S3Error.invalidArgument("The retain until date is not a valid ISO 8601 date.", name: "RetainUntilDate", value: text)
        }
        guard milliseconds > now else { throw S3Error.invalidArgument("The retain until date must be in the future!") }
        return milliseconds
    }

    func getObjectRetention(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let (bucket, version) = try authorizedObject(request, auth)
        guard bucket.objectLockEnabled else { throw Self.missingLockConfiguration() }
        guard let retention = version.retention else {
            throw S3Error("NoSuchObjectLockConfiguration", .notFound, "The specified object does not have a ObjectLock configuration")
        }
        var xml = XMLWriter()
        xml.openRoot("Retention")
        xml.element("Mode", retention.mode.name)
        xml.element("RetainUntilDate", Timestamp.iso8601(milliseconds: retention.untilMilliseconds))
        xml.close("Retention")
        return Self.xmlResponse(xml)
    }

    func putObjectLegalHold(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        let (bucket, _) = try authorizedObject(request, auth)
        guard bucket.objectLockEnabled else { throw Self.missingLockConfiguration() }
        let body = try await verifiedBody(http, request, auth)
        guard let document = try? XMLReader.parse(body), document.name == "LegalHold",
            let status = document.value("Status"), status == "ON" || status == "OFF"
        else { throw S3Error.malformedXML() }
        let version = try await catalog.objects.setLegalHold(
            bucket: bucket.name, key: try request.objectKey(), versionID: try Self.versionID(request), on: status == "ON")
        return Self.versionChanged(version)
    }

    func getObjectLegalHold(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let (bucket, version) = try authorizedObject(request, auth)
        guard bucket.objectLockEnabled else { throw Self.missingLockConfiguration() }
        var xml = XMLWriter()
        xml.openRoot("LegalHold")
        xml.element("Status", version.legalHold ? "ON" : "OFF")
        xml.close("LegalHold")
        return Self.xmlResponse(xml)
    }

    // MARK: On writes and reads

    /// The lock a new version gets: from the `x-amz-object-lock-*` headers, else the bucket's
    /// default retention. Headers on a bucket without Object Lock are refused, and each needs its
    /// own permission, as on AWS (`s3:PutObjectRetention`, `s3:PutObjectLegalHold`): a writer
    /// must not be able to make versions no one can remove.
    func newVersionLock(
        _ request: S3Request, _ auth: Authentication, bucket: BucketRecord, now: Int64
    ) throws -> (retention: Retention?, legalHold: Bool) {
        let modeText = request.header("x-amz-object-lock-mode")
        let dateText = request.header("x-amz-object-lock-retain-until-date")
        let holdText = request.header("x-amz-object-lock-legal-hold")
        guard modeText != nil || dateText != nil || holdText != nil else {
            return (bucket.objectLockEnabled ? bucket.defaultRetention?.retention(fromMilliseconds: now) : nil, false)
        }
        guard bucket.objectLockEnabled else { throw Self.missingLockConfiguration() }
        if holdText != nil { try authorize(auth, bucket, request: request, action: "s3:PutObjectLegalHold") }
        if modeText != nil || dateText != nil { try authorize(auth, bucket, request: request, action: "s3:PutObjectRetention") }
        var legalHold = false
        if let holdText {
            guard holdText == "ON" || holdText == "OFF" else {
                throw S3Error.invalidArgument("Legal Hold must be either of 'ON' or 'OFF'", name: "x-amz-object-lock-legal-hold", value: holdText)
            }
            legalHold = holdText == "ON"
        }
        switch (modeText, dateText) {
        case (nil, nil):
            return (bucket.defaultRetention?.retention(fromMilliseconds: now), legalHold)
        case (.some(let modeName), .some(let date)):
            guard let mode = RetentionMode(name: modeName) else {
                throw S3Error.invalidArgument("Unknown wormMode directive.", name: "x-amz-object-lock-mode", value: modeName)
            }
            return (Retention(mode: mode, untilMilliseconds: try Self.retainUntil(date, now: now)), legalHold)
        default:
            throw S3Error.invalidArgument(
                "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied")
        }
    }

    /// Whether the request asks to bypass GOVERNANCE retention on `key` (the request's own key by
    /// default) and the caller is allowed `s3:BypassGovernanceRetention` there. Asking without the
    /// permission is not a bypass: a locked version then stays, with AccessDenied.
    func bypassesGovernance(_ request: S3Request, _ auth: Authentication, _ bucket: BucketRecord, key: String? = nil) -> Bool {
        guard request.header(Self.bypassGovernanceHeader)?.lowercased() == "true" else { return false }
        return (try? authorize(auth, bucket, request: request, key: key, action: "s3:BypassGovernanceRetention")) != nil
    }

    /// `x-amz-object-lock-*` on GET and HEAD, for versions that have a lock, to callers allowed
    /// to read them (`s3:GetObjectRetention`, `s3:GetObjectLegalHold`), as AWS does.
    func addLockHeaders(_ headers: inout HTTPFields, _ version: ObjectVersion, bucket: BucketRecord, request: S3Request, auth: Authentication) {
        guard bucket.objectLockEnabled else { return }
        let allowed = { (action: String) in (try? self.authorize(auth, bucket, request: request, action: action, object: version)) != nil }
        if let retention = version.retention, allowed("s3:GetObjectRetention") {
            headers[Self.lockModeField] = retention.mode.name
            headers[Self.lockUntilField] = Timestamp.iso8601(milliseconds: retention.untilMilliseconds)
        }
        if allowed("s3:GetObjectLegalHold") { headers[Self.legalHoldField] = version.legalHold ? "ON" : "OFF" }
    }
}
