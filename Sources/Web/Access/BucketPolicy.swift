import Foundation
import Glibc
import HTTPSupport
import Objects
import SporeJSON

/// A bucket policy: the subset of the IAM policy language people use for buckets. Statements with
/// Effect, Principal, Action/NotAction, Resource/NotResource and Condition; wildcards `*` and `?`;
/// conditions StringEquals, StringNotEquals, StringLike, StringNotLike, IpAddress, NotIpAddress and
/// Bool, on keys such as `s3:prefix`, `s3:delimiter`, `aws:SourceIp`, `aws:SecureTransport`.
public struct BucketPolicy: Sendable, Equatable {
    /// Largest policy document (AWS: 20 KB).

    public enum Effect: Sendable, Equatable {
        case allow
        case deny
    }

    public enum Principals: Sendable, Equatable {
        /// `"*"` or `{"AWS": "*"}`: anyone, signed or not.
        case anyone
        /// Users by name, ARN or canonical id.
        case named([String])
    }

    public struct Condition: Sendable, Equatable {
        public let test: String
        public let key: String
        public let values: [String]
    }

    public struct Statement: Sendable, Equatable {
        public let effect: Effect
        public let principals: Principals?
        public let notPrincipals: Principals?
        public let actions: [String]?
        public let notActions: [String]?
        public let resources: [String]?
        public let notResources: [String]?
        public let conditions: [Condition]
    }

    public let statements: [Statement]

    public struct Invalid: Error, Equatable {
        public let reason: String
    }

    /// Parses and validates a policy for `bucket`.
    public init(json bytes: [UInt8], bucket: String) throws(Invalid) {
        guard bytes.count <= Limits.policyDocumentByteCountMax else { throw Invalid(reason: "Policies must be no larger than 20 KB") }
        guard let document = PolicyJSON.parse(bytes)?.objectValue else {
            throw Invalid(reason: "Policies must be valid JSON and the first byte must be '{'")
        }
        // A list of statements (every one an object), or a single statement.
        let rawStatements: [JSONObject]
        switch document["Statement"] {
        case .array(let items):
            let objects = items.compactMap(\.objectValue)
            guard objects.count == items.count else { throw Invalid(reason: "Missing required field Statement") }
            rawStatements = objects
        case .object(let single):
            rawStatements = [single]
        default:
            throw Invalid(reason: "Missing required field Statement")
        }
        guard !rawStatements.isEmpty else { throw Invalid(reason: "Missing required field Statement") }
        var statements = [Statement]()
        for raw in rawStatements {
            let effect: Effect
            switch raw["Effect"]?.stringValue {
            case "Allow": effect = .allow
            case "Deny": effect = .deny
            default: throw Invalid(reason: "Invalid effect")
            }
            let actions = Self.strings(raw["Action"])
            let notActions = Self.strings(raw["NotAction"])
            guard actions != nil || notActions != nil else { throw Invalid(reason: "Missing required field Action") }
            let resources = Self.strings(raw["Resource"])
            let notResources = Self.strings(raw["NotResource"])
            guard resources != nil || notResources != nil else { throw Invalid(reason: "Missing required field Resource") }
            for resource in (resources ?? []) + (notResources ?? []) {
                guard resource.hasPrefix("arn:aws:s3:::") else { throw Invalid(reason: "Policy has invalid resource") }
                let target = resource.dropFirst("arn:aws:s3:::".count)
                let resourceBucket = target.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
                guard Self.matches(pattern: resourceBucket, bucket, caseInsensitive: false) else {
                    throw Invalid(reason: "Policy has invalid resource")
                }
            }
            let principals = try Self.principals(raw["Principal"])
            let notPrincipals = try Self.principals(raw["NotPrincipal"])
            guard principals != nil || notPrincipals != nil else { throw Invalid(reason: "Missing required field Principal") }
            // As on AWS: NotPrincipal only narrows a Deny.
            if notPrincipals != nil, effect == .allow { throw Invalid(reason: "NotPrincipal is only supported with Effect Deny") }
            var conditions = [Condition]()
            // A Condition that is not an object is ignored, as it always has been.
            if case .object(let block) = raw["Condition"] {
                for (test, value) in block {
                    guard case .object(let pairs) = value else { throw Invalid(reason: "Invalid Condition") }
                    for (key, raw) in pairs {
                        guard let values = Self.strings(raw) else { throw Invalid(reason: "Invalid Condition") }
                        conditions.append(Condition(test: test, key: key.lowercased(), values: values))
                    }
                }
            }
            statements.append(
                Statement(
                    effect: effect, principals: principals, notPrincipals: notPrincipals, actions: actions, notActions: notActions,
                    resources: resources, notResources: notResources, conditions: conditions
                ))
        }
        self.statements = statements
    }

    /// A value given as one string or a list of them. Numbers and booleans are accepted as their
    /// text, as Foundation's NSNumber gave it: a lone `true`, `1` or `1.0` reads "true" (and `false`,
    /// `0`, `0.0` "false"), while in a list a boolean reads "1" or "0"; other members of a list
    /// (null, lists, objects) are dropped. Null and objects are no list of strings.
    private static func strings(_ value: JSONValue?) -> [String]? {
        guard let value else { return nil }
        switch value {
        case .string(let text): return [text]
        case .array(let items): return items.compactMap { $0.stringValue ?? PolicyJSON.numberText($0) }
        case .bool(let flag): return [flag ? "true" : "false"]
        case .int(let number) where number == 0 || number == 1: return [number == 1 ? "true" : "false"]
        case .double(let number) where number == 0 || number == 1: return [number == 1 ? "true" : "false"]
        case .int, .double: return PolicyJSON.numberText(value).map { [$0] }
        case .null, .object: return nil
        }
    }

    /// `"*"`, or an object of `AWS` and `CanonicalUser` names (a string or a list each); a `*`
    /// among the names means anyone. Any other member makes the principal invalid, wherever it
    /// stands in the object.
    private static func principals(_ value: JSONValue?) throws(Invalid) -> Principals? {
        guard let value else { return nil }
        if case .string(let text) = value {
            guard text == "*" else { throw Invalid(reason: "Invalid principal in policy") }
            return .anyone
        }
        guard case .object(let map) = value else { throw Invalid(reason: "Invalid principal in policy") }
        var names = [String]()
        for (kind, raw) in map {
            guard ["AWS", "CanonicalUser"].contains(kind), let values = strings(raw) else { throw Invalid(reason: "Invalid principal in policy") }
            names += values
        }
        return names.contains("*") ? .anyone : .named(names)
    }

    /// What a statement is asked about.
    public struct Request: Sendable {
        public var action: String
        /// `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key`.
        public var resource: String
        public var user: String?
        public var canonicalID: String?
        public var context: [String: String]

        public init(action: String, resource: String, user: String?, canonicalID: String?, context: [String: String]) {
            self.action = action
            self.resource = resource
            self.user = user
            self.canonicalID = canonicalID
            self.context = context
        }
    }

    /// The policy's verdict: deny wins over allow; nil when no statement applies.
    public func evaluate(_ request: Request, ignorePublic: Bool = false) -> Effect? {
        var allowed = false
        for statement in statements where applies(statement, request) {
            if statement.effect == .deny { return .deny }
            if ignorePublic && statement.principals == .anyone { continue }
            allowed = true
        }
        return allowed ? .allow : nil
    }

    /// Whether some Allow statement grants anything to anyone (GetBucketPolicyStatus).
    public var isPublic: Bool {
        statements.contains { $0.effect == .allow && $0.principals == .anyone && !$0.conditions.contains { $0.key == "aws:sourceip" } }
    }

    private func applies(_ statement: Statement, _ request: Request) -> Bool {
        if let principals = statement.principals, !Self.covers(principals, request) { return false }
        if let notPrincipals = statement.notPrincipals, Self.covers(notPrincipals, request) { return false }
        if let actions = statement.actions, !actions.contains(where: { Self.matches(pattern: $0, request.action, caseInsensitive: true) }) {
            return false
        }
        if let notActions = statement.notActions, notActions.contains(where: { Self.matches(pattern: $0, request.action, caseInsensitive: true) }) {
            return false
        }
        if let resources = statement.resources, !resources.contains(where: { Self.matches(pattern: $0, request.resource, caseInsensitive: false) }) {
            return false
        }
        if let notResources = statement.notResources,
            notResources.contains(where: { Self.matches(pattern: $0, request.resource, caseInsensitive: false) })
        {
            return false
        }
        return statement.conditions.allSatisfy { Self.holds($0, request.context) }
    }

    private static func covers(_ principals: Principals, _ request: Request) -> Bool {
        switch principals {
        case .anyone: return true
        case .named(let names):
            guard let user = request.user else { return false }
            return names.contains { name in
                name == user || name == request.canonicalID || name.hasSuffix(":user/" + user)
            }
        }
    }

    private static func holds(_ condition: Condition, _ context: [String: String]) -> Bool {
        let value = context[condition.key]
        // `…IfExists`: true when the key is absent, else the test without the suffix.
        if condition.test.hasSuffix("IfExists") {
            guard value != nil else { return true }
            let base = Condition(test: String(condition.test.dropLast("IfExists".count)), key: condition.key, values: condition.values)
            return holds(base, context)
        }
        switch condition.test {
        case "StringEquals": return value.map { condition.values.contains($0) } ?? false
        case "StringNotEquals": return value.map { !condition.values.contains($0) } ?? true
        case "StringEqualsIgnoreCase": return value.map { v in condition.values.contains { $0.lowercased() == v.lowercased() } } ?? false
        case "StringLike": return value.map { v in condition.values.contains { matches(pattern: $0, v, caseInsensitive: false) } } ?? false
        case "StringNotLike": return value.map { v in !condition.values.contains { matches(pattern: $0, v, caseInsensitive: false) } } ?? true
        case "IpAddress": return value.map { ip in condition.values.contains { CIDR(text: $0)?.contains(ip) ?? false } } ?? false
        case "NotIpAddress": return value.map { ip in !condition.values.contains { CIDR(text: $0)?.contains(ip) ?? false } } ?? true
        case "Bool": return value.map { v in condition.values.contains { $0.lowercased() == v.lowercased() } } ?? false
        case "NumericEquals": return value.map { v in condition.values.contains { Double($0) == Double(v) } } ?? false
        case "NumericLessThan": return numeric(value, condition.values) { $0 < $1 }
        case "NumericLessThanEquals": return numeric(value, condition.values) { $0 <= $1 }
        case "NumericGreaterThan": return numeric(value, condition.values) { $0 > $1 }
        case "NumericGreaterThanEquals": return numeric(value, condition.values) { $0 >= $1 }
        case "Null":
            let isNull = value == nil
            return condition.values.contains { $0.lowercased() == (isNull ? "true" : "false") }
        default: return false
        }
    }

    private static func numeric(_ value: String?, _ values: [String], _ compare: (Double, Double) -> Bool) -> Bool {
        guard let value, let number = Double(value) else { return false }
        return values.contains { Double($0).map { compare(number, $0) } ?? false }
    }

    /// `*` matches any run of characters, `?` any one.
    public static func matches(pattern: String, _ text: String, caseInsensitive: Bool) -> Bool {
        let pattern = Array((caseInsensitive ? pattern.lowercased() : pattern).unicodeScalars)
        let text = Array((caseInsensitive ? text.lowercased() : text).unicodeScalars)
        var (p, t) = (0, 0)
        var star: (p: Int, t: Int)?
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = (p, t)
                p += 1
            } else if let saved = star {
                p = saved.p + 1
                t = saved.t + 1
                star = (saved.p, saved.t + 1)
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}

/// Reading the JSON of policy documents (bucket policies, POST policies) as Foundation's reader
/// did before them, so that every document accepted then still is: UTF-8 with or without a byte
/// order mark, or UTF-16 or UTF-32 told by a byte order mark or by the zero bytes among the first
/// four (text invalid in its encoding is refused), and one trailing comma allowed before a
/// closing bracket or brace.
public enum PolicyJSON {
    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        let (encoding, skip) = detectEncoding(bytes)
        let utf8: [UInt8]
        if encoding == .utf8 {
            guard String(validating: bytes[skip...], as: UTF8.self) != nil else { return nil }
            utf8 = Array(bytes[skip...])
        } else {
            guard let text = String(bytes: bytes[skip...], encoding: encoding) else { return nil }
            utf8 = Array(text.utf8)
        }
        return try? JSONValue(parsing: withoutTrailingCommas(utf8))
    }

    /// The document without the commas that follow a value and precede only whitespace and a `]`
    /// or `}`; any other misplaced comma stays and fails the parse.
    static func withoutTrailingCommas(_ bytes: [UInt8]) -> [UInt8] {
        func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        var output = [UInt8]()
        output.reserveCapacity(bytes.count)
        var inString = false
        var escaped = false
        for (index, byte) in bytes.enumerated() {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: ",") {
                let previous = output.last { !isWhitespace($0) }
                let next = bytes[(index + 1)...].first { !isWhitespace($0) }
                let followsValue = previous.map { !"[{,:".utf8.contains($0) } ?? false
                if followsValue, next == UInt8(ascii: "]") || next == UInt8(ascii: "}") { continue }
            }
            output.append(byte)
        }
        return output
    }

    /// A number's text where a string is expected, as NSNumber wrote it: `true` and `false` as 1 and
    /// 0, integers in decimal, fractions as Swift writes a Double (`0.5`, `100.0`, `1e+20`).
    public static func numberText(_ value: JSONValue) -> String? {
        switch value {
        case .bool(let flag): return flag ? "1" : "0"
        case .int(let number): return String(number)
        case .double(let number): return number.description
        default: return nil
        }
    }

    private static func detectEncoding(_ bytes: [UInt8]) -> (encoding: String.Encoding, skip: Int) {
        guard bytes.count >= 2 else { return (.utf8, 0) }
        guard bytes.count >= 4 else {
            if bytes[0] == 0 { return (.utf16BigEndian, 0) }
            if bytes[1] == 0 { return (.utf16LittleEndian, 0) }
            return (.utf8, 0)
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return (.utf8, 3) }
        if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return (.utf32BigEndian, 4) }
        if bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return (.utf32LittleEndian, 4) }
        if bytes.starts(with: [0xFF, 0xFE]) { return (.utf16LittleEndian, 2) }
        if bytes.starts(with: [0xFE, 0xFF]) { return (.utf16BigEndian, 2) }
        switch (bytes[0], bytes[1], bytes[2], bytes[3]) {
        case (0, 0, 0, _): return (.utf32BigEndian, 0)
        case (_, 0, 0, 0): return (.utf32LittleEndian, 0)
        case (0, _, 0, _): return (.utf16BigEndian, 0)
        case (_, 0, _, 0): return (.utf16LittleEndian, 0)
        default: return (.utf8, 0)
        }
    }
}

/// An IPv4 or IPv6 network in CIDR notation (a bare address is a /32 or /128).
struct CIDR {
    let network: [UInt8]
    let prefixLength: Int

    init?(text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let address = CIDR.parse(String(parts[0])) else { return nil }
        let length = parts.count == 2 ? Int(parts[1]) : address.count * 8
        guard let length, length >= 0, length <= address.count * 8 else { return nil }
        network = address
        prefixLength = length
    }

    func contains(_ text: String) -> Bool {
        guard var address = CIDR.parse(text) else { return false }
        // An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d).
        if address.count == 16, network.count == 4, address.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] {
            address = Array(address.suffix(4))
        }
        guard address.count == network.count else { return false }
        var remaining = prefixLength
        for index in 0..<address.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if address[index] & mask != network[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    static func parse(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        if text.contains(":") {
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            return withUnsafeBytes(of: &address) { Array($0) }
        }
        var v4 = in_addr()
        guard inet_pton(AF_INET, text, &v4) == 1 else { return nil }
        return withUnsafeBytes(of: &v4) { Array($0) }
    }
}

#if canImport(Glibc)
#endif
