public import Foundation

/// How a function answered one invocation sent through ``RuntimeAPIMock``.
public enum InvocationResult: Sendable, Equatable {
    /// `POST /runtime/invocation/{id}/response`: the response body.
    case response(Data)
    /// `POST /runtime/invocation/{id}/error`: the `Lambda-Runtime-Function-Error-Type` header and the JSON body.
    case error(type: String, body: Data)
    /// The function posted to `/runtime/init/error` (its body is attached) before answering.
    case initFailed(type: String, body: Data)
    /// No answer before the deadline.
    case timedOut

    /// Whether the function answered with a response.
    public var isSuccess: Bool {
        if case .response = self { return true }
        return false
    }

    /// The body the Lambda Invoke API would return: the response, or the error JSON.
    public var payload: Data {
        switch self {
        case .response(let body), .error(_, let body), .initFailed(_, let body): body
        case .timedOut: Data(#"{"errorMessage":"Task timed out","errorType":"Sandbox.Timedout"}"#.utf8)
        }
    }
}

/// One queued event: what `/next` will serve.
public struct QueuedEvent: Sendable {
    /// The event body.
    public var body: Data
    /// Extra or replacement `Lambda-Runtime-*` headers; a `nil` value removes a header the mock would send.
    public var headerOverrides: [String: String?]

    public init(body: Data, headerOverrides: [String: String?] = [:]) {
        self.body = body
        self.headerOverrides = headerOverrides
    }
}
