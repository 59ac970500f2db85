#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One outgoing HTTP request, as an ``HTTPTransport`` sends it and a ``SigV4Signer`` signs it.
public struct HTTPRequest: Sendable {
    /// The method: `GET`, `POST`, `DELETE`, …
    public var method: String
    /// The absolute URL, already percent-encoded (`https://host/stage/%40connections/abc%3D`).
    public var url: String
    /// Header fields in order; names are compared case-insensitively.
    public var headers: [(name: String, value: String)]
    /// The body; empty for none.
    public var body: Data
    /// The limit for the whole exchange.
    public var timeout: Duration

    /// Creates a request.
    public init(
        method: String,
        url: String,
        headers: [(name: String, value: String)] = [],
        body: Data = Data(),
        timeout: Duration = .seconds(10)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// The first value of the header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { HeaderName.equal($0.name, name) }?.value
    }

    /// Replaces every field named `name` (case-insensitive) with one field holding `value`.
    public mutating func setHeader(_ name: String, _ value: String) {
        removeHeader(name)
        headers.append((name, value))
    }

    /// Removes every field named `name` (case-insensitive).
    public mutating func removeHeader(_ name: String) {
        headers.removeAll { HeaderName.equal($0.name, name) }
    }
}

/// The answer to an ``HTTPRequest``: any status, including errors, is a response.
public struct HTTPResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Header fields in the order received.
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: Data

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        return headers.first { HeaderName.equal($0.name, name) }?.value
    }
}
