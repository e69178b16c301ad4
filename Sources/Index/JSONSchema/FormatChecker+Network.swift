extension FormatChecker {
    /// Python's `ipaddress.IPv4Address(text)`: four decimal octets of at most three ASCII digits,
    /// each at most 255, no leading zeros.
    static func isIPv4(_ text: String) -> Bool {
        let octets = text.unicodeScalars.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return false }
        return octets.allSatisfy { octet in
            guard (1...3).contains(octet.count), let value = number(ArraySlice(octet)), value <= 255 else { return false }
            return octet.count == 1 || octet.first != "0"
        }
    }

    /// Python's `ipaddress.IPv6Address(text)` parse (its rules for `::`, an embedded IPv4 tail and
    /// hextets of one to four hex digits), refusing a `%scope` as jsonschema does.
    static func isIPv6(_ text: String) -> Bool {
        guard !text.isEmpty, !text.unicodeScalars.contains("%") else { return false }
        var parts = text.unicodeScalars.split(separator: ":", omittingEmptySubsequences: false).map { Array($0) }
        guard parts.count >= 3 else { return false }
        if let last = parts.last, last.contains(".") {
            guard isIPv4(String(String.UnicodeScalarView(last))) else { return false }
            parts.removeLast()
            // The IPv4 tail stands for two hextets; their value does not matter to validity.
            parts.append(["0"])
            parts.append(["0"])
        }
        let hextetCount = 8
        guard parts.count <= hextetCount + 1 else { return false }
        var skipIndex: Int?
        for index in 1..<(parts.count - 1) where parts[index].isEmpty {
            guard skipIndex == nil else { return false }
            skipIndex = index
        }
        var leading: Int
        var trailing: Int
        if let skipIndex {
            leading = skipIndex
            trailing = parts.count - skipIndex - 1
            if parts[0].isEmpty {
                leading -= 1
                guard leading == 0 else { return false }
            }
            if parts[parts.count - 1].isEmpty {
                trailing -= 1
                guard trailing == 0 else { return false }
            }
            guard hextetCount - (leading + trailing) >= 1 else { return false }
        } else {
            guard parts.count == hextetCount, !parts[0].isEmpty, !parts[parts.count - 1].isEmpty else { return false }
            leading = parts.count
            trailing = 0
        }
        let hextets = parts.prefix(leading) + parts.suffix(trailing)
        return hextets.allSatisfy { (1...4).contains($0.count) && $0.allSatisfy(\.isHexDigit) }
    }

    /// The `fqdn` package's `FQDN(text, min_labels=1).is_valid`: dot-separated labels of 1…63
    /// letters, digits and hyphens, not starting or ending with a hyphen, an optional final dot,
    /// at most 253 characters without it.
    static func isHostname(_ text: String) -> Bool {
        var scalars = Array(text.unicodeScalars)
        guard !scalars.isEmpty else { return false }
        if scalars.last == "." { scalars.removeLast() }
        guard !scalars.isEmpty, scalars.count <= 253 else { return false }
        let labels = scalars.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            guard (1...63).contains(label.count), label.first != "-", label.last != "-" else { return false }
            return label.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || isDigit($0) || $0 == "-") }
        }
    }
}

/// RFC 3986 `URI` (scheme, hierarchical part, query, fragment) as the `rfc3986-validator` package
/// checks it: ASCII only, percent escapes well formed, each part limited to its characters.
enum URIChecker {
    static func isURI(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard let colon = scalars.firstIndex(of: ":"), colon > 0, scalars[0].isASCII, scalars[0].properties.isAlphabetic else { return false }
        guard scalars[1..<colon].allSatisfy({ isAlphanumeric($0) || $0 == "+" || $0 == "-" || $0 == "." }) else { return false }
        var rest = Array(scalars[(colon + 1)...])
        if let hash = rest.firstIndex(of: "#") {
            guard isQueryOrFragment(rest[(hash + 1)...]) else { return false }
            rest = Array(rest[..<hash])
        }
        if let question = rest.firstIndex(of: "?") {
            guard isQueryOrFragment(rest[(question + 1)...]) else { return false }
            rest = Array(rest[..<question])
        }
        if rest.starts(with: ["/", "/"]) {
            let afterSlashes = rest[2...]
            let end = afterSlashes.firstIndex(of: "/") ?? rest.endIndex
            guard isAuthority(rest[2..<end]) else { return false }
            return isPath(rest[end...])
        }
        return isPath(rest[...])
    }

    /// `[ userinfo "@" ] host [ ":" port ]`.
    private static func isAuthority(_ authority: ArraySlice<Unicode.Scalar>) -> Bool {
        var host = authority
        if let at = authority.firstIndex(of: "@") {
            guard isEncoded(authority[..<at], allowing: { isUnreserved($0) || isSubDelimiter($0) || $0 == ":" }) else { return false }
            host = authority[(at + 1)...]
        }
        var port: ArraySlice<Unicode.Scalar> = []
        if host.first == "[" {
            guard let close = host.firstIndex(of: "]") else { return false }
            let literal = String(String.UnicodeScalarView(host[(host.startIndex + 1)..<close]))
            guard FormatChecker.isIPv6(literal) || isFutureAddress(literal) else { return false }
            let after = host[(close + 1)...]
            if !after.isEmpty {
                guard after.first == ":" else { return false }
                port = after.dropFirst()
            }
        } else {
            if let colon = host.firstIndex(of: ":") {
                port = host[(colon + 1)...]
                host = host[..<colon]
            }
            guard isEncoded(host, allowing: { isUnreserved($0) || isSubDelimiter($0) }) else { return false }
        }
        return port.allSatisfy(FormatChecker.isDigit)
    }

    /// `"v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )` inside brackets.
    private static func isFutureAddress(_ literal: String) -> Bool {
        let scalars = Array(literal.unicodeScalars)
        guard scalars.first == "v" || scalars.first == "V", let dot = scalars.firstIndex(of: "."), dot > 1, dot + 1 < scalars.count else {
            return false
        }
        return scalars[1..<dot].allSatisfy(\.isHexDigit)
            && scalars[(dot + 1)...].allSatisfy { isUnreserved($0) || isSubDelimiter($0) || $0 == ":" }
    }

    private static func isPath(_ path: ArraySlice<Unicode.Scalar>) -> Bool {
        isEncoded(path) { isPathCharacter($0) || $0 == "/" }
    }

    private static func isQueryOrFragment(_ part: ArraySlice<Unicode.Scalar>) -> Bool {
        isEncoded(part) { isPathCharacter($0) || $0 == "/" || $0 == "?" }
    }

    /// Every character allowed, or a `%` followed by two hex digits.
    private static func isEncoded(_ part: ArraySlice<Unicode.Scalar>, allowing allowed: (Unicode.Scalar) -> Bool) -> Bool {
        var index = part.startIndex
        while index < part.endIndex {
            if part[index] == "%" {
                guard index + 2 < part.endIndex, part[index + 1].isHexDigit, part[index + 2].isHexDigit else { return false }
                index += 3
            } else {
                guard allowed(part[index]) else { return false }
                index += 1
            }
        }
        return true
    }

    private static func isPathCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isUnreserved(scalar) || isSubDelimiter(scalar) || scalar == ":" || scalar == "@"
    }

    private static func isUnreserved(_ scalar: Unicode.Scalar) -> Bool {
        isAlphanumeric(scalar) || scalar == "-" || scalar == "." || scalar == "_" || scalar == "~"
    }

    private static func isSubDelimiter(_ scalar: Unicode.Scalar) -> Bool {
        "!$&'()*+,;=".unicodeScalars.contains(scalar)
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || FormatChecker.isDigit(scalar))
    }
}
