import Foundation
import HTTPSupport
import Index
import Logging
import Synchronization

/// One log line per event on standard error: plain text, JSON, or journald's form (a `<priority>`
/// prefix and no timestamp, since the journal adds its own) when running under systemd.
struct SporeLogHandler: LogHandler {
    enum Format: Sendable {
        case text
        case json
        case journal
    }

    static let lock = Mutex(())

    let label: String
    let format: Format
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let (level, message) = (event.level, event.message)
        var merged = metadata
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        if let error = event.error { merged["error"] = "\(error)" }
        let text: String
        switch format {
        case .json:
            var fields: [String: String] = ["time": Self.timestamp(), "level": level.rawValue, "message": message.description]
            for (key, value) in merged { fields[key] = "\(value)" }
            let keys = ["time", "level", "message"] + fields.keys.filter { !["time", "level", "message"].contains($0) }.sorted()
            text = "{" + keys.map { "\(Self.jsonString($0)):\(Self.jsonString(fields[$0] ?? ""))" }.joined(separator: ",") + "}"
        case .text:
            text = "\(Self.timestamp()) \(level.rawValue) \(message)" + Self.render(merged)
        case .journal:
            text = "<\(Self.priority(level))>\(message)" + Self.render(merged)
        }
        let bytes = Array((text + "\n").utf8)
        Self.lock.withLock { _ in
            _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        }
    }

    private static func render(_ metadata: Logger.Metadata) -> String {
        guard !metadata.isEmpty else { return "" }
        return " " + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    private static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// `2026-12-06T12:00:00.123Z`. Through the index's clock and the shared formatter: a timespec
    /// read here is ambiguous between Glibc and CoreFoundation once Foundation is imported, which
    /// whole-module builds refuse.
    private static func timestamp() -> String {
        Timestamp.iso8601(milliseconds: SystemWallClock().nowMilliseconds())
    }

    private static func jsonString(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20: output += String(format: "\\u%04x", scalar.value)
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }
}
