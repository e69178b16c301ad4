#if canImport(Glibc)
    import Glibc
#endif

/// One fuzz target: a parser fed the bytes of an input. A target may only get a value or a thrown
/// error from its parser; a crash, trap, hang or unbounded allocation is a finding, and so is a
/// broken property (`fuzzCheck`).
struct FuzzTarget: Sendable {
    let name: String
    /// The largest input worth trying (`-max_len`): a few times the largest seed, below the
    /// parser's own limits, so libFuzzer spends its time on structure rather than size.
    let maxLength: Int
    let run: @Sendable ([UInt8]) -> Void
}

enum FuzzTargets {
    static let all: [FuzzTarget] = S3Targets.all + HyphaTargets.all

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// `name max_len` per line: what scripts/fuzz reads to know the targets.
    static var listing: String { all.map { "\($0.name) \($0.maxLength)" }.joined(separator: "\n") }

    /// The target `SPORE_FUZZ_TARGET` names, read once. `list` prints the targets and exits; an
    /// unknown or missing name exits with the list, so a misspelt target never fuzzes nothing.
    static let selected: FuzzTarget = {
        let name = getenv("SPORE_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        if name == "list" {
            print(listing)
            exit(0)
        }
        guard let target = named(name) else {
            writeError("SPORE_FUZZ_TARGET must name a target (\"\(name)\" does not); the targets are:\n\(listing)\n")
            exit(2)
        }
        return target
    }()
}

/// libFuzzer's entry: each input goes to the target `SPORE_FUZZ_TARGET` names.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    FuzzTargets.selected.run(bytes)
    return 0
}
