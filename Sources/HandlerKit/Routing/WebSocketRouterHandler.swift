#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import Runtime

/// The immutable route table a ``WebSocketRouter`` builds: a ``RawLambdaHandler`` that decodes the event,
/// dispatches it to its route and encodes the ``WebSocketResponse``.
///
/// An event that is not a WebSocket event fails the invocation with an ``EventDecodingError`` naming the
/// field; so does a handler's error (reported as that error).
public struct WebSocketRouterHandler: RawLambdaHandler {
    /// A route's key and handler, kept together so that one lookup finds both. (A table of this struct,
    /// rather than of bare closures, also spares the process demangling a function type's metadata at start.)
    struct Route {
        let key: WebSocketRouteKey
        let handler: WebSocketRouter.Handler
    }

    private let routes: RouteTable
    /// How messages are routed by their body.
    public let routeSelectionExpression: RouteSelectionExpression

    init(routes: RouteTable, routeSelectionExpression: RouteSelectionExpression) {
        self.routes = routes
        self.routeSelectionExpression = routeSelectionExpression
    }

    public func handle(_ event: Data, context: LambdaContext) async throws -> Data {
        let response = try await dispatch(WebSocketEvent.decode(from: event), context: context)
        return response.encodedJSON()
    }

    /// Dispatches a decoded event.
    public func handle(_ event: WebSocketEvent, context: LambdaContext) async throws -> WebSocketResponse {
        try await dispatch(event, context: context)
    }

    /// Dispatches an event the caller gives up, so the request takes it over without copying its fields.
    nonisolated(nonsending) private func dispatch(
        _ event: consuming WebSocketEvent, context: LambdaContext
    ) async throws -> WebSocketResponse {
        guard let route = matchingRoute(for: event) else {
            switch event.requestContext.eventType {
            case .connect, .disconnect:
                return .ok
            case .message:
                return RouterReplies.noRoute(for: event, selected: selectedValue(of: event))
            }
        }
        return try await route.handler(WebSocketRequest(event: event, context: context, routeKey: route.key))
    }

    /// The route whose handler `event` goes to; nil when no handler applies.
    public func route(for event: WebSocketEvent) -> WebSocketRouteKey? {
        matchingRoute(for: event)?.key
    }

    /// The route `event` goes to, with its handler. `$connect` and `$disconnect` follow the event type, so a
    /// message can never reach them (whatever its `routeKey` or body says); a message goes to its route key,
    /// else to the route its body selects, else to `$default`. Keys starting with `$` are API Gateway's own
    /// and never selected by a message.
    private func matchingRoute(for event: WebSocketEvent) -> Route? {
        switch event.requestContext.eventType {
        case .connect: return routes[WebSocketRouteKey.connect.rawValue]
        case .disconnect: return routes[WebSocketRouteKey.disconnect.rawValue]
        case .message: break
        }
        let key = event.requestContext.routeKey
        if !key.hasPrefix("$"), let route = routes[key] {
            return route
        }
        if let selected = selectedValue(of: event), !selected.hasPrefix("$"), let route = routes[selected] {
            return route
        }
        return routes[WebSocketRouteKey.default.rawValue]
    }

    private func selectedValue(of event: WebSocketEvent) -> String? {
        guard event.isBase64Encoded != true else { return nil }
        return routeSelectionExpression.selectedValue(inBody: event.body)
    }
}

/// The router's own answers: no route, and a typed body that does not decode.
enum RouterReplies {
    private struct Reply: Encodable {
        var message: String
        var field: String?
        var routeKey: String?
        var selected: String?
        var connectionId: String
        var requestId: String?
    }

    static func noRoute(for event: WebSocketEvent, selected: String?) -> WebSocketResponse {
        let reply = Reply(
            message: "No route for this message", routeKey: event.requestContext.routeKey, selected: selected,
            connectionId: event.requestContext.connectionID, requestId: event.requestContext.requestID)
        return response(404, reply, requestID: RequestCorrelation.requestID(inBody: event.body))
    }

    static func invalidBody(_ error: EventDecodingError, request: WebSocketRequest) -> WebSocketResponse {
        let detail = error.fieldPath.isEmpty ? error.reason : "\(error.fieldPath): \(error.reason)"
        let reply = Reply(
            message: "Invalid message body: \(detail)", field: error.fieldPath.isEmpty ? nil : error.fieldPath,
            connectionId: request.connectionID, requestId: request.event.requestContext.requestID)
        return response(400, reply, requestID: request.requestID)
    }

    private static func response(_ status: Int, _ reply: Reply, requestID: RequestID?) -> WebSocketResponse {
        var data = (try? ResponseJSON.encoder.encode(reply)) ?? Data(#"{"message":"\#(status)"}"#.utf8)
        if let requestID, let correlated = try? RequestCorrelation.inserting(requestID, into: data) { data = correlated }
        return WebSocketResponse(statusCode: status, body: String(decoding: data, as: UTF8.self))
    }
}
