import Access
import BlobStore
import Foundation
import HTTPSupport
import Objects
import SporeJSON

/// The policy document of a browser-based POST upload: an expiry and the conditions every form
/// field must meet. A value type, evaluated without I/O.
public struct PostPolicy: Sendable, Equatable {
    /// Largest policy document accepted (AWS allows 20 KB of form fields in all).

    public enum Condition: Sendable, Equatable {
        /// `{"field": "value"}` or `["eq", "$field", "value"]`.
        case equals(field: String, value: String)
        /// `["starts-with", "$field", "prefix"]`.
        case startsWith(field: String, prefix: String)
        /// `["content-length-range", min, max]`.
        case contentLengthRange(min: Int64, max: Int64)
    }

    /// Why a document is not a policy (answered 400) or a form breaks it (answered 403).
    public enum Failure: Error, Equatable {
        case invalidDocument(String)
        case expired
        case conditionFailed(String)
        case extraField(String)
    }

    public let expiresAtMilliseconds: Int64
    public let conditions: [Condition]

    public init(expiresAtMilliseconds: Int64, conditions: [Condition]) {
        self.expiresAtMilliseconds = expiresAtMilliseconds
        self.conditions = conditions
    }

    /// Parses the base64-encoded JSON document sent in the `policy` field.
    public static func parse(base64 text: String) throws(Failure) -> PostPolicy {
        guard text.utf8.count <= Limits.policyDocumentByteCountMax * 2, let bytes = Base64.decode(text.filter { !$0.isWhitespace }) else {
            throw .invalidDocument("Invalid Policy: Invalid Base64 encoding.")
        }
        return try parse(json: bytes)
    }

    public static func parse(json bytes: [UInt8]) throws(Failure) -> PostPolicy {
        guard let document = PolicyJSON.parse(bytes)?.objectValue else {
            throw .invalidDocument("Invalid Policy: Invalid JSON.")
        }
        // Both names are case-sensitive, as at AWS.
        guard let expirationText = document["expiration"]?.stringValue else {
            throw .invalidDocument("Invalid Policy: Policy missing expiration.")
        }
        guard let expires = Timestamp.parseISO8601(expirationText) else {
            throw .invalidDocument("Invalid Policy: Invalid 'expiration' value: '\(expirationText)'")
        }
        guard let list = document["conditions"]?.arrayValue else {
            throw .invalidDocument("Invalid Policy: Policy missing conditions.")
        }
        var conditions = [Condition]()
        for item in list {
            conditions.append(try condition(item))
        }
        return PostPolicy(expiresAtMilliseconds: expires, conditions: conditions)
    }

    private static func condition(_ item: JSONValue) throws(Failure) -> Condition {
        if case .object(let pair) = item {
            guard pair.count == 1, let (name, value) = pair.pairs.first, let text = scalarText(value) else {
                throw .invalidDocument("Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
            }
            return .equals(field: name.lowercased(), value: text)
        }
        guard case .array(let array) = item, let operation = array.first?.stringValue?.lowercased() else {
            throw .invalidDocument("Invalid Policy: Invalid condition.")
        }
        if operation == "content-length-range" {
            guard array.count == 3, let low = integer(array[1]), let high = integer(array[2]), low >= 0, high >= low else {
                throw .invalidDocument("Invalid Policy: Invalid content-length-range condition.")
            }
            return .contentLengthRange(min: low, max: high)
        }
        guard array.count == 3, let reference = array[1].stringValue, reference.hasPrefix("$"), let value = scalarText(array[2]) else {
            throw .invalidDocument("Invalid Policy: Invalid '\(operation)' condition.")
        }
        let field = String(reference.dropFirst()).lowercased()
        switch operation {
        case "eq": return .equals(field: field, value: value)
        case "starts-with": return .startsWith(field: field, prefix: value)
        default: throw .invalidDocument("Invalid Policy: Unknown condition '\(operation)'.")
        }
    }

    /// A string, or a number or boolean as its text (`true` reads "1").
    private static func scalarText(_ value: JSONValue) -> String? {
        value.stringValue ?? PolicyJSON.numberText(value)
    }

    /// A byte count: a number (a fraction cut toward zero, a boolean as 1 or 0) or a string of
    /// decimal digits. A number beyond 64 bits is nil, which the range refuses as it always has.
    private static func integer(_ value: JSONValue) -> Int64? {
        switch value {
        case .int(let number): return number
        case .double(let number) where number >= -0x1p63 && number < 0x1p63: return Int64(number)
        case .bool(let flag): return flag ? 1 : 0
        case .string(let text): return Int64(text)
        default: return nil
        }
    }

    /// Form fields that need no condition: the signature, the policy itself, the file, and
    /// `x-ignore-*` (AWS's rule), plus the checksum fields, which only make the upload stricter.
    public static func isExempt(_ field: String) -> Bool {
        ["policy", "signature", "x-amz-signature", "awsaccesskeyid", "file"].contains(field) || field.hasPrefix("x-ignore-")
            || field.hasPrefix("x-amz-checksum-")
    }

    /// Checks the form's fields (lowercased names; `bucket` included) against the policy.
    public func check(fields: [String: String], nowMilliseconds: Int64) throws(Failure) {
        guard nowMilliseconds <= expiresAtMilliseconds else { throw .expired }
        var covered = Set<String>()
        for condition in conditions {
            switch condition {
            case .equals(let field, let value):
                covered.insert(field)
                guard fields[field] == value else { throw .conditionFailed("[\"eq\", \"$\(field)\", \"\(value)\"]") }
            case .startsWith(let field, let prefix):
                covered.insert(field)
                // An absent field is the empty string: `starts-with "$x" ""` allows a form without x
                // (AWS does; ceph/s3-tests sends such policies for optional encryption fields).
                guard Self.matches(fields[field] ?? "", prefix: prefix, field: field) else {
                    throw .conditionFailed("[\"starts-with\", \"$\(field)\", \"\(prefix)\"]")
                }
            case .contentLengthRange:
                break
            }
        }
        for field in fields.keys.sorted() where !covered.contains(field) && !Self.isExempt(field) {
            throw .extraField(field)
        }
    }

    /// `starts-with` on Content-Type applies to each comma-separated type.
    private static func matches(_ value: String, prefix: String, field: String) -> Bool {
        if field == "content-type" {
            return value.split(separator: ",").allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) }
        }
        return value.hasPrefix(prefix)
    }

    /// The allowed body sizes, if the policy limits them.
    public var contentLengthRange: ClosedRange<Int64>? {
        for case .contentLengthRange(let low, let high) in conditions { return low...high }
        return nil
    }
}
