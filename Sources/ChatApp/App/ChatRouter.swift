#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import HandlerKit
import Logging
import Runtime
import Synchronization

/// The chat's routes on a HandlerKit ``WebSocketRouter``.
///
/// Message bodies are decoded here rather than by the router's typed routes, so that every bad request gets
/// the chat's own error reply (naming the field) with status 200, which API Gateway delivers to the client.
public enum ChatRouter {
    /// A router with every chat route.
    /// - Parameters:
    ///   - service: the chat's behaviour and store.
    ///   - messenger: how an invocation reaches other connections; by default a ``ManagementClient`` for the
    ///     API the event came from (see ``managementMessenger(environment:transport:)``).
    public static func make(
        service: ChatService,
        messenger: @escaping @Sendable (WebSocketRequest) -> any ChatMessenger = managementMessenger()
    ) -> WebSocketRouter {
        let router = WebSocketRouter()
        let call: @Sendable (WebSocketRequest) -> ChatService.Call = { request in
            ChatService.Call(connectionID: request.connectionID, messenger: messenger(request), logger: request.logger)
        }

        let unknownAction = answering { request in
            let body = try? request.event.decodedBody()
            return service.unknownAction(body: body, isBinary: request.event.isBase64Encoded == true).reply
        }

        // A message whose `action` is "$connect" or "$disconnect" may arrive with that route key; it is a
        // message, not the connection's opening or end, and must not add or remove the connection.
        router.on(.connect) { request in
            if request.event.requestContext.eventType == .message { return try await unknownAction(request) }
            let context = request.event.requestContext
            do {
                let outcome = try await service.connect(
                    call(request), token: request.event.queryParameter("token"),
                    connectedAt: context.connectedAt ?? context.requestTimeEpoch ?? 0,
                    sourceIP: context.identity?.sourceIP, userAgent: context.identity?.userAgent)
                return outcome == .accepted ? .ok : .status(401, body: "Unauthorized")
            } catch {
                request.logger.error("cannot record connection \(request.connectionID): \(error)")
                return .status(500, body: "The chat cannot record the connection")
            }
        }

        router.on(.disconnect) { request in
            if request.event.requestContext.eventType == .message { return try await unknownAction(request) }
            do {
                try await service.disconnect(call(request))
                return .ok
            } catch {
                request.logger.error("cannot remove connection \(request.connectionID): \(error)")
                return .status(500)
            }
        }

        router.on("whoAmI", answering { request in service.whoAmI(call(request)) })
        route(router, "sendMessage", SendMessageRequest.self) { (body, request) async throws(ChatError) in
            try await service.sendMessage(body, call(request))
        }
        route(router, "subscribe", ChannelRequest.self) { (body, request) async throws(ChatError) in
            try await service.subscribe(body, call(request))
        }
        route(router, "unsubscribe", ChannelRequest.self) { (body, request) async throws(ChatError) in
            try await service.unsubscribe(body, call(request))
        }
        route(router, "channelMessage", ChannelMessageRequest.self) { (body, request) async throws(ChatError) in
            try await service.channelMessage(body, call(request))
        }

        router.onDefault(unknownAction)
        return router
    }

    /// Registers an action whose body decodes as `Body`; decoding and chat errors become error replies.
    private static func route<Body: Decodable & Sendable>(
        _ router: WebSocketRouter, _ action: String, _ type: Body.Type,
        _ perform: @escaping @Sendable (Body, WebSocketRequest) async throws(ChatError) -> ChatReply
    ) {
        router.on(
            WebSocketRouteKey(rawValue: action),
            answering { request in
                do throws(ChatError) {
                    let body = try RequestDecoding.decode(Body.self, from: request.event.decodedBodyOrEmpty())
                    return try await perform(body, request)
                } catch {
                    return error.reply
                }
            })
    }

    /// A message handler that answers with `reply`'s result, carrying the message's `request_id` back.
    ///
    /// A `request_id` the reply cannot carry (`true`, an object) is answered with an error naming it before
    /// anything else happens; the handler itself never throws, so no message ends in API Gateway's
    /// "Internal server error".
    private static func answering(
        _ reply: @escaping @Sendable (WebSocketRequest) async -> ChatReply
    ) -> WebSocketRouter.Handler {
        { request in
            let requestID = request.requestID
            if request.event.isBase64Encoded != true,
                let problem = RequestIDCheck.problem(inBody: request.body, usable: requestID)
            {
                return respond(problem.reply, correlatedWith: nil, request)
            }
            return respond(await reply(request), correlatedWith: requestID, request)
        }
    }

    /// 200 with `reply` as JSON; should encoding ever fail, a 500 that is logged rather than thrown.
    private static func respond(_ reply: ChatReply, correlatedWith requestID: RequestID?, _ request: WebSocketRequest)
        -> WebSocketResponse
    {
        do {
            return try .ok(json: reply, correlatedWith: requestID)
        } catch {
            request.logger.error("cannot encode the \(reply.type) reply: \(error)")
            return .status(500, body: "The chat could not encode its reply")
        }
    }

    /// Messengers that post through the `@connections` API of the event's `domainName` and `stage` (or the
    /// endpoint override in `environment`, the process environment by default), signed with the credentials
    /// in `environment`.
    ///
    /// When credentials or region are missing, posts fail with a message naming the variables; the chat's
    /// replies still work.
    public static func managementMessenger(
        environment: [String: String]? = nil,
        transport: any HTTPTransport = CurlHTTPTransport.shared
    ) -> @Sendable (WebSocketRequest) -> any ChatMessenger {
        let environment = environment ?? LambdaEnvironment.processVariables()
        // One client per API and stage for the life of the process: its signing key and connections are
        // reused by every invocation.
        let clients = Mutex<[String: ManagementClient]>([:])
        return { request in
            let context = request.event.requestContext
            let key = (context.domainName ?? "") + "/" + (context.stage ?? "")
            if let client = clients.withLock({ $0[key] }) { return client }
            do throws(AWSConfigurationError) {
                let client = try ManagementClient(
                    domainName: context.domainName ?? "", stage: context.stage ?? "", environment: environment,
                    transport: transport)
                clients.withLock { $0[key] = client }
                return client
            } catch {
                return UnavailableMessenger(reason: "the management API cannot be called: \(error)")
            }
        }
    }
}

/// A messenger that cannot post, and says why.
struct UnavailableMessenger: ChatMessenger {
    var reason: String

    func post(_ payload: Data, to connectionID: String) async -> DeliveryOutcome { .failed(reason) }

    func broadcast(_ payload: Data, to connectionIDs: [String]) async -> BroadcastSummary {
        BroadcastSummary(failed: Dictionary(uniqueKeysWithValues: connectionIDs.map { ($0, reason) }))
    }
}

extension WebSocketEvent {
    /// The body's bytes (decoded from base64 for binary frames); empty when absent or undecodable.
    fileprivate func decodedBodyOrEmpty() -> Data {
        (try? decodedBody()) ?? Data()
    }
}
