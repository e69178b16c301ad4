import BlobStore
import HTTPTypes

/// Pieces of incoming requests that the share links and the Hypha-style API read the same way.
public enum RequestFields {
    /// What a delegated read forwards to GetObject: the range and the conditions.
    public static let readConditions: [HTTPField.Name] = [.range, .ifMatch, .ifNoneMatch, .ifModifiedSince, .ifUnmodifiedSince]

    /// The fields of `headers` named in `names`, and no others.
    public static func copying(_ names: [HTTPField.Name], from headers: HTTPFields) -> HTTPFields {
        var copied = HTTPFields()
        for name in names {
            if let value = headers[name] { copied[name] = value }
        }
        return copied
    }

    /// The password of `Authorization: Basic …` (the user name is ignored), or nil.
    public static func basicPassword(_ authorization: String?) -> String? {
        guard let authorization, authorization.hasPrefix("Basic "), let decoded = Base64.decode(String(authorization.dropFirst(6))),
            let text = String(validating: decoded, as: UTF8.self), let colon = text.firstIndex(of: ":")
        else { return nil }
        return String(text[text.index(after: colon)...])
    }
}

extension HTTPFields {
    /// The same answer as `self[name]`: the value of the one field of that name, or, when there
    /// are several, their values joined by ", ". The subscript always goes through an
    /// unspecialised generic join, which was 1.5 % of a small HEAD's CPU; requests almost always
    /// carry one field of a name, and this returns it directly.
    @inlinable
    public func value(_ name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            if found != nil { return self[name] }
            found = field.value
        }
        return found
    }
}
