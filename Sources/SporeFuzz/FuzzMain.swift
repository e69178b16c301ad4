#if SPORE_LIBFUZZER
    import CLibFuzzer

    #if canImport(Glibc)
        import Glibc
    #endif

    /// The fuzzer build's entry point. SwiftPM links an executable with its `main` renamed to the
    /// module's `@main` entry, so libFuzzer's own `main` is never linked; this one runs libFuzzer's
    /// driver with the command line, exactly as libFuzzer's `main` would.
    @main
    struct FuzzMain {
        static func main() {
            // The target is chosen before libFuzzer starts, so a wrong name (or `list`) exits cleanly.
            _ = FuzzTargets.selected
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            // A closure, not `fuzz` itself: converting the @_cdecl function would emit its C symbol here a
            // second time.
            exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) })
        }
    }
#endif
