#if !SPORE_LIBFUZZER
    import Foundation

    #if canImport(Glibc)
        import Glibc
    #endif

    /// Without libFuzzer, SporeFuzz is the regression runner: it replays inputs through the same
    /// targets, once each.
    ///
    ///     SporeFuzz fuzz/corpus fuzz/regressions     every target's inputs (directories named after targets)
    ///     SporeFuzz fuzz/regressions/zip/crash-1     one input; the target is its directory's name
    ///     SporeFuzz --list                           the targets and their -max_len
    ///
    /// A directory named after a target holds that target's inputs; any other directory is searched
    /// for such directories. `SPORE_FUZZ_TARGET` overrides the target of files given one by one. An
    /// input that crashes is named on stderr before the process dies of its signal.
    @main
    struct Replay {
        static func main() {
            let arguments = Array(CommandLine.arguments.dropFirst())
            if arguments == ["--list"] {
                print(FuzzTargets.listing)
                return
            }
            guard !arguments.isEmpty, !arguments.contains(where: { $0.hasPrefix("-") }) else {
                writeError("usage: SporeFuzz PATH... | --list  (replays inputs; see scripts/fuzz)\n")
                exit(2)
            }
            CrashReporter.install()
            var counts = [String: Int]()
            for path in arguments {
                for (target, file) in inputs(at: path) {
                    guard let bytes = FileManager.default.contents(atPath: file) else {
                        writeError("cannot read \(file)\n")
                        exit(1)
                    }
                    CrashReporter.current(file)
                    if verbose { print("\(target.name) \(file)") }
                    target.run(Array(bytes))
                    counts[target.name, default: 0] += 1
                }
            }
            CrashReporter.current(nil)
            let total = counts.values.reduce(0, +)
            print("replayed \(total) inputs: " + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }

        /// The inputs under `path`, each with its target, in a stable order.
        static func inputs(at path: String) -> [(FuzzTarget, String)] {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                writeError("no such file or directory: \(path)\n")
                exit(2)
            }
            let url = URL(fileURLWithPath: path)
            guard isDirectory.boolValue else {
                let name = ProcessInfo.processInfo.environment["SPORE_FUZZ_TARGET"] ?? url.deletingLastPathComponent().lastPathComponent
                guard let target = FuzzTargets.named(name) else {
                    writeError("\(path): no target named \"\(name)\" (set SPORE_FUZZ_TARGET)\n")
                    exit(2)
                }
                return [(target, path)]
            }
            let children = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
            if let target = FuzzTargets.named(url.lastPathComponent) {
                return children.map { (target, url.appendingPathComponent($0).path) }.filter { !isDirectoryPath($0.1) }
            }
            return children.map { url.appendingPathComponent($0).path }.filter(isDirectoryPath).flatMap { inputs(at: $0) }
        }

        static func isDirectoryPath(_ path: String) -> Bool {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }

    /// Names the input being replayed when the process dies of a trap or fault. The handler runs on
    /// its own stack (a stack overflow is one of the faults) and only calls write(2).
    enum CrashReporter {
        nonisolated(unsafe) private static var path: UnsafeMutablePointer<CChar>?
        nonisolated(unsafe) private static var pathLength = 0

        static func current(_ file: String?) {
            let old = path
            if let file {
                let message = "\nSporeFuzz: crashed on input \(file)\n"
                let copy = strdup(message)
                pathLength = message.utf8.count
                path = copy
            } else {
                path = nil
            }
            free(old)
        }

        static func install() {
            let stackSize = 1 << 16
            var stack = stack_t()
            stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: stackSize, alignment: 16)
            stack.ss_size = stackSize
            stack.ss_flags = 0
            sigaltstack(&stack, nil)
            for signal in [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE] {
                var action = sigaction()
                action.__sigaction_handler.sa_handler = { signal in
                    if let path = CrashReporter.path { _ = write(2, path, CrashReporter.pathLength) }
                    Glibc.signal(signal, SIG_DFL)
                    raise(signal)
                }
                action.sa_flags = SA_ONSTACK | Int32(bitPattern: UInt32(SA_RESETHAND))
                sigemptyset(&action.sa_mask)
                sigaction(signal, &action, nil)
            }
        }
    }
#endif
