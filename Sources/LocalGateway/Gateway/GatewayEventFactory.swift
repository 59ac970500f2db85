import Foundation
import NIOHTTP1

/// Builds the proxy-integration events API Gateway sends for WebSocket APIs, field for field as recorded
/// from API Gateway: `$connect` with the handshake's headers (hop-by-hop `Connection`/`Upgrade` removed,
/// `X-Forwarded-*` and `X-Amzn-Trace-Id` added) and query string, messages with `messageId` and the body
/// (base64 for binary frames), `$disconnect` with `disconnectStatusCode`/`disconnectReason` and the few
/// headers API Gateway sends on it.
struct GatewayEventFactory: Sendable {
    let configuration: GatewayConfiguration
    /// `host:port` clients connected to; the events' `domainName` and `Host`.
    let domainName: String
    let port: Int

    /// What every event's `requestContext` holds.
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
            "requestContext": requestContext(
                routeKey: "$connect", eventType: "CONNECT", connection: connection, now: now, requestID: requestID),
            "isBase64Encoded": false,
        ]
        var pairs = head.headers.filter { !Self.hopByHopHeaders.contains($0.name.lowercased()) }.map { ($0.name, $0.value) }
        pairs.append(("X-Amzn-Trace-Id", Self.traceID(now)))
        pairs.append(("X-Forwarded-For", connection.sourceIP))
        pairs.append(("X-Forwarded-Port", String(port)))
        pairs.append(("X-Forwarded-Proto", "http"))
        (event["headers"], event["multiValueHeaders"]) = Self.singleAndMultiValue(pairs)
        let query = QueryString.parameters(in: head.uri)
        if !query.isEmpty {
            (event["queryStringParameters"], event["multiValueQueryStringParameters"]) = Self.singleAndMultiValue(query)
        }
        return Self.encode(event)
    }

    /// A message: `routeKey` comes from the route selection expression (binary frames: `$default`).
    func message(
        _ connection: GatewayConnection, body: Data, isBinary: Bool, routeKey: String, requestID: String
    ) -> Data {
        let now = GatewayClock.nowMilliseconds()
        var context = requestContext(
            routeKey: routeKey, eventType: "MESSAGE", connection: connection, now: now, requestID: requestID)
        context["messageId"] = GatewayClock.newID()
        let event: [String: Any] = [
            "requestContext": context,
            "body": isBinary ? body.base64EncodedString() : String(decoding: body, as: UTF8.self),
            "isBase64Encoded": isBinary,
        ]
        return Self.encode(event)
    }

    /// `$disconnect`, with the close status and reason.
    func disconnect(_ connection: GatewayConnection, closure: ConnectionClosure, requestID: String) -> Data {
        let now = GatewayClock.nowMilliseconds()
        var context = requestContext(
            routeKey: "$disconnect", eventType: "DISCONNECT", connection: connection, now: now, requestID: requestID)
        context["disconnectStatusCode"] = closure.statusCode
        context["disconnectReason"] = closure.reason
        let (headers, multiValueHeaders) = Self.singleAndMultiValue([
            ("Host", domainName), ("x-api-key", ""), ("X-Forwarded-For", ""), ("x-restapi", ""),
        ])
        return Self.encode([
            "headers": headers, "multiValueHeaders": multiValueHeaders, "requestContext": context,
            "isBase64Encoded": false,
        ])
    }

    /// Handshake headers API Gateway does not pass to the integration.
    static let hopByHopHeaders: Set<String> = ["connection", "upgrade"]

    /// `headers` (the last value of each name, as API Gateway's single-value maps hold) and
    /// `multiValueHeaders` (every value, in order).
    static func singleAndMultiValue(_ pairs: [(String, String)]) -> ([String: String], [String: [String]]) {
        var single: [String: String] = [:]
        var multi: [String: [String]] = [:]
        for (name, value) in pairs {
            single[name] = value
            multi[name, default: []].append(value)
        }
        return (single, multi)
    }

    /// `Root=1-<epoch seconds, hex>-<24 hex digits>`, the X-Ray trace header API Gateway adds.
    static func traceID(_ milliseconds: Int64) -> String {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<3).map { _ in String(UInt32.random(in: 0...UInt32.max, using: &generator), radix: 16) }
            .map { String(repeating: "0", count: 8 - $0.count) + $0 }.joined()
        return "Root=1-\(String(milliseconds / 1000, radix: 16))-\(random)"
    }

    private static func encode(_ object: [String: Any]) -> Data {
        // Only strings, numbers, booleans, arrays and dictionaries go in: serialisation cannot fail.
        (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])) ?? Data("{}".utf8)
    }
}
