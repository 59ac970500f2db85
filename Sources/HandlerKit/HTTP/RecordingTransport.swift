internal import Synchronization

/// A transport for tests: records every request and answers from a script (or a closure), never touching
/// the network.
///
/// ```swift
/// let transport = RecordingTransport(responses: [HTTPResponse(status: 410)])
/// let client = ManagementClient(endpoint: "https://example.com/prod", signer: signer, transport: transport)
/// ```
public final class RecordingTransport: HTTPTransport {
    private struct State {
        var requests: [HTTPRequest] = []
        var scripted: [Result<HTTPResponse, HTTPTransportError>] = []
    }

    private let state = Mutex(State())
    private let fallback: @Sendable (HTTPRequest) -> HTTPResponse

    /// Answers with `responses` in order, then with `fallback` (by default `200` with an empty body).
    public init(
        responses: [HTTPResponse] = [],
        fallback: @escaping @Sendable (HTTPRequest) -> HTTPResponse = { _ in HTTPResponse(status: 200) }
    ) {
        self.fallback = fallback
        state.withLock { $0.scripted = responses.map { .success($0) } }
    }

    /// Adds an answer to the script.
    public func enqueue(_ response: HTTPResponse) {
        state.withLock { $0.scripted.append(.success(response)) }
    }

    /// Adds a transport failure to the script.
    public func enqueueFailure(_ error: HTTPTransportError) {
        state.withLock { $0.scripted.append(.failure(error)) }
    }

    /// Every request sent so far, in order.
    public var requests: [HTTPRequest] { state.withLock { $0.requests } }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let next = state.withLock { state -> Result<HTTPResponse, HTTPTransportError>? in
            state.requests.append(request)
            return state.scripted.isEmpty ? nil : state.scripted.removeFirst()
        }
        guard let next else { return fallback(request) }
        return try next.get()
    }
}
