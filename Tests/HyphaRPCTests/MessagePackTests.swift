import SporeTestSupport
import Testing

@testable import HyphaRPC

@Suite struct MessagePackTests {
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    /// `msgpack.packb({"type": "method", "n": [1, -1, -33, 128, -129, 65536, 2**40, -2**40, 1.5, None, True, False, b"\x00\x01", "x"*40]})`
    /// with msgpack-python 1.x, as hypha-rpc packs.
    static let python =
        "82a474797065a66d6574686f64a16e9e01ffd0dfcc80d1ff7fce00010000cf0000010000000000d3ffffff0000000000cb3ff8000000000000c0c3c2c4020001d928"
        + String(repeating: "78", count: 40)

    static let value: MessagePackValue = .map([
        (.string("type"), .string("method")),
        (
            .string("n"),
            .array([
                .int(1), .int(-1), .int(-33), .int(128), .int(-129), .int(65536), .int(1 << 40), .int(-(1 << 40)), .double(1.5), .nil_, .bool(true),
                .bool(false), .binary([0, 1]), .string(String(repeating: "x", count: 40)),
            ])
        ),
    ])

    @Test func decodesWhatPythonPacks() throws {
        var decoder = MessagePackDecoder(Self.bytes(Self.python))
        #expect(try decoder.decode() == Self.value)
        #expect(decoder.isAtEnd)
    }

    @Test func encodesAsPythonPacks() {
        #expect(MessagePackEncoder.encode(Self.value) == Self.bytes(Self.python))
    }

    @Test func roundTripsEveryWidth() throws {
        let lengths = [0, 15, 16, 31, 32, 255, 256, 65_535, 65_536]
        for length in lengths {
            for value in [
                MessagePackValue.string(String(repeating: "é", count: length / 2)), .binary(Array(repeating: 7, count: length)),
                .array(Array(repeating: .nil_, count: length)), .map((0..<min(length, 4000)).map { (.string("k\($0)"), .int(Int64($0))) }),
            ] {
                var decoder = MessagePackDecoder(MessagePackEncoder.encode(value))
                #expect(try decoder.decode() == value)
            }
        }
        for number in [
            Int64.min, -2_147_483_649, -2_147_483_648, -32769, -32768, -129, -128, -33, -32, 0, 127, 255, 256, 65535, 65536, 4_294_967_296, Int64.max,
        ] {
            var decoder = MessagePackDecoder(MessagePackEncoder.encode(.int(number)))
            #expect(try decoder.decode() == .int(number))
        }
    }

    @Test func refusesWhatHyphaRPCRefuses() {
        // A map with an integer key (the client's strict_map_key), a forged length, deep nesting.
        for bad in ["81 01 02", "db ff ff ff ff", "dd 7f ff ff ff", "c6 00 10 00 00 41", "c1", "d9 02 c3 28"] {
            var decoder = MessagePackDecoder(Self.bytes(bad.replacingSpaces()))
            #expect(throws: MessagePackError.self) { try decoder.decode() }
        }
        var deep = MessagePackDecoder(Array(repeating: 0x91, count: 10_000) + [0xC0])
        #expect(throws: MessagePackError.self) { try deep.decode() }
    }

    @Test func framesMergeTheirTwoParts() throws {
        let bytes = RPCFrame.encode(
            main: [("type", .string("method")), ("to", .string("*/m")), ("method", .string("services.default.echo")), ("session", .string("s1"))],
            extra: [
                ("args", .array([.string("a"), .map([(.string("k"), .int(1))])])), ("with_kwargs", .bool(true)), ("promise", .string("*")),
                ("t", .double(15)),
            ]
        )
        let frame = try RPCFrame(decoding: bytes)
        #expect(frame.method == "services.default.echo" && frame.expectsAnswer && frame.heartbeatSeconds == 15)
        #expect(frame.arguments.positional == [.string("a")])
        #expect(frame.arguments.keyword.map(\.0) == ["k"])
        // Without with_kwargs a trailing map is positional.
        let plain = try RPCFrame(decoding: RPCFrame.encode(main: [("type", .string("method"))], extra: [("args", .array([.map([])]))]))
        #expect(plain.arguments.positional.count == 1 && !plain.expectsAnswer)
    }

    @Test func chunkedMessagesReassemble() throws {
        let message = (0..<700_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let frames = RPCFrame.chunked(message, key: "k", from: "*/m", to: "w/c", workspace: "w", user: .map([]))
        #expect(frames.count == 5)  // create, 3 sets, process
        var assembly = RPCAssembly(budget: RPCByteBudget(limit: RPCLimits.assemblyBytesTotalMax))
        try assembly.create("k")
        for frame in frames.dropFirst().dropLast().reversed() {  // out of order, as the client may send them
            let decoded = try RPCFrame(decoding: frame)
            let arguments = decoded.arguments.positional
            guard case .binary(let chunk) = arguments[2], case .int(let index) = arguments[1] else {
                Issue.record("bad chunk frame")
                return
            }
            #expect(frame.count < RPCLimits.frameBytesMax)
            try assembly.set("k", index: Int(index), chunk)
        }
        #expect(try assembly.take("k") == message)
        #expect(throws: MessagePackError.self) { try assembly.take("k") }
    }

    @Test func assemblyIsBounded() throws {
        var assembly = RPCAssembly(budget: RPCByteBudget(limit: RPCLimits.assemblyBytesTotalMax))
        for index in 0..<RPCLimits.assemblingCountMax { try assembly.create("k\(index)") }
        #expect(throws: MessagePackError.self) { try assembly.create("one-more") }
        #expect(throws: MessagePackError.self) { try assembly.set("k0", index: 0, Array(repeating: 0, count: RPCLimits.assembledBytesMax + 1)) }
        #expect(throws: MessagePackError.self) { try assembly.set("k1", index: -1, [1]) }
        try assembly.set("k1", index: 1, [1])
        #expect(throws: MessagePackError.self) { try assembly.take("k1") }  // chunk 0 missing
    }

    @Test func theSharedBudgetBoundsAllConnections() throws {
        let budget = RPCByteBudget(limit: 1000)
        var first = RPCAssembly(budget: budget)
        var second = RPCAssembly(budget: budget)
        try first.create("a")
        try second.create("b")
        try first.set("a", index: 0, Array(repeating: 1, count: 800))
        #expect(throws: MessagePackError.self) { try second.set("b", index: 0, Array(repeating: 1, count: 300)) }
        first.removeAll()
        #expect(budget.inUse == 0)
        try second.set("b", index: 0, Array(repeating: 1, count: 300))
        _ = try second.take("b")
        #expect(budget.inUse == 0)
    }

    @Test func creatingAKeyAgainGivesBackWhatItHeld() throws {
        let budget = RPCByteBudget(limit: 1000)
        var assembly = RPCAssembly(budget: budget)
        for _ in 0..<5 {
            try assembly.create("k")
            try assembly.set("k", index: 0, Array(repeating: 1, count: 600))
        }
        #expect(budget.inUse == 600)
        assembly.removeAll()
        #expect(budget.inUse == 0)
    }

    @Test func decodedValuesAreCounted() {
        // 300,000 one-byte values in one array: more than a message may decode to.
        var bytes: [UInt8] = [0xDD, 0x00, 0x04, 0x93, 0xE0]
        bytes += Array(repeating: 0x01, count: 300_000)
        var decoder = MessagePackDecoder(bytes)
        #expect(throws: MessagePackError.self) { try decoder.decode() }
    }

    /// Random and mutated frames never crash the decoder: they decode or throw.
    @Test func fuzzedFramesNeverCrash() {
        var generator = SplitMix64(seed: 0x5EED)
        let seeds =
            [Self.bytes(Self.python)] + [
                RPCFrame.encode(
                    main: [("type", .string("method")), ("session", .string("abc"))], extra: [("args", .array([.binary([1, 2, 3]), .double(2.5)]))])
            ]
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 3 == 0 {
                bytes = (0..<Int(generator.next() % 64)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            } else {
                bytes = seeds[round % seeds.count]
                for _ in 0..<(1 + generator.next() % 4) {
                    guard !bytes.isEmpty else { break }
                    let position = Int(generator.next() % UInt64(bytes.count))
                    switch generator.next() % 3 {
                    case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                    case 1: bytes.remove(at: position)
                    default: bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: position)
                    }
                }
            }
            _ = try? RPCFrame(decoding: bytes)
        }
    }
}

extension String {
    func replacingSpaces() -> String { filter { $0 != " " } }
}
