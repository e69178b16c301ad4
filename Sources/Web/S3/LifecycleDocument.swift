import Access
import HTTPSupport
import Hummingbird
import Index
import Objects

/// The XML of Put/GetBucketLifecycleConfiguration, to and from `LifecycleRule`.
enum LifecycleDocument {
    static let idByteCountMax = 255

    static func parse(_ body: [UInt8]) throws -> [LifecycleRule] {
        guard let document = try? XMLReader.parse(body), document.name == "LifecycleConfiguration" else { throw S3Error.malformedXML() }
        let elements = document.children("Rule")
        guard !elements.isEmpty, elements.count <= Limits.lifecycleRuleCountMax else { throw S3Error.malformedXML() }
        var rules = [LifecycleRule]()
        var identifiers = Set<String>()
        for element in elements {
            let rule = try parseRule(element, index: rules.count)
            guard identifiers.insert(rule.id).inserted else {
                throw S3Error.invalidArgument("Rule ID must be unique. Found same ID for more than one rule", name: "ID", value: rule.id)
            }
            rules.append(rule)
        }
        return rules
    }

    private static func parseRule(_ element: XMLElement, index: Int) throws -> LifecycleRule {
        let id = element.value("ID") ?? "rule-\(index + 1)"
        guard id.utf8.count <= idByteCountMax else {
            throw S3Error.invalidArgument("ID length should not exceed allowed limit of 255", name: "ID", value: id)
        }
        let isEnabled: Bool
        switch element.value("Status") {
        case "Enabled": isEnabled = true
        case "Disabled": isEnabled = false
        default: throw S3Error.malformedXML()
        }
        var rule = LifecycleRule(id: id, isEnabled: isEnabled, filter: try parseFilter(element))
        if let expiration = element.child("Expiration") {
            if let days = expiration.value("Days") { rule.expirationDays = try positiveDays(days, "Days") }
            if let date = expiration.value("Date") { rule.expirationDate = try midnight(date) }
            if let marker = expiration.value("ExpiredObjectDeleteMarker") { rule.expiredObjectDeleteMarker = marker.lowercased() == "true" }
            let given = [rule.expirationDays != nil, rule.expirationDate != nil, rule.expiredObjectDeleteMarker != nil].filter { $0 }.count
            guard given == 1 else { throw S3Error.malformedXML() }
        }
        if let noncurrent = element.child("NoncurrentVersionExpiration") {
            guard let days = noncurrent.value("NoncurrentDays") else { throw S3Error.malformedXML() }
            rule.noncurrentDays = try positiveDays(days, "NoncurrentDays")
            if let newer = noncurrent.value("NewerNoncurrentVersions") {
                guard let count = Int(newer), count > 0, count <= 100 else {
                    throw S3Error.invalidArgument("NewerNoncurrentVersions must be between 1 and 100", name: "NewerNoncurrentVersions", value: newer)
                }
                rule.newerNoncurrentVersions = count
            }
        }
        if let abort = element.child("AbortIncompleteMultipartUpload") {
            guard let days = abort.value("DaysAfterInitiation") else { throw S3Error.malformedXML() }
            rule.abortIncompleteUploadDays = try positiveDays(days, "DaysAfterInitiation")
        }
        let transitions = element.children.filter { $0.name == "Transition" || $0.name == "NoncurrentVersionTransition" }
        for transition in transitions {
            if let date = transition.value("Date") { _ = try midnight(date) }
            if let days = transition.value("Days"), Int(days).map({ $0 < 0 }) ?? true {
                throw S3Error.invalidArgument("'Days' for Transition action must be a positive integer", name: "Days", value: days)
            }
        }
        if !transitions.isEmpty { rule.transitionsXML = transitions.map { $0.serialized() }.joined() }
        guard
            rule.expirationDays != nil || rule.expirationDate != nil || rule.expiredObjectDeleteMarker != nil
                || rule.noncurrentDays != nil || rule.abortIncompleteUploadDays != nil || rule.transitionsXML != nil
        else { throw S3Error.invalidRequest("At least one action needs to be specified in a rule") }
        return rule
    }

    private static func parseFilter(_ element: XMLElement) throws -> LifecycleRule.Filter {
        let legacyPrefix = element.child("Prefix")
        let filterElement = element.child("Filter")
        if legacyPrefix != nil, filterElement != nil { throw S3Error.malformedXML() }
        if let legacyPrefix { return LifecycleRule.Filter(form: .legacyPrefix, prefix: legacyPrefix.text) }
        guard let filterElement, !filterElement.children.isEmpty else { return LifecycleRule.Filter(form: .empty) }
        if let and = filterElement.child("And") {
            guard filterElement.children.count == 1 else { throw S3Error.malformedXML() }
            var filter = try conditions(and)
            filter.form = .and
            return filter
        }
        var filter = try conditions(filterElement)
        filter.form = .single
        return filter
    }

    private static func conditions(_ element: XMLElement) throws -> LifecycleRule.Filter {
        var filter = LifecycleRule.Filter()
        filter.prefix = element.value("Prefix")
        for tag in element.children("Tag") {
            guard let key = tag.value("Key") else { throw S3Error.malformedXML() }
            filter.tags.append((key, tag.value("Value") ?? ""))
        }
        if let text = element.value("ObjectSizeGreaterThan") {
            guard let size = Int64(text), size >= 0 else {
                throw S3Error.invalidArgument("Invalid ObjectSizeGreaterThan", name: "ObjectSizeGreaterThan", value: text)
            }
            filter.sizeGreaterThan = size
        }
        if let text = element.value("ObjectSizeLessThan") {
            guard let size = Int64(text), size > 0 else {
                throw S3Error.invalidArgument("Invalid ObjectSizeLessThan", name: "ObjectSizeLessThan", value: text)
            }
            filter.sizeLessThan = size
        }
        return filter
    }

    private static func positiveDays(_ text: String, _ name: String) throws -> Int {
        guard let days = Int(text), days > 0 else {
            throw S3Error.invalidArgument("'\(name)' in the lifecycle action must be a positive integer", name: name, value: text)
        }
        return days
    }

    /// A date at midnight UTC (`2017-09-27` or `2017-09-27T00:00:00Z`).
    private static func midnight(_ text: String) throws -> Int64 {
        let invalid = S3Error.invalidArgument("'Date' must be at midnight GMT", name: "Date", value: text)
        let milliseconds = Timestamp.parseISO8601(text) ?? (text.count == 10 ? Timestamp.parseISO8601(text + "T00:00:00Z") : nil)
        guard let milliseconds, milliseconds % 86_400_000 == 0 else { throw invalid }
        return milliseconds
    }

    static func render(_ rules: [LifecycleRule]) -> XMLWriter {
        var xml = XMLWriter()
        xml.openRoot("LifecycleConfiguration")
        for rule in rules {
            xml.open("Rule")
            xml.element("ID", rule.id)
            let filter = rule.filter
            switch filter.form {
            case .legacyPrefix:
                xml.element("Prefix", filter.prefix ?? "")
            case .empty:
                xml.raw("<Filter></Filter>")
            case .single, .and:
                xml.open("Filter")
                if filter.form == .and { xml.open("And") }
                if let prefix = filter.prefix { xml.element("Prefix", prefix) }
                for tag in filter.tags {
                    xml.open("Tag")
                    xml.element("Key", tag.key)
                    xml.element("Value", tag.value)
                    xml.close("Tag")
                }
                if let size = filter.sizeGreaterThan { xml.element("ObjectSizeGreaterThan", size) }
                if let size = filter.sizeLessThan { xml.element("ObjectSizeLessThan", size) }
                if filter.form == .and { xml.close("And") }
                xml.close("Filter")
            }
            xml.element("Status", rule.isEnabled ? "Enabled" : "Disabled")
            if rule.expirationDays != nil || rule.expirationDate != nil || rule.expiredObjectDeleteMarker != nil {
                xml.open("Expiration")
                if let days = rule.expirationDays { xml.element("Days", days) }
                if let date = rule.expirationDate { xml.element("Date", Timestamp.iso8601(milliseconds: date)) }
                if let marker = rule.expiredObjectDeleteMarker { xml.element("ExpiredObjectDeleteMarker", marker) }
                xml.close("Expiration")
            }
            if let transitions = rule.transitionsXML { xml.raw(transitions) }
            if let days = rule.noncurrentDays {
                xml.open("NoncurrentVersionExpiration")
                xml.element("NoncurrentDays", days)
                if let newer = rule.newerNoncurrentVersions { xml.element("NewerNoncurrentVersions", newer) }
                xml.close("NoncurrentVersionExpiration")
            }
            if let days = rule.abortIncompleteUploadDays {
                xml.open("AbortIncompleteMultipartUpload")
                xml.element("DaysAfterInitiation", days)
                xml.close("AbortIncompleteMultipartUpload")
            }
            xml.close("Rule")
        }
        xml.close("LifecycleConfiguration")
        return xml
    }
}

extension S3Service {
    func putBucketLifecycle(_ request: S3Request, _ http: Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        let body = try await verifiedBody(http, request, auth)
        let rules = try LifecycleDocument.parse(body)
        try await catalog.setLifecycleRules(bucket: bucket.name, rules, nowMilliseconds: clock.nowMilliseconds())
        return Response(status: .ok, headers: [.contentLength: "0"])
    }

    func getBucketLifecycle(_ request: S3Request, _ auth: Authentication) throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        guard let rules = try catalog.lifecycleRules(bucket: bucket.name) else {
            throw S3Error(
                "NoSuchLifecycleConfiguration", .notFound, "The lifecycle configuration does not exist", fields: [("BucketName", bucket.name)])
        }
        return Self.xmlResponse(LifecycleDocument.render(rules))
    }

    func deleteBucketLifecycle(_ request: S3Request, _ auth: Authentication) async throws -> Response {
        let bucket = try authorizedBucket(request, auth)
        try await catalog.setLifecycleRules(bucket: bucket.name, nil, nowMilliseconds: clock.nowMilliseconds())
        return Response(status: .noContent)
    }

    /// `x-amz-expiration` for a version a lifecycle rule will expire.
    func expirationHeader(bucket: String, key: ObjectKey, version: ObjectVersion) -> String? {
        Self.expirationHeader(policy: try? catalog.lifecyclePolicy(bucket: bucket), key: key, version: version)
    }

    /// The same, from a policy already read (GET and HEAD read it with the object).
    static func expirationHeader(policy: LifecyclePolicy?, key: ObjectKey, version: ObjectVersion) -> String? {
        guard let policy, let due = policy.expiration(key: key.value, version: version) else { return nil }
        return "expiry-date=\"\(Timestamp.httpDate(milliseconds: due.atMilliseconds))\", rule-id=\"\(due.ruleID)\""
    }
}
