#if canImport(Glibc)
    import Glibc
#endif

/// Lines for the operator on standard output (startup banner, command results). Logs go to
/// standard error through swift-log instead.
enum Console {
    static func line(_ text: String) { emit(text + "\n", to: STDOUT_FILENO) }

    static func error(_ text: String) { emit(text + "\n", to: STDERR_FILENO) }

    private static func emit(_ text: String, to descriptor: Int32) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
    }
}
