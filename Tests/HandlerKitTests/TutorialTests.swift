// The README's tutorial ("Writing a WebSocket function in ten minutes"), compiled and run: the routes and the
// first three tests are the README's; the others go further.
import Foundation
import HandlerKit
import HandlerKitTesting
import Runtime
import Testing

// MARK: The app (README step 2)

/// `{"action":"shout","text":"hi"}`
struct Shout: Decodable, Sendable { var text: String }
/// The reply to a shout.
struct Shouted: Encodable { var type = "shouted"; var text: String }
/// `{"action":"poke","connectionId":"…"}`: the other connection receives `poke from <you>`.
struct Poke: Decodable, Sendable { var connectionId: String }

/// The routes. `management` gives the `@connections` client for a request; tests pass one over a recording
/// transport, production uses the event's own API and stage.
func makeShoutRouter(
    management: @escaping @Sendable (WebSocketRequest) throws -> ManagementClient = { try $0.management }
) -> WebSocketRouter {
    let router = WebSocketRouter()
    router.on(.connect) { request in
        request.event.queryParameter("name") == nil ? .status(401, body: "a name is required") : .ok
    }
    router.on(.disconnect) { _ in .ok }
    router.on("shout", body: Shout.self) { shout, request in
        try request.reply(json: Shouted(text: shout.text.uppercased()))
    }
    router.on("poke", body: Poke.self) { poke, request in
        do {
            let message = Data("poke from \(request.connectionID)".utf8)
            try await management(request).postToConnection(poke.connectionId, data: message)
            return try request.reply(json: ["type": "poked"])
        } catch let error as ManagementError where error.kind == .gone {
            return try request.reply(json: ["type": "gone"])
        }
    }
    router.onDefault { _ in .status(400, body: #"{"message":"unknown action"}"#) }
    return router
}

// MARK: Its tests (README step 4)

@Suite struct TutorialTests {
    @Test func connectNeedsAName() async throws {
        try await makeShoutRouter().invoke(.connect().query("name", "ada")).expectStatus(200)
        try await makeShoutRouter().invoke(.connect()).expectStatus(401)
    }

    @Test func shoutRepliesInCapitalsWithTheRequestID() async throws {
        let response = try await makeShoutRouter().invoke(.message(#"{"action":"shout","text":"hi","request_id":7}"#))
        let reply = try response.expectStatus(200).jsonBody(as: [String: JSONValue].self)
        #expect(reply["text"] == .string("HI"))
        #expect(reply["request_id"] == .integer(7))
        #expect(reply["type"] == .string("shouted"))
    }

    @Test func aShoutWithoutTextIsRefusedNamingTheField() async throws {
        let response = try await makeShoutRouter().invoke(.message(#"{"action":"shout"}"#))
        try response.expectStatus(400)
        #expect(response.body?.contains("text") == true)
    }

    @Test func pokePostsToTheOtherConnection() async throws {
        let transport = RecordingTransport()   // records requests, answers 200 (or what you script)
        let router = makeShoutRouter { _ in
            ManagementClient(endpoint: "https://abcdef1234.execute-api.us-east-1.amazonaws.com/dev",
                             signer: SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDTEST", secretAccessKey: "secret"),
                                                 region: "us-east-1", service: "execute-api"),
                             transport: transport)
        }
        try await router.invoke(.message(#"{"action":"poke","connectionId":"Other="}"#)).expectStatus(200)
        #expect(transport.requests.first?.url.hasSuffix("/@connections/Other%3D") == true)

        // Beyond the README: what was posted, and that it was signed.
        let post = try #require(transport.requests.first)
        #expect(post.method == "POST")
        #expect(String(decoding: post.body, as: UTF8.self) == "poke from \(WebSocketEventBuilder.defaultConnectionID)")
        #expect(post.header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDTEST/") == true)
    }

    @Test func aGoneConnectionIsReported() async throws {
        let transport = RecordingTransport(responses: [
            HTTPResponse(status: 410, headers: [("x-amzn-ErrorType", "GoneException")], body: Data(#"{"message":"Gone"}"#.utf8))
        ])
        let router = makeShoutRouter { _ in
            ManagementClient(
                endpoint: "https://example.execute-api.us-east-1.amazonaws.com/dev",
                signer: SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDTEST", secretAccessKey: "secret"),
                                    region: "us-east-1", service: "execute-api"),
                transport: transport)
        }
        let reply = try await router.invoke(.message(#"{"action":"poke","connectionId":"Old="}"#))
            .jsonBody(as: [String: JSONValue].self)
        #expect(reply["type"] == .string("gone"))
    }

    @Test func unknownActionsReachDefault() async throws {
        try await makeShoutRouter().invoke(.message(#"{"action":"dance"}"#)).expectStatus(400)
        try await makeShoutRouter().invoke(.message("not json")).expectStatus(400)
    }

    @Test func aRecordedEventRunsAsItsBytes() async throws {
        let path = #filePath.replacingOccurrences(of: "TutorialTests.swift", with: "Fixtures/disconnect.json")
        try await makeShoutRouter().buildHandler().invoke(recordedAt: path).expectStatus(200)
    }
}
