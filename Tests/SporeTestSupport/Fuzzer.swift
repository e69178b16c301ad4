import Crypto
import Foundation

/// A small mutation fuzzer: every parser that reads bytes from the network gets seeds and their
/// random mutations (bit flips, byte changes, insertions of dictionary tokens, deletions,
/// duplications, splices) for a bounded time. A crash fails the run; where a parser has a
/// property (a round trip), it is checked too.
///
/// `SPORE_FUZZ_SECONDS` sets the time per target (default 1, as in CI; use 60+ on demand) and
/// `SPORE_FUZZ_SEED` replays a run (the seed is printed).
public struct Fuzzer {
    public static let secondsPerTarget = Double(ProcessInfo.processInfo.environment["SPORE_FUZZ_SECONDS"] ?? "") ?? 1
    public static let seed = UInt64(ProcessInfo.processInfo.environment["SPORE_FUZZ_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
    /// Largest input a mutation may grow to.
    public static let inputByteCountMax = 4096

    var state: UInt64

    public init(target: String) {
        var hasher = SHA256()
        hasher.update(data: Array(target.utf8))
        state = Self.seed ^ Array(hasher.finalize()).prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
        print("fuzz \(target): seed \(Self.seed), \(Self.secondsPerTarget) s")
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }

    public mutating func mutate(_ input: [UInt8], seeds: [[UInt8]], dictionary: [[UInt8]]) -> [UInt8] {
        var bytes = input
        for _ in 0...below(4) {
            switch below(8) {
            case 0 where !bytes.isEmpty: bytes[below(bytes.count)] ^= UInt8(1 << below(8))
            case 1 where !bytes.isEmpty: bytes[below(bytes.count)] = UInt8(truncatingIfNeeded: next())
            case 2 where !dictionary.isEmpty: bytes.insert(contentsOf: dictionary[below(dictionary.count)], at: below(bytes.count + 1))
            case 3 where !bytes.isEmpty:
                let start = below(bytes.count)
                bytes.removeSubrange(start..<min(bytes.count, start + 1 + below(16)))
            case 4 where !bytes.isEmpty:
                let start = below(bytes.count)
                let piece = bytes[start..<min(bytes.count, start + 1 + below(32))]
                bytes.insert(contentsOf: piece, at: below(bytes.count + 1))
            case 5 where !seeds.isEmpty:
                let other = seeds[below(seeds.count)]
                bytes = Array(bytes.prefix(below(bytes.count + 1))) + other.suffix(below(other.count + 1))
            case 6: bytes.insert(UInt8(truncatingIfNeeded: next()), at: below(bytes.count + 1))
            default: if !bytes.isEmpty { bytes[below(bytes.count)] = [0, 0x7F, 0x80, 0xFF, 0x3C, 0x26, 0x25, 0x0A][below(8)] }
            }
        }
        return Array(bytes.prefix(Self.inputByteCountMax))
    }

    /// Runs `body` on the seeds, then on mutations, until the time is up; returns the input count.
    @discardableResult
    public static func run(_ target: String, seeds: [String], dictionary: [String] = [], _ body: ([UInt8]) throws -> Void) rethrows -> Int {
        var fuzzer = Fuzzer(target: target)
        let seedBytes = seeds.map { Array($0.utf8) }
        let tokens = dictionary.map { Array($0.utf8) }
        for seed in seedBytes { try body(seed) }
        let deadline = Date().addingTimeInterval(secondsPerTarget)
        var count = seedBytes.count
        var current = seedBytes.first ?? []
        while Date() < deadline {
            for _ in 0..<64 {
                current = fuzzer.mutate(
                    fuzzer.below(4) == 0 ? seedBytes[fuzzer.below(seedBytes.count)] : current, seeds: seedBytes, dictionary: tokens)
                try body(current)
                count += 1
            }
        }
        return count
    }
}
