import SporeTestSupport
import Testing

@testable import Index

@Suite struct KeyTreeTests {
    let directory = TemporaryDirectory()
    // Roots far from the ids the catalog allocates for branches, as bucket ids are in real use.
    static let rootA: UInt64 = 1 << 60
    static let rootB: UInt64 = 1 << 61

    /// Keys built to stress the tree: short ones, ones that end exactly at the segment boundary, and
    /// long ones (up to 1024 bytes) that share long prefixes and differ at every depth.
    static func hostileKeys() -> [[UInt8]] {
        let segment = KeyTree.segmentByteCountMax
        let base = [UInt8](repeating: UInt8(ascii: "a"), count: segment)
        var keys: [[UInt8]] = [
            Array("a".utf8), Array("b".utf8), Array("a/b".utf8), Array("é".utf8), Array("~".utf8),
            base, base + [UInt8(ascii: "a")], base + [UInt8(ascii: "b")], Array(base.dropLast()),
            Array(base.dropLast()) + [UInt8(ascii: "b")], Array(base.dropLast()) + [UInt8(ascii: "0")],
            base + base, base + base + Array("z".utf8), base + Array("0".utf8) + base,
            [UInt8](repeating: UInt8(ascii: "z"), count: 1024), base + base + [UInt8](repeating: UInt8(ascii: "m"), count: 64),
            base + [UInt8](repeating: UInt8(ascii: "a"), count: 544), Array("a".utf8) + [UInt8](repeating: 0xC3, count: 1),
        ]
        keys.removeLast()  // not UTF-8; keys are always valid UTF-8
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let length = Int(generator.next(upperBound: UInt64(1024))) + 1
            let prefixLength = min(length, [0, segment - 1, segment, segment + 1, 2 * segment][Int(generator.next(upperBound: UInt64(5)))])
            var key = Array(base.prefix(prefixLength))
            if prefixLength > segment { key += [UInt8](repeating: UInt8(ascii: "a"), count: prefixLength - key.count) }
            while key.count < length { key.append(UInt8(ascii: "a") + UInt8(generator.next(upperBound: UInt64(3)))) }
            keys.append(key)
        }
        return Array(Set(keys))
    }

    func collect(_ catalog: Catalog, root: UInt64, from start: [UInt8] = []) throws -> [[UInt8]] {
        try catalog.read { transaction in
            var keys = [[UInt8]]()
            try catalog.keyTree.scan(transaction, root: root, from: start) { key, _ in
                keys.append(key)
                return .next
            }
            return keys
        }
    }

    @Test func scansVisitLongKeysInExactByteOrder() async throws {
        let catalog = try Catalog(directory: directory.path)
        let keys = Self.hostileKeys()
        let tree = catalog.keyTree
        try await catalog.writer.write { transaction in
            for key in keys {
                try tree.put(transaction, root: Self.rootA, key: key, payload: key.suffix(3)) { try catalog.allocateID(transaction) }
            }
        }
        let sorted = keys.sorted { $0.lexicographicallyPrecedes($1) }
        #expect(try collect(catalog, root: Self.rootA) == sorted)
        // Seeking lands on the first key at or after the target, at every depth.
        for target in sorted.enumerated().filter({ $0.offset % 17 == 0 }).map(\.element) {
            #expect(try collect(catalog, root: Self.rootA, from: target) == sorted.filter { !$0.lexicographicallyPrecedes(target) })
            let past = target + [KeyTree.branchMarker]
            #expect(try collect(catalog, root: Self.rootA, from: past) == sorted.filter { !$0.lexicographicallyPrecedes(past) })
        }
        // Lookups find every key and its payload.
        let (found, foreign) = try catalog.read { transaction in
            (try keys.map { try tree.get(transaction, root: Self.rootA, key: $0) }, try tree.get(transaction, root: Self.rootB, key: keys[0]))
        }
        #expect(found == keys.map { Array($0.suffix(3)) })
        #expect(foreign == nil)
        await catalog.close()
    }

    @Test func deletingEveryKeyLeavesNoBranchBehind() async throws {
        let catalog = try Catalog(directory: directory.path)
        let keys = Self.hostileKeys()
        let tree = catalog.keyTree
        try await catalog.writer.write { transaction in
            for key in keys { try tree.put(transaction, root: Self.rootA, key: key, payload: [1]) { try catalog.allocateID(transaction) } }
        }
        let removed = try await catalog.writer.write { transaction in
            try keys.map { try tree.delete(transaction, root: Self.rootA, key: $0) }
        }
        #expect(removed.allSatisfy { $0 })
        let remaining = try catalog.read { transaction in
            try transaction.withCursor(catalog.databases.keys) { cursor in
                var entries = [[UInt8]]()
                var entry = try cursor.first()
                while let current = entry {
                    entries.append(current.key)
                    entry = try cursor.next()
                }
                return entries
            }
        }
        #expect(remaining.map { "\($0.prefix(8)) \($0.count)" } == [])
        await catalog.close()
    }
}
