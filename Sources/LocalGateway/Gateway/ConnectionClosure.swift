/// How a connection ended: the `disconnectStatusCode` and `disconnectReason` of its `$disconnect`.
struct ConnectionClosure: Sendable, Equatable {
    var statusCode: Int
    var reason: String

    /// A close with `statusCode` and, when `reason` is empty, the reason text API Gateway reports for that code
    /// (observed: 1001 `Going away`, 1005 `Client-side close frame status not set`; others use RFC 6455's names).
    init(statusCode: Int, reason: String = "") {
        self.statusCode = statusCode
        self.reason = reason.isEmpty ? Self.standardReason(statusCode) : reason
    }

    static func standardReason(_ statusCode: Int) -> String {
        switch statusCode {
        case 1000: "Normal closure"
        case 1001: "Going away"
        case 1002: "Protocol error"
        case 1003: "Unsupported data"
        case 1005: "Client-side close frame status not set"
        case 1006: "Connection closed abnormally"
        case 1007: "Invalid frame payload data"
        case 1008: "Policy violation"
        case 1009: "Message too big"
        case 1011: "Internal error"
        default: ""
        }
    }

    /// The client closed without a close frame (the TCP connection dropped).
    static let abnormal = ConnectionClosure(statusCode: 1006)
    /// A `@connections` DELETE.
    static let deleted = ConnectionClosure(statusCode: 1000)
    /// Idle timeout, maximum connection duration, and gateway shutdown.
    static let goingAway = ConnectionClosure(statusCode: 1001)
    /// A frame or message over its quota.
    static let messageTooBig = ConnectionClosure(statusCode: 1009)
}
