import ArgumentParser
import Foundation
import HTTPSupport
import SporeJSON

/// `--json`, taken by every command that prints an answer of the admin API (or, like `stats`, a
/// record of its own).
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print the answer as one line of JSON, for scripts.") var json = false

    /// Prints `answer` as JSON with `--json`, else the lines `human` makes of it. The JSON is
    /// written by SporeJSON, which never escapes `/` (`http://…`, not `http:\/\/…`).
    func emit(_ answer: JSONValue, human: (JSONValue) -> [String]) {
        if json {
            Console.line(answer.jsonText)
        } else {
            for line in human(answer) { Console.line(line) }
        }
    }
}

/// How values of an answer read in human output.
enum Shown {
    /// Member `name` of `record`: strings as they are, numbers in decimal, booleans as yes/no,
    /// `-` when missing, null or empty.
    static func text(_ record: JSONValue, _ name: String) -> String {
        switch record[name] {
        case .string(let value)? where !value.isEmpty: return value
        case .int(let value)?: return String(value)
        case .double(let value)?: return String(value)
        case .bool(let value)?: return value ? "yes" : "no"
        case .array(let items)? where !items.isEmpty: return items.map { $0.stringValue ?? $0.jsonText }.joined(separator: ",")
        default: return "-"
        }
    }

    /// An answer's `2026-11-22T17:50:30.000Z` as `2026-11-22 17:50 UTC`; `-` when missing.
    static func date(_ iso: String?) -> String {
        guard let iso, iso.count >= 16 else { return iso ?? "-" }
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(5)) + " UTC"
    }

    /// Whether an answer's ISO 8601 time (UTC, as the admin API writes them) has passed.
    static func hasPassed(_ iso: String?) -> Bool {
        guard let iso else { return false }
        return iso < Timestamp.iso8601(milliseconds: SystemClockMilliseconds.now())
    }

    /// A byte count in binary units: `512 B`, `1.5 KiB`, `20.0 GiB`.
    static func bytes(_ count: Int64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        guard count >= 1024 || count <= -1024 else { return "\(count) B" }
        var value = Double(count) / 1024
        var unit = 0
        while abs(value) >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: "%.1f", value) + " " + units[unit]
    }

    /// `1 blob`, `2 blobs`.
    static func count(_ value: Int64, _ singular: String, _ plural: String? = nil) -> String {
        "\(value) " + (value == 1 ? singular : plural ?? singular + "s")
    }
}
