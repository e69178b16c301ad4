import Foundation
import Glibc
import HTTPSupport
import Objects

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
        guard let document = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw Invalid(reason: "Policies must be valid JSON and the first byte must be '{'")
        }
        let rawStatements: [[String: Any]]
        if let list = document["Statement"] as? [[String: Any]] {
            rawStatements = list
        } else if let single = document["Statement"] as? [String: Any] {
            rawStatements = [single]
        } else {
            throw Invalid(reason: "Missing required field Statement")
        }
        guard !rawStatements.isEmpty else { throw Invalid(reason: "Missing required field Statement") }
        var statements = [Statement]()
        for raw in rawStatements {
            let effect: Effect
            switch raw["Effect"] as? String {
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
            if let block = raw["Condition"] as? [String: Any] {
                for (test, value) in block {
                    guard let pairs = value as? [String: Any] else { throw Invalid(reason: "Invalid Condition") }
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

    private static func strings(_ value: Any?) -> [String]? {
        if let text = value as? String { return [text] }
        if let list = value as? [Any] {
            return list.compactMap { item -> String? in
                if let text = item as? String { return text }
                if let number = item as? NSNumber { return number.stringValue }
                return nil
            }
        }
        if let flag = value as? Bool { return [flag ? "true" : "false"] }
        if let number = value as? NSNumber { return [number.stringValue] }
        return nil
    }

    private static func principals(_ value: Any?) throws(Invalid) -> Principals? {
        guard let value else { return nil }
        if let text = value as? String {
            guard text == "*" else { throw Invalid(reason: "Invalid principal in policy") }
            return .anyone
        }
        guard let map = value as? [String: Any] else { throw Invalid(reason: "Invalid principal in policy") }
        var names = [String]()
        for (kind, raw) in map {
            guard ["AWS", "CanonicalUser"].contains(kind), let values = strings(raw) else { throw Invalid(reason: "Invalid principal in policy") }
            if values.contains("*") { return .anyone }
            names += values
        }
        return .named(names)
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
    static func matches(pattern: String, _ text: String, caseInsensitive: Bool) -> Bool {
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
