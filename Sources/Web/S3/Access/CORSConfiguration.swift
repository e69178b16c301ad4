import Access
import HTTPSupport
import Objects

/// A bucket's CORS rules (PutBucketCors), and how a browser request is matched against them.
public struct CORSConfiguration: Sendable, Equatable {
    static let methods: Set<String> = ["GET", "PUT", "POST", "DELETE", "HEAD"]
    /// Exposed on every CORS response: a browser uploading parts must read the ETag.
    static let alwaysExposed = ["ETag"]

    public struct Rule: Sendable, Equatable {
        public var id: String?
        public var origins: [String]
        public var methods: [String]
        public var headers: [String]
        public var exposeHeaders: [String]
        public var maxAgeSeconds: Int?

        /// Whether the rule covers this origin, method and the requested headers.
        func matches(origin: String, method: String, requestHeaders: [String]) -> Bool {
            guard origins.contains(where: { BucketPolicy.matches(pattern: $0, origin, caseInsensitive: false) }) else { return false }
            guard methods.contains(method) else { return false }
            return requestHeaders.allSatisfy { header in headers.contains { BucketPolicy.matches(pattern: $0, header, caseInsensitive: true) } }
        }
    }

    public var rules: [Rule]

    public init(rules: [Rule]) { self.rules = rules }

    /// The default for buckets without a configuration: these origins, every method and header.
    public static func permissive(origins: [String]) -> CORSConfiguration {
        CORSConfiguration(rules: [
            Rule(
                id: "spore-default", origins: origins, methods: ["GET", "PUT", "POST", "DELETE", "HEAD"], headers: ["*"],
                exposeHeaders: ["ETag", "Content-Length", "Content-Range", "Accept-Ranges", "x-amz-version-id", "x-amz-request-id"],
                maxAgeSeconds: 3000
            )
        ])
    }

    /// The first rule that allows the request, as S3 picks it.
    public func match(origin: String, method: String, requestHeaders: [String]) -> Rule? {
        rules.first { $0.matches(origin: origin, method: method, requestHeaders: requestHeaders) }
    }

    static func parse(_ body: [UInt8]) throws -> CORSConfiguration {
        guard let document = try? XMLReader.parse(body), document.name == "CORSConfiguration" else { throw S3Error.malformedXML() }
        let elements = document.children("CORSRule")
        guard !elements.isEmpty, elements.count <= Limits.corsRuleCountMax else { throw S3Error.malformedXML() }
        var rules = [Rule]()
        for element in elements {
            let origins = element.children("AllowedOrigin").map(\.text)
            let methods = element.children("AllowedMethod").map(\.text)
            guard !origins.isEmpty, !methods.isEmpty else { throw S3Error.malformedXML() }
            for method in methods where !Self.methods.contains(method) {
                throw S3Error.invalidRequest("Found unsupported HTTP method in CORS config. Unsupported method is \(method)")
            }
            var maxAge: Int?
            if let text = element.value("MaxAgeSeconds") {
                guard let seconds = Int(text), seconds >= 0 else { throw S3Error.malformedXML() }
                maxAge = seconds
            }
            rules.append(
                Rule(
                    id: element.value("ID"), origins: origins, methods: methods, headers: element.children("AllowedHeader").map(\.text),
                    exposeHeaders: element.children("ExposeHeader").map(\.text), maxAgeSeconds: maxAge
                ))
        }
        return CORSConfiguration(rules: rules)
    }

    func render() -> XMLWriter {
        var xml = XMLWriter()
        xml.openRoot("CORSConfiguration")
        for rule in rules {
            xml.open("CORSRule")
            if let id = rule.id { xml.element("ID", id) }
            for header in rule.headers { xml.element("AllowedHeader", header) }
            for method in rule.methods { xml.element("AllowedMethod", method) }
            for origin in rule.origins { xml.element("AllowedOrigin", origin) }
            for header in rule.exposeHeaders { xml.element("ExposeHeader", header) }
            if let seconds = rule.maxAgeSeconds { xml.element("MaxAgeSeconds", seconds) }
            xml.close("CORSRule")
        }
        xml.close("CORSConfiguration")
        return xml
    }
}
