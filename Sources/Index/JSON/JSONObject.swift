/// A JSON object that keeps its members in insertion order, as Python dicts (and so Hypha's
/// answers) do: a manifest comes back with its keys in the order the user wrote them.
///
/// Members are kept in one array; objects with more than `indexedCountMin` members also get a
/// dictionary from name to position. Most objects (manifests, configs, records) are small, and a
/// linear search over a few names beats hashing every name of every parsed object: decoding
/// artifact records was dominated by that hashing.
public struct JSONObject: Sendable {
    /// Objects with more members than this get a name index.
    static let indexedCountMin = 16

    private var members: [(key: String, value: JSONValue)] = []
    private var index: [String: Int]?

    public init() {}

    public init(_ pairs: some Sequence<(String, JSONValue)>) {
        members.reserveCapacity(pairs.underestimatedCount)
        for (key, value) in pairs { self[key] = value }
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return members.firstIndex { $0.key == key }
    }

    /// The member's value; assigning nil removes the member, assigning a new name appends it.
    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { members[$0].value } }
        set {
            if let newValue {
                if let existing = position(of: key) {
                    members[existing].value = newValue
                } else {
                    members.append((key, newValue))
                    if index != nil {
                        index?[key] = members.count - 1
                    } else if members.count > Self.indexedCountMin {
                        rebuildIndex()
                    }
                }
            } else if let existing = position(of: key) {
                members.remove(at: existing)
                if index != nil { rebuildIndex() }
            }
        }
    }

    private mutating func rebuildIndex() {
        var built = [String: Int](minimumCapacity: members.count)
        for (position, member) in members.enumerated() { built[member.key] = position }
        index = built
    }

    /// Members in order.
    public var pairs: [(key: String, value: JSONValue)] { members }

    public func contains(_ key: String) -> Bool { position(of: key) != nil }
}

extension JSONObject: Hashable {
    /// Equality ignores member order, as JSON's does.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.members.allSatisfy { member in rhs[member.key] == member.value }
    }

    /// Order-independent: each member hashes alone and the results are combined commutatively.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for member in members {
            var one = Hasher()
            one.combine(member.key)
            one.combine(member.value)
            combined ^= one.finalize()
        }
        hasher.combine(count)
        hasher.combine(combined)
    }
}

extension JSONObject: Sequence {
    public func makeIterator() -> some IteratorProtocol<(key: String, value: JSONValue)> { members.makeIterator() }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }
}

extension JSONObject: Codable {
    private struct Name: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Name.self)
        self.init()
        for key in container.allKeys { self[key.stringValue] = try container.decode(JSONValue.self, forKey: key) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Name.self)
        for (key, value) in members { try container.encode(value, forKey: Name(stringValue: key)) }
    }
}
