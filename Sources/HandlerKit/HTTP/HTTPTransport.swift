/// Sends HTTP requests: ``CurlHTTPTransport`` in production, ``RecordingTransport`` in tests.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the response, whatever its status.
    /// - Throws: ``HTTPTransportError`` when no response arrived (refused, reset, timed out, TLS failure).
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// A request that got no HTTP response.
public struct HTTPTransportError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as the transport reported it.
    public let message: String
    /// Whether the failure happened while connecting or before a response arrived, so that sending the
    /// request again may succeed.
    public let isConnectionFailure: Bool
    /// Whether the time limit ran out.
    public let isTimeout: Bool

    /// Creates an error.
    public init(message: String, isConnectionFailure: Bool, isTimeout: Bool = false) {
        self.message = message
        self.isConnectionFailure = isConnectionFailure
        self.isTimeout = isTimeout
    }

    public var description: String { "HTTP transport failure: \(message)" }
}
