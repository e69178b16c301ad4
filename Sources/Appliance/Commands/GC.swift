import ArgumentParser
import Foundation
import Index

/// `spore gc`: runs a garbage collection now.
struct GC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Collect unreferenced blobs now.",
        discussion: "With a daemon running, asks it over the admin API; otherwise works on the data directory directly."
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "Only collect blobs unreferenced for at least this many seconds (default 0).") var grace: Int64 = 0

    func run() async throws {
        let settings = try store.configuration()
        let directory = try DataDirectory(path: settings.string("data_dir") ?? "./spore-data")
        if directory.isLocked() {
            let reply = try await AdminClient(settings: settings, directory: directory).call("POST", "gc", query: ["grace": String(grace)])
            Console.line(reply)
            return
        }
        let access = try StoreAccess.open(settings, exclusive: true)
        let now = SystemWallClock().nowMilliseconds()
        let adopted = try await MaintenanceService.adoptOrphans(catalog: access.catalog, blobs: access.blobs, nowMilliseconds: now - grace * 1000 - 1)
        let collected = try await MaintenanceService.collectGarbage(
            catalog: access.catalog, blobs: access.blobs, before: now - grace * 1000 + 1, limit: Int.max)
        Console.line("{\"collected\": \(collected), \"adopted_orphans\": \(adopted)}")
        await access.close()
    }
}
