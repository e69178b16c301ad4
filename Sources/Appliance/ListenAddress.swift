/// A `host:port` to listen on (`127.0.0.1:9000`, `[::1]:9000`, `:9000` for all interfaces).
struct ListenAddress: CustomStringConvertible {
    let host: String
    let port: Int
    /// Whether the listener speaks TLS (its URLs are `https://`).
    var isSecure = false

    /// Parses `host:port`; a leading `http://` or `https://` (as the daemon records its address)
    /// says whether it speaks TLS.
    init(parsing given: String) throws {
        var text = Substring(given)
        if text.hasPrefix("https://") {
            isSecure = true
            text = text.dropFirst("https://".count)
        } else if text.hasPrefix("http://") {
            text = text.dropFirst("http://".count)
        }
        var hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw SporeError("address \(text) is not [host]:port")
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw SporeError("address \(text) is not host:port") }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        if hostPart.isEmpty { hostPart = "0.0.0.0" }
        guard let port = Int(portPart), (0...65535).contains(port) else { throw SporeError("address \(text) has no valid port") }
        self.host = String(hostPart)
        self.port = port
    }

    func secured(_ secure: Bool) -> ListenAddress {
        var copy = self
        copy.isSecure = secure
        return copy
    }

    /// The URL clients on this machine use to reach the address.
    var url: String {
        let reachable = host == "0.0.0.0" ? "127.0.0.1" : (host == "::" ? "[::1]" : (host.contains(":") ? "[\(host)]" : host))
        return "\(isSecure ? "https" : "http")://\(reachable):\(port)"
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
