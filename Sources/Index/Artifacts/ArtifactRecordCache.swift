#if canImport(Glibc)
    import Glibc
#endif
import Synchronization

/// Decoded artifact records, reused while their stored bytes are unchanged.
///
/// Listing a collection decodes every child (its manifest and config are JSON), and decoding
/// was over half of a 1,000-child `list`. The cache keys on the internal id and keeps the exact
/// bytes each record was decoded from: a lookup compares the bytes read in the caller's own
/// transaction with them, so an entry can never be stale and nothing has to invalidate it (a
/// write simply stores different bytes). Bounded by the bytes it keeps; when full, it starts over.
final class ArtifactRecordCache: Sendable {
    /// Bytes of stored records kept (decoded records take a few times this).
    static let storedByteCountMax = 16 << 20

    private struct Entry {
        var bytes: [UInt8]
        var record: ArtifactRecord
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var storedByteCount = 0
    }

    private let state = Mutex(State())

    /// The record stored as `bytes`, decoded once.
    func record(id: String, bytes: UnsafeRawBufferPointer) throws -> ArtifactRecord {
        let cached: ArtifactRecord? = state.withLock { state in
            guard let entry = state.entries[id], Self.same(entry.bytes, bytes) else { return nil }
            return entry.record
        }
        if let cached { return cached }
        let stored = Array(bytes)
        let record = try ArtifactRecord(decoding: stored)
        guard stored.count <= Self.storedByteCountMax / 8 else { return record }
        state.withLock { state in
            if let previous = state.entries[id] { state.storedByteCount -= previous.bytes.count }
            if state.storedByteCount + stored.count > Self.storedByteCountMax {
                state.entries.removeAll(keepingCapacity: true)
                state.storedByteCount = 0
            }
            state.entries[id] = Entry(bytes: stored, record: record)
            state.storedByteCount += stored.count
        }
        return record
    }

    private static func same(_ kept: [UInt8], _ stored: UnsafeRawBufferPointer) -> Bool {
        guard kept.count == stored.count else { return false }
        guard let base = stored.baseAddress else { return kept.isEmpty }
        return kept.withUnsafeBytes { memcmp($0.baseAddress!, base, stored.count) == 0 }
    }
}
