#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HandlerKit
import HandlerKitTesting
import Testing

@Suite struct TestingSupportTests {
    @Test func builtEventsWrittenToFilesLoadBackAndRoute() async throws {
        let events: [(WebSocketEventBuilder, String)] = [
            (WebSocketEventBuilder.connect().header("Cookie", "a=1").header("cookie", "b=2").query("tag", "x").query("tag", "y"), "$connect"),
            (WebSocketEventBuilder.connect().authorizer(principalID: "u", integrationLatency: 3, context: ["admin": true, "n": 2]), "$connect"),
            (WebSocketEventBuilder.message(#"{"action":"join"}"#), "join"),
            (WebSocketEventBuilder.binaryMessage([0xFF, 0x00]), "$default"),
            (WebSocketEventBuilder.disconnect(statusCode: 1006, reason: "abnormal"), "$disconnect"),
        ]
        let router = WebSocketRouter()
        for route in [WebSocketRouteKey.connect, .disconnect, .default, "join"] {
            router.on(route) { request in .ok(body: request.routeKey.rawValue) }
        }
        for (builder, route) in events {
            let path = FileManagerless.temporaryPath("event.json")
            try builder.write(toFile: path)
            let loaded = try WebSocketEvent(recordedAt: path)
            #expect(loaded == builder.build())
            try await router.buildHandler().invoke(recordedAt: path).expectStatus(200).expectBody(route)
        }
    }

    @Test func builderFillsTheFieldsOfEachEventType() throws {
        let connect = WebSocketEventBuilder.connect().header("Cookie", "a=1").header("Cookie", "b=2").build()
        #expect(connect.headerValues("cookie") == ["a=1", "b=2"])
        #expect(connect.requestContext.eventType == .connect)
        let binary = WebSocketEventBuilder.binaryMessage([0xFF, 0x00]).build()
        #expect(try binary.decodedBody() == Data([0xFF, 0x00]))
        let close = WebSocketEventBuilder.disconnect(statusCode: 1006, reason: "abnormal").build()
        #expect(close.requestContext.disconnectStatusCode == 1006)
        let json = try WebSocketEventBuilder.message(json: ["action": "join"]).build()
        #expect(json.requestContext.routeKey == "join")
        #expect(json.body == #"{"action":"join"}"#)
    }

    @Test func expectationsFailWithWhatDiffers() {
        let response = WebSocketResponse.ok(body: "hello")
        let status = #expect(throws: ResponseExpectationError.self) { try response.expectStatus(404) }
        #expect(status?.description == "expected status 404, got 200 (body: hello)")
        let body = #expect(throws: ResponseExpectationError.self) { try response.expectBody("bye") }
        #expect(body?.description == "expected body 'bye', got 'hello'")
        #expect(throws: ResponseExpectationError.self) { try response.jsonBody(as: [String: Int].self) }
    }

    @Test func responseConveniences() throws {
        #expect(WebSocketResponse.ok == WebSocketResponse(statusCode: 200))
        #expect(WebSocketResponse.status(403).isSuccess == false)
        #expect(try WebSocketResponse.ok(json: ["url": "a/b"]).body == #"{"url":"a/b"}"#)
        let encoded = try JSONEncoder().encode(WebSocketResponse.ok(body: "x", headers: ["A": "b"]))
        #expect(try JSONDecoder().decode(WebSocketResponse.self, from: encoded) == .ok(body: "x", headers: ["A": "b"]))
    }
}
