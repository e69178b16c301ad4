import Access
import BlobStore
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Logging
import NIOCore
import Objects
import SporeJSON
import Synchronization

/// The progress of uploads, for the seed's event stream: per user and encoded key, how many bytes
/// of the file have been stored out of how many, and the upload's state.
final class UploadProgressBoard: Sendable {
    /// Uploads tracked at once; past it the oldest finished ones are forgotten first.
    static let entryCountMax = 10_000
    /// A finished upload stays visible this long, so a stream opened late still sees it finish.
    static let finishedRetentionMilliseconds: Int64 = 60_000

    enum Status: String, Sendable {
        case idle, queued, uploading, completed, failed
    }

    struct Entry: Sendable, Equatable {
        var loaded: Int64
        var total: Int64
        var status: Status
        var updatedAtMilliseconds: Int64
    }

    private let entries = Mutex<[String: Entry]>([:])

    static func id(user: String, encodedKey: String) -> String { user + "\u{0}" + encodedKey }

    func entry(user: String, encodedKey: String) -> Entry? {
        entries.withLock { $0[Self.id(user: user, encodedKey: encodedKey)] }
    }

    func update(user: String, encodedKey: String, nowMilliseconds: Int64, _ change: (inout Entry) -> Void) {
        let id = Self.id(user: user, encodedKey: encodedKey)
        entries.withLock { entries in
            var entry = entries[id] ?? Entry(loaded: 0, total: 0, status: .idle, updatedAtMilliseconds: nowMilliseconds)
            change(&entry)
            entry.updatedAtMilliseconds = nowMilliseconds
            if entries[id] == nil, entries.count >= Self.entryCountMax { Self.evict(&entries, nowMilliseconds: nowMilliseconds) }
            entries[id] = entry
        }
    }

    /// Forgets finished uploads past their retention, then (if still full) the oldest finished.
    private static func evict(_ entries: inout [String: Entry], nowMilliseconds: Int64) {
        entries = entries.filter { _, entry in
            !(entry.status == .completed || entry.status == .failed) || entry.updatedAtMilliseconds + finishedRetentionMilliseconds > nowMilliseconds
        }
        if entries.count >= entryCountMax, let oldest = entries.min(by: { $0.value.updatedAtMilliseconds < $1.value.updatedAtMilliseconds }) {
            entries[oldest.key] = nil
        }
    }
}
