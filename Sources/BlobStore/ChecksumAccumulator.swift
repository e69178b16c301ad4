import CChecksum
import CZlib
import Crypto
import Foundation

/// Running state of the additional checksums a client asked for (CRC32, CRC32C, CRC64/NVME, SHA-1).
///
/// SHA-256 is not kept here: every blob's address already is its SHA-256, so that checksum is
/// taken from the address instead of being computed twice.
public struct ChecksumAccumulator: Sendable {
    private var crc32: UInt32?
    private var crc32c: UInt32?
    private var crc64nvme: UInt64?
    private var sha1: Insecure.SHA1?
    private let wantsSHA256: Bool
    /// The CRC-32 of every body, asked for or not: zip archives need each file's CRC-32 before
    /// they send a byte, and computing it here means no byte is ever reread for it. zlib's
    /// implementation runs at 3-4 GB/s, well ahead of the MD5 every body needs anyway.
    public private(set) var contentCRC32: UInt32 = 0

    public init(algorithms: Set<ChecksumAlgorithm>) {
        crc32 = algorithms.contains(.crc32) ? 0 : nil
        crc32c = algorithms.contains(.crc32c) ? 0 : nil
        crc64nvme = algorithms.contains(.crc64nvme) ? 0 : nil
        sha1 = algorithms.contains(.sha1) ? Insecure.SHA1() : nil
        wantsSHA256 = algorithms.contains(.sha256)
    }

    public var isEmpty: Bool { crc32 == nil && crc32c == nil && crc64nvme == nil && sha1 == nil && !wantsSHA256 }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        contentCRC32 = Self.zlibCRC32(contentCRC32, base, bytes.count)
        if crc32 != nil { crc32 = contentCRC32 }
        if let value = crc32c { crc32c = spore_crc32c_update(value, base, bytes.count) }
        if let value = crc64nvme { crc64nvme = spore_crc64nvme_update(value, base, bytes.count) }
        if sha1 != nil { sha1!.update(bufferPointer: bytes) }
    }

    /// The finished values, in `ChecksumAlgorithm` order; `sha256` is the content address.
    public func finalize(sha256 address: BlobDigest) -> [ChecksumValue] {
        var values = [ChecksumValue]()
        if let value = crc32 { values.append(ChecksumValue(algorithm: .crc32, bytes: Self.bigEndian(value))) }
        if let value = crc32c { values.append(ChecksumValue(algorithm: .crc32c, bytes: Self.bigEndian(value))) }
        if let value = crc64nvme {
            values.append(ChecksumValue(algorithm: .crc64nvme, bytes: Self.bigEndian(value)))
        }
        if let hasher = sha1 { values.append(ChecksumValue(algorithm: .sha1, bytes: Array(hasher.finalize()))) }
        if wantsSHA256 { values.append(ChecksumValue(algorithm: .sha256, bytes: address.bytes)) }
        return values
    }

    /// zlib's `crc32`, fed in pieces that fit its `uInt` length.
    static func zlibCRC32(_ crc: UInt32, _ base: UnsafeRawPointer, _ count: Int) -> UInt32 {
        var value = UInt(crc)
        var offset = 0
        while offset < count {
            let piece = min(count - offset, Int(UInt32.max >> 1))
            value = CZlib.crc32(value, base.advanced(by: offset).assumingMemoryBound(to: UInt8.self), UInt32(piece))
            offset += piece
        }
        return UInt32(truncatingIfNeeded: value)
    }

    static func bigEndian<Value: FixedWidthInteger>(_ value: Value) -> [UInt8] {
        let byteCount = Value.bitWidth / 8
        return (0..<byteCount).map { UInt8(truncatingIfNeeded: value >> ((byteCount - 1 - $0) * 8)) }
    }
}

/// CRC arithmetic on finished checksum values, for full-object checksums of multipart uploads.
public enum ChecksumCombiner {
    /// The checksum of A followed by B, or nil where the algorithm cannot be combined.
    public static func combine(_ first: ChecksumValue, _ second: ChecksumValue, secondLength: UInt64) -> ChecksumValue? {
        precondition(first.algorithm == second.algorithm, "only like checksums combine")
        switch first.algorithm {
        case .crc32:
            let value = spore_crc32_combine(word32(first.bytes), word32(second.bytes), secondLength)
            return ChecksumValue(algorithm: .crc32, bytes: ChecksumAccumulator.bigEndian(value))
        case .crc32c:
            let value = spore_crc32c_combine(word32(first.bytes), word32(second.bytes), secondLength)
            return ChecksumValue(algorithm: .crc32c, bytes: ChecksumAccumulator.bigEndian(value))
        case .crc64nvme:
            let value = spore_crc64nvme_combine(word64(first.bytes), word64(second.bytes), secondLength)
            return ChecksumValue(algorithm: .crc64nvme, bytes: ChecksumAccumulator.bigEndian(value))
        case .sha1, .sha256:
            return nil
        }
    }

    private static func word32(_ bytes: [UInt8]) -> UInt32 { bytes.reduce(0) { $0 << 8 | UInt32($1) } }
    private static func word64(_ bytes: [UInt8]) -> UInt64 { bytes.reduce(0) { $0 << 8 | UInt64($1) } }
}

/// CRC-32 (zlib's polynomial) of whole values: combination and one-shot computation.
public enum CRC32 {
    /// The CRC-32 of A followed by B, from CRC(A), CRC(B) and B's length.
    public static func combine(_ first: UInt32, _ second: UInt32, secondLength: UInt64) -> UInt32 {
        spore_crc32_combine(first, second, secondLength)
    }

    /// The CRC-32 of bytes in memory (inline bodies, tests).
    public static func checksum(_ bytes: some ContiguousBytes, continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return crc }
            return ChecksumAccumulator.zlibCRC32(crc, base, raw.count)
        }
    }
}
