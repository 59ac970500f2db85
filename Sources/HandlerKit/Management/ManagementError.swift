/// A failed call to the `@connections` management API.
///
/// Match on ``kind``: ``Kind/gone`` means the connection no longer exists and should leave your store.
public struct ManagementError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; new kinds may be added.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Code: Hashable, Sendable {
            case gone, forbidden, payloadTooLarge, throttled, server, transport, invalidRequest, invalidResponse, other
        }

        private let code: Code

        /// `410 GoneException`: the connection is closed or never existed.
        public static let gone = Kind(code: .gone)
        /// `403 ForbiddenException`: the credentials may not call this API (or the connection belongs to
        /// another API).
        public static let forbidden = Kind(code: .forbidden)
        /// `413 PayloadTooLargeException`: the message is over the 128 KB frame limit.
        public static let payloadTooLarge = Kind(code: .payloadTooLarge)
        /// `429 LimitExceededException`: still throttled after every retry.
        public static let throttled = Kind(code: .throttled)
        /// A `5xx` answer, after every retry.
        public static let server = Kind(code: .server)
        /// No answer at all (connection refused, reset, timed out), after every retry.
        public static let transport = Kind(code: .transport)
        /// The call could not be made as asked (an empty connection id, an unusable endpoint).
        public static let invalidRequest = Kind(code: .invalidRequest)
        /// A success status with a body that could not be read.
        public static let invalidResponse = Kind(code: .invalidResponse)
        /// Any other status.
        public static let other = Kind(code: .other)

        public var description: String { "\(code)" }
    }

    /// The kind of failure.
    public let kind: Kind
    /// The connection the call was about.
    public let connectionID: String
    /// The HTTP status, when a response arrived.
    public let status: Int?
    /// The service's error type (`GoneException`, …) from `x-amzn-ErrorType`, when present.
    public let errorType: String?
    /// A human-readable explanation.
    public let message: String
    /// How many attempts were made.
    public let attempts: Int

    /// Creates an error.
    public init(kind: Kind, connectionID: String, status: Int? = nil, errorType: String? = nil, message: String, attempts: Int = 1) {
        self.kind = kind
        self.connectionID = connectionID
        self.status = status
        self.errorType = errorType
        self.message = message
        self.attempts = attempts
    }

    /// Classifies a non-success response from its status and `x-amzn-ErrorType` header.
    package init(response: HTTPResponse, connectionID: String, attempts: Int) {
        // The header reads `GoneException:http://internal.amazon.com/...`; keep the name.
        let errorType = response.header("x-amzn-ErrorType").map { String($0.prefix { $0 != ":" }) }
        let kind: Kind
        switch (response.status, errorType) {
        case (410, _), (_, "GoneException"): kind = .gone
        case (403, _), (_, "ForbiddenException"): kind = .forbidden
        case (413, _), (_, "PayloadTooLargeException"): kind = .payloadTooLarge
        case (429, _), (_, "LimitExceededException"), (_, "ThrottlingException"): kind = .throttled
        case (500...599, _): kind = .server
        default: kind = .other
        }
        let body = String(decoding: response.body.prefix(512), as: UTF8.self)
        self.init(
            kind: kind, connectionID: connectionID, status: response.status, errorType: errorType,
            message: body.isEmpty ? "HTTP \(response.status)" : "HTTP \(response.status): \(body)", attempts: attempts)
    }

    /// Whether sending again may succeed: throttling, server errors and transport failures.
    public var isRetryable: Bool {
        kind == .throttled || kind == .server || kind == .transport
    }

    public var description: String {
        "management API \(kind) for connection \(connectionID)\(errorType.map { " (\($0))" } ?? "") after \(attempts) attempt(s): \(message)"
    }

    func withAttempts(_ attempts: Int) -> ManagementError {
        ManagementError(kind: kind, connectionID: connectionID, status: status, errorType: errorType, message: message, attempts: attempts)
    }
}
