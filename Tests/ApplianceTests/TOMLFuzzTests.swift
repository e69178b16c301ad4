import Foundation
import Testing

@testable import Appliance

/// The configuration parser gets random mutations of a realistic file for a bounded time
/// (`SPORE_FUZZ_SECONDS`, default 1): it must answer a value or a parse error, never crash.
@Suite struct TOMLFuzzTests {
    static let seed = """
        # spore configuration
        data_dir = "/var/lib/spore"
        s3_address = '0.0.0.0:9000'
        inline_max = 16_384
        fsync = "always"
        cors_origins = ["http://a", 'http://b']
        [extra]
        flag = true
        """

    @Test func parsesItsOwnExample() throws {
        let values = try TOMLSubset.parse(Self.seed)
        #expect(values.count >= 5)
    }

    @Test func survivesMutations() {
        let seconds = Double(ProcessInfo.processInfo.environment["SPORE_FUZZ_SECONDS"] ?? "") ?? 1
        var state = UInt64(ProcessInfo.processInfo.environment["SPORE_FUZZ_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
        print("fuzz toml: seed \(state)")
        func next() -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % 1_000_003)
        }
        let tokens = Array("=\"'[]#\n_,.-+ \\{}0123456789truefalse".utf8)
        let deadline = Date().addingTimeInterval(seconds)
        var bytes = Array(Self.seed.utf8)
        var count = 0
        while Date() < deadline {
            if next() % 8 == 0 { bytes = Array(Self.seed.utf8) }
            for _ in 0...(next() % 4) {
                switch next() % 3 {
                case 0 where !bytes.isEmpty: bytes.remove(at: next() % bytes.count)
                case 1: bytes.insert(tokens[next() % tokens.count], at: next() % (bytes.count + 1))
                default: if !bytes.isEmpty { bytes[next() % bytes.count] = UInt8(truncatingIfNeeded: next()) }
                }
            }
            _ = try? TOMLSubset.parse(String(decoding: bytes.prefix(4096), as: UTF8.self))
            count += 1
        }
        #expect(count > 0)
    }
}
