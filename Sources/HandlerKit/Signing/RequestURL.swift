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
    ///
    /// Every delimiter (`:`, `/`, `?`, `#`, `@`, `[`, `]`) is ASCII, so the URL is scanned as UTF-8 bytes: every
    /// signed request is parsed, and comparing characters would cost more than the rest of signing.
    /// - Throws: ``SigningError`` when it is not an absolute `http` or `https` URL with a host.
    package init(parsing url: String) throws(SigningError) {
        let bytes = url.utf8
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), bytes[colon...].starts(with: "://".utf8) else {
            throw SigningError("not an absolute URL: \(url)")
        }
        scheme = url[..<colon].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw SigningError("unsupported URL scheme '\(scheme)' in \(url)")
        }
        var rest = bytes[bytes.index(colon, offsetBy: 3)...]
        if let fragment = rest.firstIndex(of: UInt8(ascii: "#")) { rest = rest[..<fragment] }
        let authorityEnd = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) { authority = authority[authority.index(after: at)...] }
        let afterAuthority = rest[authorityEnd...]
        if let questionMark = afterAuthority.firstIndex(of: UInt8(ascii: "?")) {
            path = String(url[afterAuthority.startIndex..<questionMark])
            query = String(url[afterAuthority.index(after: questionMark)..<afterAuthority.endIndex])
        } else {
            path = String(url[afterAuthority.startIndex..<afterAuthority.endIndex])
            query = ""
        }
        if path.isEmpty { path = "/" }

        // `host`, `host:port`, `[v6]`, `[v6]:port`.
        var hostPart = authority
        port = nil
        if let colon = authority.lastIndex(of: UInt8(ascii: ":")), !authority[colon...].contains(UInt8(ascii: "]")) {
            let portText = url[authority.index(after: colon)..<authority.endIndex]
            guard let value = Int(portText), (0...65_535).contains(value) else {
                throw SigningError("invalid port '\(portText)' in \(url)")
            }
            port = value
            hostPart = authority[..<colon]
        }
        guard !hostPart.isEmpty else { throw SigningError("no host in \(url)") }
        host = url[hostPart.startIndex..<hostPart.endIndex].lowercased()
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
