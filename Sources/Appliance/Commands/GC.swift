import ArgumentParser
import SporeJSON

/// `spore gc`: runs a garbage collection now.
struct GC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Collect unreferenced blobs now.",
        discussion: "With a daemon running, asks it over the admin API; otherwise works on the data directory directly."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Only collect blobs unreferenced for at least this many seconds (default 0).") var grace: Int64 = 0

    func run() async throws {
        // The admin API's gc, on the daemon or (when none runs) on the directory: one collection, one answer.
        let answer = try await AdminCall.run(store, "POST", "gc", query: ["grace": String(grace)])
        output.emit(answer) { reply in
            let collected = reply["collected"]?.intValue ?? 0
            let adopted = reply["adopted_orphans"]?.intValue ?? 0
            let freed = reply["segment_bytes_freed"]?.intValue ?? 0
            return [
                "collected \(Shown.count(collected, "blob"))" + (adopted > 0 ? " (\(adopted) of them orphans the index did not know)" : "")
                    + (freed > 0 ? "; segments compacted, \(freed) bytes freed" : "")
            ]
        }
    }
}
