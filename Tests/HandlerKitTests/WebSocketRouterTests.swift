#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HandlerKit
import HandlerKitTesting
import Runtime
import Testing

@Suite struct WebSocketRouterTests {
    struct SendMessage: Decodable, Sendable {
        var connectionId: String
        var message: String
    }

    struct Echo: Codable, Equatable {
        var route: String
        var connectionId: String
    }

    /// A router whose every route answers with its own name, so tests see where an event went.
    static func namingRouter(withDefault: Bool = true) -> WebSocketRouter {
        let router = WebSocketRouter()
        for route in [WebSocketRouteKey.connect, .disconnect, "sendMessage", "join"] {
            router.on(route) { request in
                try .ok(json: Echo(route: request.routeKey.rawValue, connectionId: request.connectionID))
            }
        }
        if withDefault {
            router.onDefault { request in
                try .ok(json: Echo(route: "$default", connectionId: request.connectionID))
            }
        }
        return router
    }

    @Test(arguments: [
        (Fixture.connect, "$connect"),
        (Fixture.connectAuthorizer, "$connect"),
        (Fixture.connectMultiValueHeaders, "$connect"),
        (Fixture.message, "sendMessage"),
        (Fixture.binaryMessage, "$default"),
        (Fixture.nonJSONMessage, "$default"),
        (Fixture.largeMessage, "sendMessage"),
        (Fixture.disconnect, "$disconnect"),
    ])
    func everyFixtureReachesItsRoute(fixture: Fixture, route: String) async throws {
        let handler = Self.namingRouter().buildHandler()
        let event = try WebSocketEvent(recordedAt: fixture.path)
        #expect(handler.route(for: event)?.rawValue == route)
        let response = try await handler.invoke(recordedAt: fixture.path)
        try response.expectStatus(200)
        #expect(try response.jsonBody(as: Echo.self) == Echo(route: route, connectionId: event.connectionID))
    }

    @Test func connectAndDisconnectIgnoreTheBody() async throws {
        let handler = Self.namingRouter().buildHandler()
        let connect = WebSocketEventBuilder.connect().with { $0.body = #"{"action": "join"}"# }
        #expect(try await handler.invoke(connect).jsonBody(as: Echo.self).route == "$connect")
        let disconnect = WebSocketEventBuilder.disconnect().with { $0.body = #"{"action": "join"}"# }
        #expect(try await handler.invoke(disconnect).jsonBody(as: Echo.self).route == "$disconnect")
    }

    @Test func defaultRouteKeyIsReselectedFromTheBody() async throws {
        // An API that integrates only $default delivers every message with routeKey $default.
        let event = WebSocketEventBuilder.message(#"{"action": "join"}"#, routeKey: "$default")
        let response = try await Self.namingRouter().invoke(event)
        #expect(try response.jsonBody(as: Echo.self).route == "join")
        // The body cannot pick a reserved route.
        let sneaky = WebSocketEventBuilder.message(#"{"action": "$connect"}"#, routeKey: "$default")
        #expect(try await Self.namingRouter().invoke(sneaky).jsonBody(as: Echo.self).route == "$default")
    }

    @Test func aMessageNeverReachesTheConnectionRoutes() async throws {
        // A gateway that routed a body's "$connect" as the route key: the event is still a MESSAGE.
        for key in ["$connect", "$disconnect"] {
            let message = WebSocketEventBuilder.message(#"{"action": "\#(key)"}"#, routeKey: key)
            #expect(try await Self.namingRouter().invoke(message).jsonBody(as: Echo.self).route == "$default")
        }
        // Without $default, such a message gets the router's no-route reply rather than a silent 200.
        let message = WebSocketEventBuilder.message(#"{"action": "$disconnect"}"#, routeKey: "$disconnect")
        #expect(try await Self.namingRouter(withDefault: false).invoke(message).statusCode == 404)
    }

    @Test func customExpressionRoutesByNestedKey() async throws {
        let router = Self.namingRouter()
        router.routeSelectionExpression = try RouteSelectionExpression("$request.body.meta.type")
        let event = WebSocketEventBuilder.message(#"{"action": "sendMessage", "meta": {"type": "join"}}"#, routeKey: "$default")
        #expect(try await router.invoke(event).jsonBody(as: Echo.self).route == "join")
    }

    @Test func noRouteAndNoDefaultIsA404NamingTheSelection() async throws {
        let router = Self.namingRouter(withDefault: false)
        let event = WebSocketEventBuilder.message(#"{"action": "dance", "request_id": 9}"#)
        let response = try await router.invoke(event)
        try response.expectStatus(404)
        struct NoRoute: Decodable { var message: String; var selected: String?; var connectionId: String; var request_id: Int? }
        let reply = try response.jsonBody(as: NoRoute.self)
        #expect(reply.message == "No route for this message")
        #expect(reply.selected == "dance")
        #expect(reply.connectionId == WebSocketEventBuilder.defaultConnectionID)
        #expect(reply.request_id == 9)
    }

    @Test func connectWithoutAHandlerIsAccepted() async throws {
        let router = WebSocketRouter().on("sendMessage") { _ in .ok }
        try await router.invoke(WebSocketEventBuilder.connect()).expectStatus(200)
        try await router.invoke(WebSocketEventBuilder.disconnect()).expectStatus(200)
    }

    @Test func connectRejectionIsANon2xxResponse() async throws {
        let router = WebSocketRouter().on(.connect) { request in
            request.event.queryParameter("token") == "s3cret" ? .ok : .status(401)
        }
        try await router.invoke(WebSocketEventBuilder.connect().query("token", "s3cret")).expectStatus(200)
        try await router.invoke(WebSocketEventBuilder.connect().query("token", "nope")).expectStatus(401)
        try await router.invoke(WebSocketEventBuilder.connect()).expectStatus(401)
    }

    @Test func typedBodyReachesTheHandler() async throws {
        let router = WebSocketRouter().on("sendMessage", body: SendMessage.self) { body, request in
            try request.reply(json: ["to": body.connectionId, "echo": body.message])
        }
        let response = try await router.buildHandler().invoke(recordedAt: Fixture.message.path)
        try response.expectStatus(200)
        #expect(try response.jsonBody(as: [String: String].self) == [
            "request_id": "r-17", "to": "L0Tq1d5lvHcCEhA=", "echo": "hello été 😀",
        ])
    }

    @Test(arguments: [
        (#"{"action": "sendMessage", "connectionId": "a"}"#, "message"),
        (#"{"action": "sendMessage", "connectionId": 5, "message": "m"}"#, "connectionId"),
    ])
    func typedBodyThatDoesNotDecodeIsA400NamingTheField(body: String, field: String) async throws {
        let router = WebSocketRouter().on("sendMessage", body: SendMessage.self) { _, _ in
            Issue.record("the handler must not run")
            return .ok
        }
        let response = try await router.invoke(WebSocketEventBuilder.message(body))
        try response.expectStatus(400)
        struct Invalid: Decodable { var message: String; var field: String? }
        let reply = try response.jsonBody(as: Invalid.self)
        #expect(reply.field == field)
        #expect(reply.message.hasPrefix("Invalid message body: \(field): "))
    }

    @Test func typedBodyOnANonJSONMessageIsA400() async throws {
        let router = WebSocketRouter().on(.default, body: SendMessage.self) { _, _ in .ok }
        let response = try await router.buildHandler().invoke(recordedAt: Fixture.nonJSONMessage.path)
        try response.expectStatus(400)
        #expect(response.body?.contains("not valid JSON") == true)
    }

    struct Boom: Error, LambdaReportableError {
        var errorType: String { "Boom" }
        var errorMessage: String { "the handler failed" }
    }

    @Test func handlerErrorsFailTheInvocation() async throws {
        let router = WebSocketRouter().onDefault { _ in throw Boom() }
        await #expect(throws: Boom.self) { try await router.invoke(WebSocketEventBuilder.message("hi")) }
    }

    @Test func malformedEventFailsTheInvocationNamingTheField() async throws {
        let handler = WebSocketRouter().onDefault { _ in .ok }.buildHandler()
        let input = Data(#"{"requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": null}}"#.utf8)
        let error = await #expect(throws: EventDecodingError.self) { try await handler.handle(input, context: .testing()) }
        #expect(error?.fieldPath == "requestContext.connectionId")
    }

    @Test func builtHandlerIsFrozen() async throws {
        let router = WebSocketRouter().onDefault { _ in .ok(body: "first") }
        let handler = router.buildHandler()
        router.onDefault { _ in .ok(body: "second") }
        try await handler.invoke(WebSocketEventBuilder.message("x")).expectBody("first")
        try await router.invoke(WebSocketEventBuilder.message("x")).expectBody("second")
    }

    @Test func everyRouteOfALargeTableIsFoundWhateverTheRegistrationOrder() async throws {
        // Keys registered out of order (the table keeps them sorted), one of them twice (the last one wins).
        let keys = (0..<40).map { "route\(($0 * 17) % 40)" } + ["Zeta", "alpha", "ä-umlaut", "route7"]
        let router = WebSocketRouter()
        for (position, key) in keys.enumerated() {
            router.on(WebSocketRouteKey(key)) { _ in .ok(body: "\(key)#\(position)") }
        }
        router.onDefault { _ in .ok(body: "default") }
        #expect(router.registeredRoutes.count == 44)
        let handler = router.buildHandler()
        for key in Set(keys) {
            let last = keys.lastIndex(of: key)!
            try await handler.invoke(WebSocketEventBuilder.message("x", routeKey: key)).expectBody("\(key)#\(last)")
        }
        // Keys that sort before, between and after the registered ones go to $default.
        for unknown in ["A", "route", "route10a", "route4", "zzz", "route39x"] where !keys.contains(unknown) {
            try await handler.invoke(WebSocketEventBuilder.message("x", routeKey: unknown)).expectBody("default")
        }
    }

    @Test func handlerSeesTheLambdaContext() async throws {
        let router = WebSocketRouter().onDefault { request in .ok(body: request.context.requestID) }
        let response = try await router.invoke(WebSocketEventBuilder.message("x"), context: .testing(requestID: "req-1"))
        try response.expectBody("req-1")
    }
}
