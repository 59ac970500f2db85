#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// One HTTP request for a ``CurlEasyHandle``.
package struct CurlRequest: Sendable {
    /// The request method; `GET`, `POST`, `PUT`, `DELETE` or any other token.
    package var method: String
    /// The absolute URL, already percent-encoded.
    package var url: String
    /// Header fields in order. curl's own `Expect` and form `Content-Type` defaults are suppressed.
    package var headers: [(name: String, value: String)]
    /// The request body; sent for every method but `GET`, `HEAD` and `DELETE` without a body.
    package var body: Data?
    /// Whole-transfer time limit in milliseconds; `0` waits forever (the Runtime API's `/next`).
    package var timeoutMilliseconds: Int

    package init(
        method: String,
        url: String,
        headers: [(name: String, value: String)] = [],
        body: Data? = nil,
        timeoutMilliseconds: Int = 0
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}

/// The response to a ``CurlRequest``.
package struct CurlResponse: Sendable {
    /// The HTTP status code of the final response.
    package var status: Int
    /// Header fields of the final response, in the order received.
    package var headers: [(name: String, value: String)]
    /// The response body.
    package var body: Data

    package init(status: Int, headers: [(name: String, value: String)], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name`, compared case-insensitively.
    package func header(_ name: String) -> String? {
        for field in headers where field.name.count == name.count {
            if field.name.utf8.elementsEqual(name.utf8, by: { asciiLower($0) == asciiLower($1) }) {
                return field.value
            }
        }
        return nil
    }
}

@inline(__always)
private func asciiLower(_ byte: UInt8) -> UInt8 {
    (byte >= 65 && byte <= 90) ? byte + 32 : byte
}
