import Foundation
import HandlerKit
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
        routeKey: String, eventType: WebSocketEventType, connection: GatewayConnection, now: Int64, requestID: String
    ) -> WebSocketRequestContext {
        WebSocketRequestContext(
            routeKey: routeKey, eventType: eventType, connectionID: connection.id, domainName: domainName,
            stage: configuration.stage, apiID: configuration.apiID, requestID: requestID, extendedRequestID: requestID,
            messageDirection: "IN", connectedAt: connection.connectedAtMilliseconds, requestTimeEpoch: now,
            requestTime: GatewayClock.requestTime(now),
            identity: WebSocketIdentity(sourceIP: connection.sourceIP, userAgent: connection.userAgent))
    }

    /// `$connect`, with the handshake's headers and query string.
    func connect(_ connection: GatewayConnection, head: HTTPRequestHead, requestID: String) -> Data {
        let now = GatewayClock.nowMilliseconds()
        var pairs = head.headers.filter { !Self.hopByHopHeaders.contains($0.name.lowercased()) }.map { ($0.name, $0.value) }
        pairs.append(("X-Amzn-Trace-Id", Self.traceID(now)))
        pairs.append(("X-Forwarded-For", connection.sourceIP))
        pairs.append(("X-Forwarded-Port", String(port)))
        pairs.append(("X-Forwarded-Proto", "http"))
        let (headers, multiValueHeaders) = Self.singleAndMultiValue(pairs)
        let query = QueryString.parameters(in: head.uri)
        let (parameters, multiValueParameters) = Self.singleAndMultiValue(query)
        return Self.encode(WebSocketEvent(
            requestContext: requestContext(routeKey: "$connect", eventType: .connect, connection: connection, now: now, requestID: requestID),
            headers: headers, multiValueHeaders: multiValueHeaders,
            queryStringParameters: query.isEmpty ? nil : parameters,
            multiValueQueryStringParameters: query.isEmpty ? nil : multiValueParameters,
            isBase64Encoded: false))
    }

    /// A message: `routeKey` comes from the route selection expression (binary frames: `$default`).
    func message(
        _ connection: GatewayConnection, body: Data, isBinary: Bool, routeKey: String, requestID: String
    ) -> Data {
        let now = GatewayClock.nowMilliseconds()
        var context = requestContext(routeKey: routeKey, eventType: .message, connection: connection, now: now, requestID: requestID)
        context.messageID = GatewayClock.newID()
        return Self.encode(WebSocketEvent(
            requestContext: context,
            body: isBinary ? body.base64EncodedString() : String(decoding: body, as: UTF8.self),
            isBase64Encoded: isBinary))
    }

    /// `$disconnect`, with the close status and reason.
    func disconnect(_ connection: GatewayConnection, closure: ConnectionClosure, requestID: String) -> Data {
        let now = GatewayClock.nowMilliseconds()
        var context = requestContext(routeKey: "$disconnect", eventType: .disconnect, connection: connection, now: now, requestID: requestID)
        context.disconnectStatusCode = closure.statusCode
        context.disconnectReason = closure.reason
        let (headers, multiValueHeaders) = Self.singleAndMultiValue([
            ("Host", domainName), ("x-api-key", ""), ("X-Forwarded-For", ""), ("x-restapi", ""),
        ])
        return Self.encode(WebSocketEvent(
            requestContext: context, headers: headers, multiValueHeaders: multiValueHeaders, isBase64Encoded: false))
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
        var generator = GatewayRandom()
        let random = (0..<3).map { _ in String(UInt32.random(in: 0...UInt32.max, using: &generator), radix: 16) }
            .map { String(repeating: "0", count: 8 - $0.count) + $0 }.joined()
        return "Root=1-\(String(milliseconds / 1000, radix: 16))-\(random)"
    }

    private static func encode(_ event: WebSocketEvent) -> Data {
        event.encodedJSON()
    }
}
