#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import Runtime

/// Collects one handler per route of a WebSocket API, then builds the immutable ``WebSocketRouterHandler``
/// that the runtime calls.
///
/// ```swift
/// let router = WebSocketRouter()
/// router.on(.connect) { request in request.event.header("Authorization") == nil ? .status(401) : .ok }
/// router.on(.disconnect) { request in .ok }
/// router.on("sendMessage", body: SendMessage.self) { message, request in
///     try request.reply(json: Sent(to: message.connectionId))
/// }
/// router.onDefault { request in .ok(body: "unknown action") }
/// await LambdaRuntime.start { router.buildHandler() }
/// ```
///
/// How events are dispatched (see ``WebSocketRouterHandler`` for the details):
/// - `$connect` and `$disconnect` come from `requestContext.routeKey`, never from the body. Without a handler
///   for them the router answers 200, as API Gateway does for an API without those routes.
/// - A message goes to the handler of its `routeKey`; when the gateway chose `$default` (or a route this
///   router does not know), the router evaluates ``routeSelectionExpression`` on the body itself, so a
///   function integrated only on `$default` can still route by `action`; otherwise it goes to `$default`.
/// - A message that matches nothing, with no `$default` handler, is answered `404` with a JSON body
///   `{"message": "No route for this message", "routeKey": …, "selected": …, "connectionId": …, "requestId": …}`.
/// - A typed-body route whose body does not decode is answered `400` with
///   `{"message": "Invalid message body: <field>: <reason>", "field": …}`; the handler is not called.
/// - A handler that throws fails the invocation: the error reaches the Runtime as an invocation error (API
///   Gateway then sends the client `{"message": "Internal server error", …}` and keeps the socket open).
///
/// Registering a route again replaces its handler.
public final class WebSocketRouter {
    /// A route handler.
    public typealias Handler = @Sendable (WebSocketRequest) async throws -> WebSocketResponse

    /// How messages are routed by their body; `$request.body.action` unless set.
    public var routeSelectionExpression: RouteSelectionExpression
    private var routes = RouteTable()

    public init(routeSelectionExpression: RouteSelectionExpression = .default) {
        self.routeSelectionExpression = routeSelectionExpression
    }

    /// Sets the handler of `route` (`.connect`, `.disconnect`, `.default` or a custom key).
    @discardableResult
    public func on(_ route: WebSocketRouteKey, _ handler: @escaping Handler) -> Self {
        routes.set(WebSocketRouterHandler.Route(key: route, handler: handler))
        return self
    }

    /// Sets the handler of `route`, called with the message body decoded as `Body` (JSON; binary frames are
    /// decoded from their bytes). A body that does not decode is answered `400` naming the field.
    @discardableResult
    public func on<Body: Decodable & Sendable>(
        _ route: WebSocketRouteKey, body: Body.Type, decoder: JSONDecoder = JSONDecoder(),
        _ handler: @escaping @Sendable (Body, WebSocketRequest) async throws -> WebSocketResponse
    ) -> Self {
        on(route) { request in
            let decoded: Body
            do throws(EventDecodingError) {
                decoded = try request.decodeBody(as: Body.self, decoder: decoder)
            } catch {
                return RouterReplies.invalidBody(error, request: request)
            }
            return try await handler(decoded, request)
        }
    }

    /// Sets the `$default` handler: messages whose body selects no known route, non-JSON and binary messages.
    @discardableResult
    public func onDefault(_ handler: @escaping Handler) -> Self {
        on(.default, handler)
    }

    /// The route keys that have handlers.
    public var registeredRoutes: Set<WebSocketRouteKey> { Set(routes.keys) }

    /// Freezes the routes into a `Sendable` handler; later changes to this router do not affect it.
    public func buildHandler() -> WebSocketRouterHandler {
        WebSocketRouterHandler(routes: routes, routeSelectionExpression: routeSelectionExpression)
    }
}
