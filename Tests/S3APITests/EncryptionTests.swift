import BlobStore
import Crypto
import Foundation
import Index
import NIOCore
import SporeTestSupport
import Testing

@testable import Objects

@Suite struct ChunkCipherTests {
    static func seal(_ plain: [UInt8], key: SymmetricKey, pieces: Int = 3) throws -> [UInt8] {
        var sealer = ChunkSealer(objectKey: key)
        var output = [UInt8]()
        // Fed in uneven pieces, as a network body arrives.
        var offset = 0
        var step = max(1, plain.count / pieces + 7)
        while offset < plain.count {
            let end = min(plain.count, offset + step)
            output += try plain[offset..<end].withUnsafeBytes { try sealer.seal($0) }
            offset = end
            step = step * 2 + 1
        }
        return output + (try sealer.finish())
    }

    static func open(_ sealed: [UInt8], key: SymmetricKey, range: Range<Int64>) throws -> [UInt8] {
        let opener = try ChunkOpener(objectKey: key, header: Array(sealed.prefix(ChunkCipher.headerByteCount)), cipherByteCount: Int64(sealed.count))
        var plain = [UInt8]()
        guard !range.isEmpty else { return [] }
        let chunk = Int64(ChunkCipher.chunkPlainByteCount)
        for index in (range.lowerBound / chunk)...((range.upperBound - 1) / chunk) {
            let stored = opener.cipherRange(ofChunk: index)
            let bytes = try sealed[Int(stored.lowerBound)..<Int(stored.upperBound)].withUnsafeBytes { try opener.open(chunk: index, $0) }
            let start = index * chunk
            plain += bytes[Int(max(range.lowerBound, start) - start)..<Int(min(range.upperBound, start + Int64(bytes.count)) - start)]
        }
        return plain
    }

    @Test(arguments: [1, 13, 65_535, 65_536, 65_537, 200_000, 3 * 65_536])
    func roundTripsEveryRangeShape(_ size: Int) throws {
        let key = SymmetricKey(size: .bits256)
        let plain = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let sealed = try Self.seal(plain, key: key)
        #expect(Int64(sealed.count) == ChunkCipher.cipherByteCount(plain: Int64(size)))
        #expect(ChunkCipher.plainByteCount(cipher: Int64(sealed.count)) == Int64(size))
        let n = Int64(size)
        for range in [0..<n, 0..<1, (n - 1)..<n, (n / 2)..<n, (n / 3)..<max(n / 3, min(n, n / 3 + 70_000))] {
            #expect(try Self.open(sealed, key: key, range: range) == Array(plain[Int(range.lowerBound)..<Int(range.upperBound)]))
        }
    }

    @Test func emptyBodiesHaveNoBytes() throws {
        var sealer = ChunkSealer(objectKey: SymmetricKey(size: .bits256))
        #expect(try sealer.finish().isEmpty)
        #expect(ChunkCipher.cipherByteCount(plain: 0) == 0)
    }

    @Test func tamperingTruncationAndWrongKeysAreDetected() throws {
        let key = SymmetricKey(size: .bits256)
        let plain = [UInt8](repeating: 0x41, count: 150_000)
        let sealed = try Self.seal(plain, key: key)
        let all = Int64(0)..<Int64(plain.count)
        for position in [0, 5, ChunkCipher.headerByteCount + 3, 70_000, sealed.count - 1] {
            var flipped = sealed
            flipped[position] ^= 0x01
            #expect(throws: (any Error).self) { try Self.open(flipped, key: key, range: all) }
        }
        #expect(throws: (any Error).self) { try Self.open(sealed, key: SymmetricKey(size: .bits256), range: all) }
        // Cut at a chunk boundary: the last remaining chunk was not sealed as the last.
        let cut = Array(sealed.prefix(ChunkCipher.headerByteCount + 2 * ChunkCipher.chunkCipherByteCount))
        #expect(throws: (any Error).self) { try Self.open(cut, key: key, range: 0..<(2 * 65_536)) }
        // Two chunks swapped.
        var swapped = sealed
        let first = ChunkCipher.headerByteCount
        let size = ChunkCipher.chunkCipherByteCount
        swapped.replaceSubrange(first..<(first + size), with: sealed[(first + size)..<(first + 2 * size)])
        swapped.replaceSubrange((first + size)..<(first + 2 * size), with: sealed[first..<(first + size)])
        #expect(throws: (any Error).self) { try Self.open(swapped, key: key, range: 0..<65_536) }
    }

    @Test func theSameKeyNeverSealsTheSameWay() throws {
        let key = SymmetricKey(size: .bits256)
        let plain = [UInt8](repeating: 1, count: 1000)
        #expect(try Self.seal(plain, key: key) != Self.seal(plain, key: key))
    }
}

@Suite struct EncryptionKeysTests {
    let directory = TemporaryDirectory()

    @Test func masterKeysSealDataKeysAndRotationKeepsOldOnes() async throws {
        let catalog = try Catalog(directory: directory.path)
        let keys = EncryptionKeys(catalog: catalog, serverSecret: "secret-one")
        await #expect(throws: ObjectError.unknownMasterKey("nope")) {
            _ = try await keys.newDataKey(kind: .kms, masterKeyID: "nope", context: nil, bucketKeyEnabled: false, nowMilliseconds: 1)
        }
        try await keys.createKey("team", nowMilliseconds: 1)
        await #expect(throws: EncryptionKeys.Failure.keyExists("team")) { try await keys.createKey("team", nowMilliseconds: 2) }
        await #expect(throws: EncryptionKeys.Failure.invalidKeyID("bad key")) { try await keys.createKey("bad key", nowMilliseconds: 2) }
        let (first, firstRecord) = try await keys.newDataKey(
            kind: .kms, masterKeyID: "team", context: nil, bucketKeyEnabled: false, nowMilliseconds: 3)
        try await keys.rotateKey("team", nowMilliseconds: 4)
        let (second, secondRecord) = try await keys.newDataKey(
            kind: .kms, masterKeyID: "team", context: nil, bucketKeyEnabled: false, nowMilliseconds: 5)
        #expect(firstRecord.masterKeyVersion == 1 && secondRecord.masterKeyVersion == 2)
        #expect(try keys.objectKey(for: firstRecord, customerKey: nil) == first)
        #expect(try keys.objectKey(for: secondRecord, customerKey: nil) == second)
        // The default key of SSE-S3 is made on first use.
        let (_, s3Record) = try await keys.newDataKey(kind: .s3, masterKeyID: nil, context: nil, bucketKeyEnabled: false, nowMilliseconds: 6)
        #expect(s3Record.masterKeyID == EncryptionKeys.defaultKeyID)
        #expect(try keys.list().map(\.id).sorted() == [EncryptionKeys.defaultKeyID, "team"])
        // Another server secret opens nothing; a record moved to another key version opens nothing.
        let stranger = EncryptionKeys(catalog: catalog, serverSecret: "secret-two")
        #expect(throws: EncryptionKeys.Failure.self) { _ = try stranger.objectKey(for: firstRecord, customerKey: nil) }
        var moved = secondRecord
        moved.masterKeyVersion = 1
        #expect(throws: EncryptionKeys.Failure.self) { _ = try keys.objectKey(for: moved, customerKey: nil) }
        await catalog.close()
    }

    @Test func customerKeysAreCheckedNotStored() async throws {
        let catalog = try Catalog(directory: directory.path)
        let keys = EncryptionKeys(catalog: catalog, serverSecret: "secret")
        let customer = [UInt8](repeating: 7, count: 32)
        let record = keys.customerRecord(customerKey: customer)
        #expect(record.customerKeyMAC.count == 32)
        #expect(Data(record.encoded()).range(of: Data(customer)) == nil)
        #expect(try keys.objectKey(for: record, customerKey: customer) == SymmetricKey(data: customer))
        #expect(throws: ObjectError.customerKeyMismatch) { _ = try keys.objectKey(for: record, customerKey: [UInt8](repeating: 8, count: 32)) }
        #expect(throws: ObjectError.customerKeyRequired) { _ = try keys.objectKey(for: record, customerKey: nil) }
        #expect(throws: ObjectError.customerKeyNotApplicable) { _ = try keys.objectKey(for: nil, customerKey: customer) }
        await catalog.close()
    }
}
