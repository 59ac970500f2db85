#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import HandlerKit

/// Builds the events API Gateway would send, with realistic defaults, for unit tests.
///
/// ```swift
/// let connect = WebSocketEventBuilder.connect()
///     .header("Sec-WebSocket-Protocol", "chat")
///     .query("token", "s3cret")
///     .build()
/// let message = WebSocketEventBuilder.message(#"{"action":"sendMessage","message":"hi"}"#).build()
/// let close = WebSocketEventBuilder.disconnect(statusCode: 1001, reason: "Going away").build()
/// ```
public struct WebSocketEventBuilder: Sendable {
    /// The event built so far.
    public private(set) var event: WebSocketEvent

    /// The connection id events get unless told otherwise.
    public static let defaultConnectionID = "TestConnId0="
    /// When the test connection opened (epoch ms).
    public static let defaultConnectedAt: Int64 = 1_795_678_751_000

    private init(routeKey: String, eventType: WebSocketEventType, connectionID: String) {
        let context = WebSocketRequestContext(
            routeKey: routeKey, eventType: eventType, connectionID: connectionID,
            domainName: "abcdef1234.execute-api.us-east-1.amazonaws.com", stage: "dev", apiID: "abcdef1234",
            requestID: "TestReqId0=", extendedRequestID: "TestReqId0=",
            messageDirection: "IN", connectedAt: Self.defaultConnectedAt,
            requestTimeEpoch: Self.defaultConnectedAt + 1_000, requestTime: "25/Nov/2026:07:39:12 +0000",
            identity: WebSocketIdentity(sourceIP: "127.0.0.1", userAgent: "HandlerKitTesting"))
        event = WebSocketEvent(requestContext: context)
    }

    /// A `$connect` event (add headers and query parameters with ``header(_:_:)`` and ``query(_:_:)``).
    public static func connect(connectionID: String = defaultConnectionID) -> WebSocketEventBuilder {
        var builder = WebSocketEventBuilder(routeKey: "$connect", eventType: .connect, connectionID: connectionID)
        builder.event.requestContext.connectedAt = defaultConnectedAt
        builder.event.requestContext.requestTimeEpoch = defaultConnectedAt
        builder.event.isBase64Encoded = false
        return builder
    }

    /// A text message. `routeKey` defaults to what API Gateway would select with `$request.body.action`
    /// (the `action` string, else `$default`).
    public static func message(
        _ body: String, routeKey: String? = nil, connectionID: String = defaultConnectionID
    ) -> WebSocketEventBuilder {
        let key = routeKey ?? RouteSelectionExpression.default.selectedValue(inBody: body) ?? "$default"
        var builder = WebSocketEventBuilder(routeKey: key, eventType: .message, connectionID: connectionID)
        builder.event.requestContext.messageID = "TestMsgId0="
        builder.event.body = body
        builder.event.isBase64Encoded = false
        return builder
    }

    /// A text message whose body is `value` as JSON.
    public static func message(
        json value: some Encodable, routeKey: String? = nil, connectionID: String = defaultConnectionID
    ) throws -> WebSocketEventBuilder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = String(decoding: try encoder.encode(value), as: UTF8.self)
        return message(body, routeKey: routeKey, connectionID: connectionID)
    }

    /// A binary frame: base64 body, `isBase64Encoded` true, routed to `$default`.
    public static func binaryMessage(
        _ bytes: some Sequence<UInt8>, connectionID: String = defaultConnectionID
    ) -> WebSocketEventBuilder {
        var builder = WebSocketEventBuilder(routeKey: "$default", eventType: .message, connectionID: connectionID)
        builder.event.requestContext.messageID = "TestMsgId0="
        builder.event.body = Data(bytes).base64EncodedString()
        builder.event.isBase64Encoded = true
        return builder
    }

    /// A `$disconnect` event with the WebSocket close code and reason.
    public static func disconnect(
        statusCode: Int = 1000, reason: String = "", connectionID: String = defaultConnectionID
    ) -> WebSocketEventBuilder {
        var builder = WebSocketEventBuilder(routeKey: "$disconnect", eventType: .disconnect, connectionID: connectionID)
        builder.event.requestContext.disconnectStatusCode = statusCode
        builder.event.requestContext.disconnectReason = reason
        builder.event.isBase64Encoded = false
        return builder
    }

    /// Adds a header value (to `headers`, where the last value wins, and to `multiValueHeaders`).
    public func header(_ name: String, _ value: String) -> WebSocketEventBuilder {
        var copy = self
        copy.event.headers = (event.headers ?? [:]).merging([name: value]) { _, new in new }
        copy.event.multiValueHeaders = (event.multiValueHeaders ?? [:]).merging([name: [value]]) { $0 + $1 }
        return copy
    }

    /// Adds a query parameter value (to `queryStringParameters` and `multiValueQueryStringParameters`).
    public func query(_ name: String, _ value: String) -> WebSocketEventBuilder {
        var copy = self
        copy.event.queryStringParameters = (event.queryStringParameters ?? [:]).merging([name: value]) { _, new in new }
        copy.event.multiValueQueryStringParameters = (event.multiValueQueryStringParameters ?? [:])
            .merging([name: [value]]) { $0 + $1 }
        return copy
    }

    /// Sets the authorizer output.
    public func authorizer(
        principalID: String?, integrationLatency: Int? = nil, context: [String: JSONValue] = [:]
    ) -> WebSocketEventBuilder {
        var copy = self
        copy.event.requestContext.authorizer = WebSocketAuthorizer(
            principalID: principalID, integrationLatency: integrationLatency, context: context)
        return copy
    }

    /// Changes any other field.
    public func with(_ change: (inout WebSocketEvent) -> Void) -> WebSocketEventBuilder {
        var copy = self
        change(&copy.event)
        return copy
    }

    /// The event.
    public func build() -> WebSocketEvent { event }

    /// Writes the event as pretty-printed JSON, as a recorded event file.
    public func write(toFile path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(event).write(to: URL(fileURLWithPath: path))
    }
}
