import Foundation
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

    private static func timestamp() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var time = spec.tv_sec
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, spec.tv_nsec / 1_000_000)
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
