/// A failure talking to the Lambda Runtime API.
///
/// ``isFatal`` tells the invocation loop whether to stop: a Runtime API that answers 500 or cannot be
/// reached means the execution environment is broken, and the process must exit.
public struct RuntimeAPIError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case unreachable
        case environmentBroken
        case payloadTooLarge
        case rejected
        case incompleteEvent
        case incompleteAnswer
    }

    private let code: Code
    /// The HTTP status, when the Runtime API answered.
    public let status: Int?
    /// What went wrong, for the log.
    public let detail: String
    /// The invocation an ``incompleteEvent(requestID:detail:)`` belongs to.
    public let requestID: String?

    private init(_ code: Code, status: Int?, detail: String, requestID: String? = nil) {
        self.code = code
        self.status = status
        self.detail = detail
        self.requestID = requestID
    }

    /// The Runtime API could not be reached, even after retrying.
    public static func unreachable(_ detail: String) -> Self { .init(.unreachable, status: nil, detail: detail) }
    /// The Runtime API answered 5xx: the environment is broken.
    public static func environmentBroken(status: Int, detail: String) -> Self {
        .init(.environmentBroken, status: status, detail: detail)
    }
    /// The Runtime API refused a response body as too large (413).
    public static func payloadTooLarge(detail: String) -> Self { .init(.payloadTooLarge, status: 413, detail: detail) }
    /// The Runtime API refused a request (4xx other than 413), e.g. an unknown or already answered request id.
    public static func rejected(status: Int, detail: String) -> Self { .init(.rejected, status: status, detail: detail) }

    /// `/next` delivered an invocation's headers but its event ended early (the connection closed mid-body):
    /// the event cannot be handled, and is reported as an invocation error for `requestID`.
    public static func incompleteEvent(requestID: String, detail: String) -> Self {
        .init(.incompleteEvent, status: 200, detail: detail, requestID: requestID)
    }

    /// The Runtime API's answer ended before the length it announced (the connection closed mid-body).
    public static func incompleteAnswer(_ detail: String) -> Self { .init(.incompleteAnswer, status: nil, detail: detail) }

    /// Whether the process must stop.
    public var isFatal: Bool { code == .unreachable || code == .environmentBroken }
    /// Whether this is an ``incompleteAnswer(_:)``.
    package var isIncompleteAnswer: Bool { code == .incompleteAnswer }
    /// Whether this is the 413 answer to an oversized response.
    public var isPayloadTooLarge: Bool { code == .payloadTooLarge }

    public var description: String {
        switch code {
        case .unreachable: "Runtime API unreachable: \(detail)"
        case .environmentBroken: "Runtime API failed with status \(status ?? 0): \(detail)"
        case .payloadTooLarge: "Runtime API refused the response as too large: \(detail)"
        case .rejected: "Runtime API rejected the request with status \(status ?? 0): \(detail)"
        case .incompleteEvent: "Runtime API sent an incomplete event for \(requestID ?? ""): \(detail)"
        case .incompleteAnswer: "Runtime API answer ended early: \(detail)"
        }
    }
}
