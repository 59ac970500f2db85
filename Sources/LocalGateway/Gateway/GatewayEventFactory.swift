import Foundation
import NIOHTTP1

/// Builds the proxy-integration events API Gateway sends for WebSocket APIs.
struct GatewayEventFactory: Sendable {
    let configuration: GatewayConfiguration
    /// `host:port` clients connected to; the events' `domainName`.
    let domainName: String

    private func requestContext(
        routeKey: String, eventType: String, connection: GatewayConnection, now: Int64, requestID: String
    ) -> [String: Any] {
        var identity: [String: Any] = ["sourceIp": connection.sourceIP]
        if let userAgent = connection.userAgent { identity["userAgent"] = userAgent }
        return [
            "routeKey": routeKey,
            "eventType": eventType,
            "extendedRequestId": requestID,
            "requestTime": GatewayClock.requestTime(now),
            "messageDirection": "IN",
            "stage": configuration.stage,
            "connectedAt": connection.connectedAtMilliseconds,
            "requestTimeEpoch": now,
            "identity": identity,
            "requestId": requestID,
            "domainName": domainName,
            "connectionId": connection.id,
            "apiId": configuration.apiID,
        ]
    }

    /// `$connect`, with the handshake's headers and query string.
    func connect(_ connection: GatewayConnection, head: HTTPRequestHead, requestID: String) -> Data {
        let now = GatewayClock.nowMilliseconds()
        var event: [String: Any] = [
            "requestContext": requestContext(routeKey: "$connect", eventType: "CONNECT", connection: connection, now: now, requestID: requestID),
            "isBase64Encoded": false,
        ]
        var headers: [String: String] = [:]
        var multiValueHeaders: [String: [String]] = [:]
        for (name, value) in head.headers {
            headers[name] = headers[name].map { "\($0),\(value)" } ?? value
            multiValueHeaders[name, default: []].append(value)
        }
        event["headers"] = headers
        event["multiValueHeaders"] = multiValueHeaders
        let query = Self.queryParameters(head.uri)
        if !query.isEmpty {
            event["queryStringParameters"] = query.mapValues { $0.last ?? "" }
            event["multiValueQueryStringParameters"] = query
        }
        return Self.encode(event)
    }

    /// A message: the route comes from the route selection expression over text bodies.
    func message(_ connection: GatewayConnection, body: Data, isBinary: Bool, routeKey: String, requestID: String) -> Data {
        let now = GatewayClock.nowMilliseconds()
        var context = requestContext(routeKey: routeKey, eventType: "MESSAGE", connection: connection, now: now, requestID: requestID)
        context["messageId"] = GatewayClock.newID()
        let event: [String: Any] = [
            "requestContext": context,
            "body": isBinary ? body.base64EncodedString() : String(decoding: body, as: UTF8.self),
            "isBase64Encoded": isBinary,
        ]
        return Self.encode(event)
    }

    /// `$disconnect`, with the close status and reason.
    func disconnect(_ connection: GatewayConnection, statusCode: Int, reason: String, requestID: String) -> Data {
        let now = GatewayClock.nowMilliseconds()
        var context = requestContext(routeKey: "$disconnect", eventType: "DISCONNECT", connection: connection, now: now, requestID: requestID)
        context["disconnectStatusCode"] = statusCode
        context["disconnectReason"] = reason
        return Self.encode(["requestContext": context, "isBase64Encoded": false])
    }

    static func queryParameters(_ uri: String) -> [String: [String]] {
        guard let components = URLComponents(string: "http://local" + uri), let items = components.queryItems else { return [:] }
        var result: [String: [String]] = [:]
        for item in items { result[item.name, default: []].append(item.value ?? "") }
        return result
    }

    private static func encode(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])) ?? Data("{}".utf8)
    }
}

/// The function's answer to a WebSocket event: `{"statusCode": …, "body": …, "headers": …}`.
struct IntegrationResponse {
    var statusCode: Int
    var body: String?
    var headers: [String: String]

    /// Reads a function response; a response that is not such an object counts as a 200 whose body is the
    /// raw text (as API Gateway passes through non-proxy-shaped output).
    init(_ data: Data) {
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], object["statusCode"] != nil {
            statusCode = (object["statusCode"] as? Int) ?? Int((object["statusCode"] as? String) ?? "") ?? 500
            body = object["body"] as? String
            headers = (object["headers"] as? [String: String]) ?? [:]
        } else {
            statusCode = 200
            let text = String(decoding: data, as: UTF8.self)
            body = text.isEmpty || text == "null" ? nil : text
            headers = [:]
        }
    }

    var isSuccess: Bool { (200..<300).contains(statusCode) }
}
