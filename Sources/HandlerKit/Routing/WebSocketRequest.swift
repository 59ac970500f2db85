#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import Logging
public import Runtime

/// What a route handler receives: the event, the invocation's ``LambdaContext`` and the route it was
/// dispatched to.
public struct WebSocketRequest: Sendable {
    /// The API Gateway event.
    public let event: WebSocketEvent
    /// The invocation: request id, deadline, logger.
    public var context: LambdaContext
    /// The route the router dispatched this event to (`$default` for messages that matched nothing else).
    public let routeKey: WebSocketRouteKey

    public init(event: WebSocketEvent, context: LambdaContext, routeKey: WebSocketRouteKey) {
        self.event = event
        self.context = context
        self.routeKey = routeKey
    }

    /// The caller's connection id.
    public var connectionID: String { event.requestContext.connectionID }

    /// The invocation's logger (its lines carry the Lambda request id).
    public var logger: Logger { context.logger }

    /// The message body as sent (base64 for binary frames; see ``WebSocketEvent/decodedBody()``).
    public var body: String? { event.body }

    /// The message's `request_id`, echoed by ``reply(json:headers:)``.
    public var requestID: RequestID? {
        event.isBase64Encoded == true ? nil : RequestCorrelation.requestID(inBody: event.body)
    }

    /// Decodes the message body as JSON.
    /// - Throws: ``EventDecodingError`` whose `fieldPath` names the body field (`message`, `items[2].id`), or
    ///   is empty when the body is missing or not JSON.
    public func decodeBody<Body: Decodable>(
        as type: Body.Type = Body.self, decoder: JSONDecoder = JSONDecoder()
    ) throws(EventDecodingError) -> Body {
        let bytes = try event.decodedBody()
        guard !bytes.isEmpty else { throw EventDecodingError(fieldPath: "", reason: "the message has no body") }
        do {
            return try decoder.decode(Body.self, from: bytes)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                throw EventDecodingError(fieldPath: "", reason: "the message body is not valid JSON")
            }
            throw EventDecodingError(error)
        } catch {
            throw EventDecodingError(fieldPath: "", reason: String(describing: error))
        }
    }

    /// 200 with `value` as a JSON object that carries this message's `request_id` back, when it had one.
    public func reply(json value: some Encodable, headers: [String: String]? = nil) throws -> WebSocketResponse {
        try .ok(json: value, correlatedWith: requestID, headers: headers)
    }
}
