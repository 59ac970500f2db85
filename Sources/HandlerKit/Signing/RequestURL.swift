/// The parts of an absolute `http`/`https` URL that signing and routing need.
package struct RequestURL: Sendable, Equatable {
    /// `http` or `https`, lower-cased.
    package var scheme: String
    /// The host, lower-cased; IPv6 literals keep their brackets.
    package var host: String
    /// The explicit port, if any.
    package var port: Int?
    /// The path as written (percent-encoded), `/` when empty.
    package var path: String
    /// The query as written, without `?`; empty when absent.
    package var query: String

    /// Parses `url`.
    /// - Throws: ``SigningError`` when it is not an absolute `http` or `https` URL with a host.
    package init(parsing url: String) throws(SigningError) {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else {
            throw SigningError("not an absolute URL: \(url)")
        }
        scheme = url[..<colon].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw SigningError("unsupported URL scheme '\(scheme)' in \(url)")
        }
        var rest = url[url.index(colon, offsetBy: 3)...]
        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let afterAuthority = rest[authorityEnd...]
        if let questionMark = afterAuthority.firstIndex(of: "?") {
            path = String(afterAuthority[..<questionMark])
            query = String(afterAuthority[afterAuthority.index(after: questionMark)...])
        } else {
            path = String(afterAuthority)
            query = ""
        }
        if path.isEmpty { path = "/" }

        // `host`, `host:port`, `[v6]`, `[v6]:port`.
        var hostPart = authority
        port = nil
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            let portText = authority[authority.index(after: colon)...]
            guard let value = Int(portText), (0...65_535).contains(value) else {
                throw SigningError("invalid port '\(portText)' in \(url)")
            }
            port = value
            hostPart = authority[..<colon]
        }
        guard !hostPart.isEmpty else { throw SigningError("no host in \(url)") }
        host = hostPart.lowercased()
    }

    /// The `Host` header value: the host, with the port only when it is not the scheme's default.
    package var hostHeader: String {
        guard let port, port != (scheme == "https" ? 443 : 80) else { return host }
        return "\(host):\(port)"
    }

    /// `scheme://host[:port]`.
    package var origin: String {
        guard let port else { return "\(scheme)://\(host)" }
        return "\(scheme)://\(host):\(port)"
    }
}

/// A request that cannot be signed or sent as given (an unparseable URL, for example).
public struct SigningError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let message: String

    package init(_ message: String) { self.message = message }

    public var description: String { "cannot sign request: \(message)" }
}
