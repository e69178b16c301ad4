/// Keys of up to 1024 bytes in one LMDB database, in exact byte order, although an LMDB key holds at
/// most 511 bytes.
///
/// Every LMDB key is `group id (8 bytes, big-endian) | segment`. A key of at most
/// `segmentByteCountMax` bytes is stored whole as a leaf of its group. A longer key stores its first
/// `segmentByteCountMax` bytes followed by `0xFF` as a *branch* pointing to a child group, and the
/// rest of the key goes into that child, and so on. Valid UTF-8 never contains `0xFF`, so a branch
/// sorts after every leaf that shares its segment and before every key that is greater than all of
/// the branch's keys; walking the tree depth-first therefore visits keys in exact byte order.
/// A 1024-byte key is three levels deep.
public struct KeyTree: Sendable {
    /// Bytes of a key held by one level.
    public static let segmentByteCountMax = 480
    /// Ends a branch segment; never part of a UTF-8 key.
    public static let branchMarker: UInt8 = 0xFF
    static let groupIDByteCount = 8

    private enum EntryKind: UInt8 {
        case leaf = 1
        case branch = 2
    }

    /// What a scan's visitor wants next.
    public enum Step {
        case next
        case stop
        /// Continue at the first key greater than or equal to these bytes.
        case seek([UInt8])
    }

    let database: LMDBDatabase

    init(database: LMDBDatabase, keyByteCountMax: Int) {
        // An LMDB key must hold a group id, a whole segment and the branch marker.
        precondition(Self.groupIDByteCount + Self.segmentByteCountMax + 1 <= keyByteCountMax, "segments must fit LMDB keys")
        self.database = database
    }

    /// The payload stored under `key` in the tree rooted at `root`, or nil.
    public func get(_ transaction: borrowing LMDBTransaction, root: UInt64, key: [UInt8]) throws(LMDBError) -> [UInt8]? {
        guard let (group, segment) = try descend(transaction, root: root, key: key[...]) else { return nil }
        guard let value = try transaction.get(database, Self.entryKey(group, segment)) else { return nil }
        precondition(value.first == EntryKind.leaf.rawValue, "a whole-key segment is always a leaf")
        return Array(value.dropFirst())
    }

    /// Stores `payload` under `key`, creating branches as needed.
    public func put(
        _ transaction: borrowing LMDBTransaction, root: UInt64, key: [UInt8], payload: [UInt8],
        allocateGroup: () throws -> UInt64
    ) throws {
        precondition(!key.isEmpty, "keys are never empty")
        var group = root
        var remaining = key[...]
        while remaining.count > Self.segmentByteCountMax {
            let branchKey = Self.branchKey(group, remaining.prefix(Self.segmentByteCountMax))
            if let value = try transaction.get(database, branchKey) {
                precondition(value.first == EntryKind.branch.rawValue, "a marked segment is always a branch")
                group = KeyBytes.readUInt64(value.dropFirst())
            } else {
                let child = try allocateGroup()
                try transaction.put(database, branchKey, [EntryKind.branch.rawValue] + KeyBytes.uint64(child))
                group = child
            }
            remaining = remaining.dropFirst(Self.segmentByteCountMax)
        }
        try transaction.put(database, Self.entryKey(group, remaining), [EntryKind.leaf.rawValue] + payload)
    }

    /// Removes `key`, and any branch left empty by it. Returns whether the key existed.
    @discardableResult
    public func delete(_ transaction: borrowing LMDBTransaction, root: UInt64, key: [UInt8]) throws -> Bool {
        var path: [(group: UInt64, branchKey: [UInt8])] = []
        var group = root
        var remaining = key[...]
        while remaining.count > Self.segmentByteCountMax {
            let branchKey = Self.branchKey(group, remaining.prefix(Self.segmentByteCountMax))
            guard let value = try transaction.get(database, branchKey) else { return false }
            path.append((group, branchKey))
            group = KeyBytes.readUInt64(value.dropFirst())
            remaining = remaining.dropFirst(Self.segmentByteCountMax)
        }
        guard try transaction.delete(database, Self.entryKey(group, remaining)) else { return false }
        while let (parent, branchKey) = path.last, try isEmpty(transaction, group: group) {
            try transaction.delete(database, branchKey)
            group = parent
            path.removeLast()
        }
        return true
    }

    /// Whether the tree rooted at `group` holds no key.
    public func isEmpty(_ transaction: borrowing LMDBTransaction, group: UInt64) throws -> Bool {
        let prefix = KeyBytes.uint64(group)
        return try transaction.withCursor(database) { cursor in
            guard let entry = try cursor.seek(atOrAfter: prefix) else { return true }
            return !entry.key.starts(with: prefix)
        }
    }

    /// Visits the keys of the tree rooted at `root` in byte order, starting at the first key greater
    /// than or equal to `start`, until the visitor says stop or the keys run out.
    public func scan(
        _ transaction: borrowing LMDBTransaction, root: UInt64, from start: [UInt8],
        visit: (_ key: [UInt8], _ payload: ArraySlice<UInt8>) throws -> Step
    ) throws {
        try transaction.withCursor(database) { cursor in
            var target = start
            // Each seek restarts the walk from the root; a seek always moves forward, so this ends.
            seeking: while true {
                var frames: [(group: UInt64, prefix: [UInt8])] = [(root, [])]
                var entry = try position(&cursor, transaction, frames: &frames, target: target)
                while true {
                    guard let frame = frames.last else { return }
                    let groupPrefix = KeyBytes.uint64(frame.group)
                    guard let current = entry, current.key.starts(with: groupPrefix) else {
                        // This group is done: continue after its branch in the parent.
                        frames.removeLast()
                        guard let parent = frames.last else { return }
                        let branchKey = Self.branchKey(parent.group, frame.prefix[parent.prefix.count...])
                        entry = try cursor.seek(atOrAfter: branchKey)
                        if entry?.key == branchKey { entry = try cursor.next() }
                        continue
                    }
                    let segment = current.key[Self.groupIDByteCount...]
                    if current.value.first == EntryKind.branch.rawValue {
                        let child = KeyBytes.readUInt64(current.value.dropFirst())
                        frames.append((child, frame.prefix + segment.dropLast()))
                        entry = try cursor.seek(atOrAfter: KeyBytes.uint64(child))
                        continue
                    }
                    switch try visit(frame.prefix + segment, current.value.dropFirst()) {
                    case .next:
                        entry = try cursor.next()
                    case .stop:
                        return
                    case .seek(let bytes):
                        target = bytes
                        continue seeking
                    }
                }
            }
        }
    }

    /// Places the cursor on the first entry at or after `target`, descending through the branches
    /// the target's long prefix passes.
    private func position(
        _ cursor: inout LMDBCursor, _ transaction: borrowing LMDBTransaction,
        frames: inout [(group: UInt64, prefix: [UInt8])], target: [UInt8]
    ) throws -> LMDBCursor.Entry? {
        var remaining = target[...]
        while let frame = frames.last {
            guard remaining.count > Self.segmentByteCountMax else {
                return try cursor.seek(atOrAfter: Self.entryKey(frame.group, remaining))
            }
            let segment = remaining.prefix(Self.segmentByteCountMax)
            let branchKey = Self.branchKey(frame.group, segment)
            guard let value = try transaction.get(database, branchKey), value.first == EntryKind.branch.rawValue else {
                // No branch for this prefix: everything at or after where it would be is past the target.
                return try cursor.seek(atOrAfter: branchKey)
            }
            frames.append((KeyBytes.readUInt64(value.dropFirst()), frame.prefix + segment))
            remaining = remaining.dropFirst(Self.segmentByteCountMax)
        }
        return nil
    }

    /// Follows branches to the group holding the last segment of `key`.
    private func descend(
        _ transaction: borrowing LMDBTransaction, root: UInt64, key: ArraySlice<UInt8>
    ) throws(LMDBError) -> (UInt64, ArraySlice<UInt8>)? {
        var group = root
        var remaining = key
        while remaining.count > Self.segmentByteCountMax {
            guard let value = try transaction.get(database, Self.branchKey(group, remaining.prefix(Self.segmentByteCountMax))) else {
                return nil
            }
            group = KeyBytes.readUInt64(value.dropFirst())
            remaining = remaining.dropFirst(Self.segmentByteCountMax)
        }
        return (group, remaining)
    }

    static func entryKey(_ group: UInt64, _ segment: ArraySlice<UInt8>) -> [UInt8] {
        var key = [UInt8]()
        key.reserveCapacity(groupIDByteCount + segment.count + 1)
        KeyBytes.append(group, to: &key)
        key.append(contentsOf: segment)
        return key
    }

    static func branchKey(_ group: UInt64, _ segment: ArraySlice<UInt8>) -> [UInt8] {
        precondition(segment.count == segmentByteCountMax, "only full segments branch")
        var key = entryKey(group, segment)
        key.append(branchMarker)
        return key
    }
}
