#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One HTTP request for a ``CurlEasyHandle``.
package struct CurlRequest: Sendable {
    /// The request method; `GET`, `POST`, `PUT`, `DELETE` or any other token.
    package var method: String
    /// Where the request goes: URL text, or a URL libcurl parsed once.
    package var location: Location
    /// The absolute URL, already percent-encoded.
    package var url: String {
        get { location.text }
        set { location = .text(newValue) }
    }
    /// Header fields in order. curl's own `Expect`, form `Content-Type` and `Accept: */*` defaults are
    /// suppressed (a field of the request's own with that name is sent instead).
    package var headers: [(name: String, value: String)]
    /// The request body; sent for every method but `GET`, `HEAD` and `DELETE` without a body.
    package var body: Data?
    /// Whole-transfer time limit in milliseconds; `0` waits forever (the Runtime API's `/next`).
    package var timeoutMilliseconds: Int
    /// Whether the response's header fields are kept; a caller that reads only the status and body (the
    /// Runtime API's response and error posts, once an invocation) spares filing them.
    package var keepsResponseHeaders: Bool

    package init(
        method: String,
        url: String,
        headers: [(name: String, value: String)] = [],
        body: Data? = nil,
        timeoutMilliseconds: Int = 0,
        keepsResponseHeaders: Bool = true
    ) {
        self.init(
            method: method, location: .text(url), headers: headers, body: body,
            timeoutMilliseconds: timeoutMilliseconds, keepsResponseHeaders: keepsResponseHeaders)
    }

    /// A request to a URL libcurl has parsed already, which it then does not parse again; `path` replaces the
    /// URL's path and anything after it.
    package init(
        method: String,
        url: CurlURL,
        path: CurlURL.Path? = nil,
        headers: [(name: String, value: String)] = [],
        body: Data? = nil,
        timeoutMilliseconds: Int = 0,
        keepsResponseHeaders: Bool = true
    ) {
        self.init(
            method: method, location: .parsed(url, path: path), headers: headers, body: body,
            timeoutMilliseconds: timeoutMilliseconds, keepsResponseHeaders: keepsResponseHeaders)
    }

    private init(
        method: String,
        location: Location,
        headers: [(name: String, value: String)],
        body: Data?,
        timeoutMilliseconds: Int,
        keepsResponseHeaders: Bool
    ) {
        self.method = method
        self.location = location
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
        self.keepsResponseHeaders = keepsResponseHeaders
    }
}

extension CurlRequest {
    /// A request's URL, in one of the two forms libcurl takes.
    package enum Location: Sendable {
        /// Text, which libcurl parses on every transfer.
        case text(String)
        /// A URL parsed once, and a path to replace its path and anything after it, or `nil` to keep them.
        case parsed(CurlURL, path: CurlURL.Path?)

        /// The URL as text.
        package var text: String {
            switch self {
            case .text(let text): text
            case .parsed(let url, nil): url.text
            case .parsed(let url, let path?): url.text(withPath: path)
            }
        }
    }
}

/// The response to a ``CurlRequest``.
package struct CurlResponse: Sendable {
    /// The HTTP status code of the final response.
    package var status: Int
    /// The response body, copied out of the transfer's buffer when asked for.
    package var body: Data { Data(bodyBytes) }
    /// The response body's bytes.
    package let bodyBytes: [UInt8]
    /// The header block of the final response, as received; fields index into it.
    private let headerBytes: [UInt8]
    private let fields: [HeaderField]

    /// Where one header field's name and value lie in the header block.
    package struct HeaderField: Sendable {
        package var name: Range<Int>
        package var value: Range<Int>
    }

    package init(status: Int, headerBytes: [UInt8], fields: [HeaderField], bodyBytes: [UInt8]) {
        self.status = status
        self.headerBytes = headerBytes
        self.fields = fields
        self.bodyBytes = bodyBytes
    }

    /// Header fields in the order received.
    package var headers: [(name: String, value: String)] {
        fields.map { (String(decoding: headerBytes[$0.name], as: UTF8.self), String(decoding: headerBytes[$0.value], as: UTF8.self)) }
    }

    /// The first value of the header `name`, compared case-insensitively (ASCII).
    ///
    /// Runs several times on every invocation, so it compares bytes and builds a `String` only for the match.
    package func header(_ name: String) -> String? {
        var name = name
        return name.withUTF8 { wanted -> String? in
            guard let wantedBase = wanted.baseAddress else { return nil }
            return headerBytes.withUnsafeBufferPointer { block -> String? in
                guard let blockBase = block.baseAddress else { return nil }
                for field in fields where field.name.count == wanted.count {
                    if strncasecmp(blockBase + field.name.lowerBound, wantedBase, wanted.count) == 0 {
                        return String(decoding: UnsafeBufferPointer(rebasing: block[field.value]), as: UTF8.self)
                    }
                }
                return nil
            }
        }
    }
}
