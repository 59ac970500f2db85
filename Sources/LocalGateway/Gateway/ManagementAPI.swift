public import Foundation

/// A `@connections` request as the authoriser sees it.
public struct ManagementRequest: Sendable {
    public var method: String
    /// The path as sent (percent-encoded), without the query.
    public var path: String
    /// The query string as sent, without `?`.
    public var query: String
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(method: String, path: String, query: String, headers: [(name: String, value: String)], body: Data) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// An authoriser's verdict on a `@connections` request.
public enum ManagementAuthorization: Sendable, Equatable {
    case allowed
    /// Answered 403 `ForbiddenException` with this message.
    case denied(String)
}

/// An answer of the management API.
struct ManagementResponse: Equatable {
    var status: Int
    /// The JSON body, if any.
    var body: String?
    /// `x-amzn-ErrorType`, on errors.
    var errorType: String?

    /// An error answer with `{"message": …}` as its body, the message escaped as JSON requires (it may hold
    /// a connection id from the path, whatever it percent-decoded to).
    static func error(_ status: Int, _ type: String, _ message: String) -> ManagementResponse {
        let body = (try? JSONEncoder().encode(["message": message])).map { String(decoding: $0, as: UTF8.self) }
        return ManagementResponse(status: status, body: body ?? #"{"message":"\#(type)"}"#, errorType: type)
    }
}

/// The `@connections` API of the local gateway, as API Gateway serves it at `https://{domain}/{stage}`:
/// `POST /{stage}/@connections/{id}` sends the body to the connection (a text frame when it is valid UTF-8,
/// else a binary frame), `GET` answers `connectedAt`, `identity` and `lastActiveAt`, `DELETE` closes the
/// connection (close code 1000; the function then gets `$disconnect` with 1000). Requests are authorised
/// first (403 `ForbiddenException`); unknown or closed connections answer 410 `GoneException`.
extension WebSocketGateway {
    /// The connection id addressed by `path`, if it is `/{stage}/@connections/{id}` (each segment
    /// percent-decoded: ids arrive with `=` as `%3D`).
    func managedConnectionID(path: String) -> String? {
        // As UTF-8 bytes: every `@connections` call comes through here (see `RuntimeAPIRoute`).
        let segments = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map(Substring.init)
        guard segments.count == 4, segments[0].isEmpty, segments[2] == "@connections", !segments[3].isEmpty,
            QueryString.percentDecoded(segments[1]) == configuration.stage
        else { return nil }
        return QueryString.percentDecoded(segments[3])
    }

    func handleManagement(_ request: ManagementRequest, connectionID: String) -> ManagementResponse {
        if let authorizer, case .denied(let message) = authorizer(request) {
            return .error(403, "ForbiddenException", message)
        }
        guard let connection = connection(connectionID) else {
            return .error(410, "GoneException", "Connection \(connectionID) is gone")
        }
        switch request.method {
        case "POST":
            guard request.body.count <= configuration.maxMessageBytes else {
                return .error(413, "PayloadTooLargeException", "Request Entity Too Large")
            }
            guard send(OutgoingFrame(payload: request.body), to: connectionID) else {
                return .error(410, "GoneException", "Connection \(connectionID) is gone")
            }
            return ManagementResponse(status: 200, body: nil, errorType: nil)
        case "GET":
            return ManagementResponse(status: 200, body: Self.connectionInfo(connection), errorType: nil)
        case "DELETE":
            guard close(connectionID, .deleted) else {
                return .error(410, "GoneException", "Connection \(connectionID) is gone")
            }
            return ManagementResponse(status: 204, body: nil, errorType: nil)
        default:
            return .error(405, "MethodNotAllowedException", "\(request.method) is not a @connections method")
        }
    }

    /// GetConnection's answer: `{"connectedAt":…,"identity":{"sourceIp":…,"userAgent":…},"lastActiveAt":…}`.
    static func connectionInfo(_ connection: GatewayConnection) -> String {
        var identity: [String: String] = ["sourceIp": connection.sourceIP]
        if let userAgent = connection.userAgent { identity["userAgent"] = userAgent }
        let object: [String: Any] = [
            "connectedAt": GatewayClock.iso8601(connection.connectedAtMilliseconds),
            "identity": identity,
            "lastActiveAt": GatewayClock.iso8601(connection.lastActiveMilliseconds),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
