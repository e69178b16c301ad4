import ServiceLifecycle
import WebConsole

/// Keeps the console's background work (Hugging Face imports) inside the service group: at
/// shutdown the imports are cancelled (a file half copied stores nothing) and their HTTP client
/// is closed.
struct ConsoleService: Service {
    let console: ConsoleFace

    func run() async throws {
        try? await gracefulShutdown()
        await console.shutdown()
    }
}
