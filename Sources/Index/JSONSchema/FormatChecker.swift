/// Which `format` values a validation asserts.
///
/// Python's `jsonschema.validate` (what Hypha calls) treats `format` as an annotation unless a
/// `FormatChecker` is passed; spore asserts formats by default because a collection that declares
/// `"format": "email"` means it. `regexOnly` is what `check_schema` applies to a schema (its
/// meta-schema declares `pattern` a regex and nothing else is checked there).
enum FormatAssertion: Sendable {
    case none
    case regexOnly
    case all
}

/// The format checks, each following the function jsonschema's `FormatChecker` uses (with the
/// optional packages `rfc3339-validator`, `rfc3986-validator` and `fqdn` installed), so a value
/// spore refuses is one Python would refuse with format checking on.
enum FormatChecker {
    /// Whether a string conforms to `format` (jsonschema checks only strings; callers pass other
    /// values through). Unknown formats pass, as in jsonschema.
    static func conforms(_ text: String, to format: String, assertion: FormatAssertion) -> Bool {
        switch assertion {
        case .none: return true
        case .regexOnly: return format == "regex" ? SchemaRegex(text) != nil : true
        case .all: break
        }
        switch format {
        case "email", "idn-email": return text.unicodeScalars.contains("@")
        case "date": return isDate(text)
        case "date-time": return isDateTime(text)
        case "time": return isDateTime("1970-01-01T" + text)
        case "uuid": return isUUID(text)
        case "regex": return SchemaRegex(text) != nil
        case "ipv4": return isIPv4(text)
        case "ipv6": return isIPv6(text)
        case "hostname": return isHostname(text)
        case "uri": return URIChecker.isURI(text)
        default: return true
        }
    }

    /// `^\d{4}-\d{2}-\d{2}$` (ASCII digits) naming a real day of years 1…9999, as
    /// `datetime.date.fromisoformat` accepts.
    static func isDate(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count == 10, scalars[4] == "-", scalars[7] == "-",
            let year = number(scalars[0..<4]), let month = number(scalars[5..<7]), let day = number(scalars[8..<10])
        else { return false }
        return isDay(year: year, month: month, day: day)
    }

    /// RFC 3339 `date-time` as `rfc3339_validator` checks it (case-insensitive `T` and `Z`, no
    /// leap second, fractional seconds of any length, offsets up to 23:59).
    static func isDateTime(_ text: String) -> Bool {
        let scalars = Array(text.uppercased().unicodeScalars)
        guard scalars.count >= 20, scalars[10] == "T", isDate(String(String.UnicodeScalarView(scalars[0..<10]))) else { return false }
        guard let hour = number(scalars[11..<13]), hour <= 23, scalars[13] == ":",
            let minute = number(scalars[14..<16]), minute <= 59, scalars[16] == ":",
            let second = number(scalars[17..<19]), second <= 59
        else { return false }
        var index = 19
        if scalars[index] == "." {
            let start = index + 1
            index = start
            while index < scalars.count, isDigit(scalars[index]) { index += 1 }
            guard index > start else { return false }
        }
        guard index < scalars.count else { return false }
        if scalars[index] == "Z" { return index + 1 == scalars.count }
        guard scalars[index] == "+" || scalars[index] == "-", scalars.count == index + 6, scalars[index + 3] == ":",
            let offsetHour = number(scalars[(index + 1)..<(index + 3)]), offsetHour <= 23,
            let offsetMinute = number(scalars[(index + 4)..<(index + 6)]), offsetMinute <= 59
        else { return false }
        return true
    }

    /// Python's `uuid.UUID(text)` parse plus jsonschema's demand for hyphens at 8, 13, 18, 23.
    static func isUUID(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        var hex = text.replacingAll("urn:", with: "").replacingAll("uuid:", with: "")
        while hex.unicodeScalars.first == "{" || hex.unicodeScalars.first == "}" { hex.unicodeScalars.removeFirst() }
        while hex.unicodeScalars.last == "{" || hex.unicodeScalars.last == "}" { hex.unicodeScalars.removeLast() }
        let digits = hex.unicodeScalars.filter { $0 != "-" }
        guard digits.count == 32, digits.allSatisfy(\.isHexDigit) else { return false }
        return [8, 13, 18, 23].allSatisfy { scalars.indices.contains($0) && scalars[$0] == "-" }
    }

    static func isDay(year: Int, month: Int, day: Int) -> Bool {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// The decimal value of ASCII digits, or nil if any is not one.
    static func number(_ scalars: ArraySlice<Unicode.Scalar>) -> Int? {
        guard !scalars.isEmpty, scalars.count <= 9 else { return nil }
        var value = 0
        for scalar in scalars {
            guard isDigit(scalar) else { return nil }
            value = value * 10 + Int(scalar.value - 48)
        }
        return value
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
}

extension Unicode.Scalar {
    var isHexDigit: Bool { ("0"..."9").contains(self) || ("a"..."f").contains(self) || ("A"..."F").contains(self) }
}

extension String {
    /// Replaces every occurrence of `target`, comparing code points as Python's `str.replace` does.
    func replacingAll(_ target: String, with replacement: String) -> String {
        let source = Array(unicodeScalars)
        let pattern = Array(target.unicodeScalars)
        guard !pattern.isEmpty else { return self }
        var output = String.UnicodeScalarView()
        var index = 0
        while index < source.count {
            if index + pattern.count <= source.count, Array(source[index..<index + pattern.count]) == pattern {
                output.append(contentsOf: replacement.unicodeScalars)
                index += pattern.count
            } else {
                output.append(source[index])
                index += 1
            }
        }
        return String(output)
    }
}
