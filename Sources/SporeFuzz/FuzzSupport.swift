import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Choices taken from the front of an input (libFuzzer's FuzzedDataProvider, in small): a target
/// that needs a few decisions (how to split a body, which mode) reads them here and hands the rest
/// to its parser. An exhausted input answers zeros, so every input is usable.
struct FuzzInput {
    private(set) var bytes: ArraySlice<UInt8>

    init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

    var isEmpty: Bool { bytes.isEmpty }

    mutating func byte() -> UInt8 {
        bytes.popFirst() ?? 0
    }

    /// A number in `0..<count` (0 when `count` is 0 or 1).
    mutating func below(_ count: Int) -> Int {
        guard count > 1 else { return 0 }
        return Int(byte()) % count
    }

    /// Everything not taken yet.
    mutating func rest() -> [UInt8] {
        defer { bytes = bytes[bytes.endIndex...] }
        return Array(bytes)
    }
}

extension Array where Element == UInt8 {
    /// The input split at its first occurrence of `separator` (the separator dropped); nil when it
    /// has none.
    func split(atFirst separator: UInt8) -> (head: [UInt8], tail: [UInt8])? {
        guard let index = firstIndex(of: separator) else { return nil }
        return (Array(self[..<index]), Array(self[(index + 1)...]))
    }

    /// The input cut into consecutive pieces of the given lengths (each taken modulo what is left)
    /// and the rest; empty pieces are allowed (a body may deliver an empty buffer).
    func pieces(_ lengths: [Int]) -> [[UInt8]] {
        var pieces = [[UInt8]]()
        var start = 0
        for length in lengths {
            let end = start + length % (count - start + 1)
            pieces.append(Array(self[start..<end]))
            start = end
        }
        pieces.append(Array(self[start...]))
        return pieces
    }
}

/// What a fuzz target found that is not a crash but must never happen (a property broken): it
/// stops the process so libFuzzer keeps the input, as a crash would.
func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError("property broken: \(message())", file: file, line: line) }
}

/// Runs async parser code to completion from the synchronous fuzz callback.
///
/// The parsers' async functions only suspend when their input does (a body still arriving); over
/// in-memory input they never do, so `Task.immediate` runs the whole body on this thread before
/// returning, with no thread hop, which keeps libFuzzer's coverage and timing exact. Should the body
/// ever suspend for real, this waits for it on a semaphore rather than return early.
func runSynchronously(_ body: @escaping @Sendable () async -> Void) {
    let completion = Completion()
    Task.immediate {
        await body()
        completion.finish()
    }
    completion.wait()
}

/// A one-shot completion flag: set by the task, waited for by the caller only when the task
/// suspended and finishes on another thread.
private final class Completion: Sendable {
    private let done = Atomic<Bool>(false)
    private let semaphore = DispatchSemaphore(value: 0)

    func finish() {
        done.store(true, ordering: .releasing)
        semaphore.signal()
    }

    func wait() {
        if done.load(ordering: .acquiring) { return }
        semaphore.wait()
    }
}

/// Writes to stderr with write(2): the C `stderr` is shared mutable state to Swift 6.
func writeError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}

/// With `SPORE_FUZZ_VERBOSE=1`, the regression runner says how far each input got, so a new seed can
/// be checked to reach what it was written for. Nothing in the fuzzer build.
func fuzzNote(_ text: @autoclosure () -> String) {
    #if !SPORE_LIBFUZZER
        if verbose { print("    " + text()) }
    #endif
}

#if !SPORE_LIBFUZZER
    let verbose = getenv("SPORE_FUZZ_VERBOSE").map { String(cString: $0) == "1" } ?? false
#endif
