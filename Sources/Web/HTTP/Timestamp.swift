/// Conversions between milliseconds since the Unix epoch and the date formats S3 uses, without
/// Foundation's formatters (slow, and locale-dependent) on the request path.
public enum Timestamp {
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public struct Civil {
        var year: Int
        var month: Int
        var day: Int
        var hour: Int
        var minute: Int
        var second: Int
        var millisecond: Int
    }

    /// Howard Hinnant's days-from-civil, valid for the proleptic Gregorian calendar.
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public static func civil(milliseconds: Int64) -> Civil {
        let totalSeconds = Int(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        let millisecond = Int(milliseconds - Int64(totalSeconds) * 1000)
        let dayCount = totalSeconds >= 0 ? totalSeconds / 86_400 : (totalSeconds - 86_399) / 86_400
        let secondOfDay = totalSeconds - dayCount * 86_400
        let shifted = dayCount + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return Civil(
            year: year, month: month, day: day, hour: secondOfDay / 3600, minute: secondOfDay % 3600 / 60,
            second: secondOfDay % 60, millisecond: millisecond
        )
    }

    public static func milliseconds(_ civil: Civil) -> Int64 {
        let dayCount = days(year: civil.year, month: civil.month, day: civil.day)
        let seconds = dayCount * 86_400 + civil.hour * 3600 + civil.minute * 60 + civil.second
        return Int64(seconds) * 1000 + Int64(civil.millisecond)
    }

    /// The longest form written here (`httpDate`), with room for a five-digit year.
    private static let formattedByteCountMax = 32

    /// Builds a date's text in one buffer. ListObjects formats a date per key, and the interpolated,
    /// zero-padded strings this replaced allocated one String per field: 13 % of a listing's CPU.
    private static func format(_ write: (inout [UInt8]) -> Void) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(formattedByteCountMax)
        write(&bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `value` in decimal, zero-padded to `width` digits (wider values are written whole).
    private static func appendDigits(_ value: Int, _ width: Int, to bytes: inout [UInt8]) {
        var limit = 1
        for _ in 0..<width { limit *= 10 }
        guard value >= 0, value < limit else {
            bytes.append(contentsOf: String(value).utf8)
            return
        }
        var divisor = limit / 10
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    /// `2009-10-12T17:50:30.000Z`, as in S3 XML.
    public static func iso8601(milliseconds: Int64) -> String {
        let c = civil(milliseconds: milliseconds)
        return format { bytes in
            appendDigits(c.year, 4, to: &bytes)
            bytes.append(UInt8(ascii: "-"))
            appendDigits(c.month, 2, to: &bytes)
            bytes.append(UInt8(ascii: "-"))
            appendDigits(c.day, 2, to: &bytes)
            bytes.append(UInt8(ascii: "T"))
            appendClock(c, separator: UInt8(ascii: ":"), to: &bytes)
            bytes.append(UInt8(ascii: "."))
            appendDigits(c.millisecond, 3, to: &bytes)
            bytes.append(UInt8(ascii: "Z"))
        }
    }

    /// `HH:MM:SS` (or without separators when `separator` is nil).
    private static func appendClock(_ c: Civil, separator: UInt8?, to bytes: inout [UInt8]) {
        appendDigits(c.hour, 2, to: &bytes)
        if let separator { bytes.append(separator) }
        appendDigits(c.minute, 2, to: &bytes)
        if let separator { bytes.append(separator) }
        appendDigits(c.second, 2, to: &bytes)
    }

    /// `Mon, 12 Oct 2009 17:50:30 GMT`, as in HTTP headers.
    public static func httpDate(milliseconds: Int64) -> String {
        let c = civil(milliseconds: milliseconds)
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let dayCount = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let weekday = weekdays[Int(((dayCount % 7) + 7) % 7)]
        return format { bytes in
            bytes.append(contentsOf: weekday.utf8)
            bytes.append(contentsOf: ", ".utf8)
            appendDigits(c.day, 2, to: &bytes)
            bytes.append(UInt8(ascii: " "))
            bytes.append(contentsOf: months[c.month - 1].utf8)
            bytes.append(UInt8(ascii: " "))
            appendDigits(c.year, 4, to: &bytes)
            bytes.append(UInt8(ascii: " "))
            appendClock(c, separator: UInt8(ascii: ":"), to: &bytes)
            bytes.append(contentsOf: " GMT".utf8)
        }
    }

    /// `20130524T000000Z`, the SigV4 `x-amz-date` form.
    public static func amzDate(milliseconds: Int64) -> String {
        let c = civil(milliseconds: milliseconds)
        return format { bytes in
            appendDigits(c.year, 4, to: &bytes)
            appendDigits(c.month, 2, to: &bytes)
            appendDigits(c.day, 2, to: &bytes)
            bytes.append(UInt8(ascii: "T"))
            appendClock(c, separator: nil, to: &bytes)
            bytes.append(UInt8(ascii: "Z"))
        }
    }

    /// Parses `20130524T000000Z`.
    public static func parseAmzDate(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        guard let year = number(bytes[0..<4]), let month = number(bytes[4..<6]), let day = number(bytes[6..<8]),
            let hour = number(bytes[9..<11]), let minute = number(bytes[11..<13]), let second = number(bytes[13..<15])
        else { return nil }
        return validated(Civil(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millisecond: 0))
    }

    /// Parses an HTTP date: RFC 1123 (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850
    /// (`Sunday, 06-Nov-94 08:49:37 GMT`) or asctime (`Sun Nov  6 08:49:37 1994`); also ISO 8601.
    public static func parseHTTPDate(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: " \t")
        if let value = parseISO8601(trimmed) { return value }
        let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        if fields.count == 4, fields[3] == "GMT" || fields[3] == "UTC", fields[1].contains("-") {
            // RFC 850
            let dayMonthYear = fields[1].split(separator: "-").map(String.init)
            guard dayMonthYear.count == 3, let day = Int(dayMonthYear[0]), let month = monthNumber(dayMonthYear[1]),
                var year = Int(dayMonthYear[2])
            else { return nil }
            if year < 100 { year += year < 70 ? 2000 : 1900 }
            return time(fields[2]).flatMap {
                validated(Civil(year: year, month: month, day: day, hour: $0.0, minute: $0.1, second: $0.2, millisecond: 0))
            }
        }
        if fields.count == 6, ["GMT", "UTC", "UT", "Z", "+0000", "-0000"].contains(fields[5]) {
            guard let day = Int(fields[1]), let month = monthNumber(fields[2]), let year = Int(fields[3]) else { return nil }
            return time(fields[4]).flatMap {
                validated(Civil(year: year, month: month, day: day, hour: $0.0, minute: $0.1, second: $0.2, millisecond: 0))
            }
        }
        if fields.count == 5, let month = monthNumber(fields[1]), let day = Int(fields[2]), let year = Int(fields[4]) {
            return time(fields[3]).flatMap {
                validated(Civil(year: year, month: month, day: day, hour: $0.0, minute: $0.1, second: $0.2, millisecond: 0))
            }
        }
        return nil
    }

    /// Parses `2009-10-12T17:50:30Z` and `2009-10-12T17:50:30.123Z` (UTC only).
    public static func parseISO8601(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes.last == UInt8(ascii: "Z")
        else { return nil }
        guard let year = number(bytes[0..<4]), let month = number(bytes[5..<7]), let day = number(bytes[8..<10]),
            let hour = number(bytes[11..<13]), let minute = number(bytes[14..<16]), let second = number(bytes[17..<19])
        else { return nil }
        var millisecond = 0
        if bytes.count > 20 {
            guard bytes[19] == UInt8(ascii: "."), bytes.count >= 22, let fraction = number(bytes[20..<(bytes.count - 1)]) else { return nil }
            let digits = bytes.count - 21
            millisecond = digits >= 3 ? fraction / Int(pow10(digits - 3)) : fraction * Int(pow10(3 - digits))
        } else if bytes[19] != UInt8(ascii: "Z") {
            return nil
        }
        return validated(Civil(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millisecond: millisecond))
    }

    private static func pow10(_ exponent: Int) -> Int64 { (0..<exponent).reduce(1) { result, _ in result * 10 } }

    private static func validated(_ civil: Civil) -> Int64? {
        guard (1...12).contains(civil.month), (1...31).contains(civil.day), (0...23).contains(civil.hour),
            (0...59).contains(civil.minute), (0...60).contains(civil.second), (0...9999).contains(civil.year)
        else { return nil }
        return milliseconds(civil)
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 9 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func monthNumber(_ name: String) -> Int? {
        months.firstIndex { $0.lowercased() == name.lowercased() }.map { $0 + 1 }
    }

    private static func time(_ text: String) -> (Int, Int, Int)? {
        let parts = text.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return (parts[0], parts[1], parts[2])
    }
}

extension String {
    public func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var view = Substring(self)
        while let first = view.first, characters.contains(first) { view.removeFirst() }
        while let last = view.last, characters.contains(last) { view.removeLast() }
        return String(view)
    }
}
