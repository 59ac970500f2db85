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

    /// A URL from its parts, as a server that received a request knows them: nothing is parsed or checked.
    /// - Parameters:
    ///   - host: lower-cased; IPv6 literals in brackets.
    ///   - path: percent-encoded, `/` when empty.
    package init(scheme: String, host: String, port: Int?, path: String, query: String) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.query = query
    }

    /// Parses `url`.
    ///
    /// Every delimiter (`:`, `/`, `?`, `#`, `@`, `[`, `]`) is ASCII, so the URL is scanned as UTF-8 bytes, in
    /// place: every signed request is parsed, and comparing characters would cost more than the rest of signing.
    /// - Throws: ``SigningError`` when it is not an absolute `http` or `https` URL with a host.
    package init(parsing url: String) throws(SigningError) {
        var text = url
        let parts = text.withUTF8 { Self.split($0) }
        guard let parts else { throw SigningError("not an absolute URL: \(url)") }
        func piece(_ range: Range<Int>) -> String {
            text.withUTF8 { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
        }
        scheme = HeaderName.lowercased(piece(parts.scheme))
        guard scheme == "http" || scheme == "https" else {
            throw SigningError("unsupported URL scheme '\(scheme)' in \(url)")
        }
        path = parts.path.isEmpty ? "/" : piece(parts.path)
        query = parts.query.map(piece) ?? ""
        port = nil
        if let portRange = parts.port {
            let portText = piece(portRange)
            guard let value = Int(portText), (0...65_535).contains(value) else {
                throw SigningError("invalid port '\(portText)' in \(url)")
            }
            port = value
        }
        guard !parts.host.isEmpty else { throw SigningError("no host in \(url)") }
        host = HeaderName.lowercased(piece(parts.host))
    }

    /// Where the parts of `scheme://[user@]host[:port][/path][?query][#fragment]` lie in its bytes; nil
    /// without `://` after the scheme. The port is what follows the last `:` of the authority, unless a `]`
    /// (of an IPv6 literal) comes after that colon.
    private static func split(
        _ bytes: UnsafeBufferPointer<UInt8>
    ) -> (scheme: Range<Int>, host: Range<Int>, port: Range<Int>?, path: Range<Int>, query: Range<Int>?)? {
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon + 3 <= bytes.count,
            bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/")
        else { return nil }
        let authorityStart = colon + 3
        var end = bytes.count
        if let fragment = bytes[authorityStart...].firstIndex(of: UInt8(ascii: "#")) { end = fragment }
        let authorityEnd = bytes[authorityStart..<end].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? end
        var hostStart = authorityStart
        if let at = bytes[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")) { hostStart = at + 1 }
        var hostEnd = authorityEnd
        var port: Range<Int>?
        if let portColon = bytes[hostStart..<authorityEnd].lastIndex(of: UInt8(ascii: ":")),
            !bytes[portColon..<authorityEnd].contains(UInt8(ascii: "]"))
        {
            port = (portColon + 1)..<authorityEnd
            hostEnd = portColon
        }
        var path = authorityEnd..<end
        var query: Range<Int>?
        if let questionMark = bytes[authorityEnd..<end].firstIndex(of: UInt8(ascii: "?")) {
            path = authorityEnd..<questionMark
            query = (questionMark + 1)..<end
        }
        return (0..<colon, hostStart..<hostEnd, port, path, query)
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
