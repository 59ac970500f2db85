import ChatApp
import HandlerKit
import HandlerKitTesting
import Testing

/// The chat driven by recorded API Gateway events (the JSON files under `Fixtures/`): one connection's
/// whole life, as Lambda would deliver it.
@Suite struct RecordedEventTests {
    static let fixtures: String = {
        let file = #filePath
        let routes = file[..<file.lastIndex(of: "/")!]
        return String(routes[..<routes.lastIndex(of: "/")!]) + "/Fixtures"
    }()

    private func invoke(_ chat: ChatHarness, _ name: String) async throws -> WebSocketResponse {
        try await chat.handler.invoke(recordedAt: "\(Self.fixtures)/\(name).json")
    }

    @Test func aConnectionsLifeFromRecordedEvents() async throws {
        let chat = ChatHarness(configuration: ChatConfiguration(connectToken: "s3cret"))
        let bobby = "Ym9iYnktdGFibGVzPQ="
        try await chat.invoke(.connect(connectionID: "other=").query("token", "s3cret")).expectStatus(200)
        chat.clearPosts()

        try await invoke(chat, "connect-with-token").expectStatus(200)
        let record = try #require(try await chat.store.connection(bobby))
        #expect(record.sourceIP == "198.51.100.23")
        #expect(record.userAgent?.hasPrefix("Mozilla/5.0") == true)
        #expect(record.connectedAt == 1_795_683_677_000)
        #expect(try chat.notifications() == [.init(to: "other=", json: ["type": "joined", "channel": "General", "connectionId": .string(bobby)])])

        let subscribed = try await invoke(chat, "subscribe").expectStatus(200).jsonBody(as: [String: JSONValue].self)
        #expect(subscribed == ["type": "subscribed", "channel": "release-notes", "subscribers": 1, "changed": true, "request_id": "sub-1"])

        chat.clearPosts()
        let sent = try await invoke(chat, "channel-message").jsonBody(as: [String: JSONValue].self)
        #expect(sent == ["type": "channelMessageSent", "channel": "release-notes", "delivered": 1, "gone": 0, "failed": 0, "request_id": 2])
        #expect(chat.posts.map(\.to) == [bobby])
        #expect(chat.transport.requests.last?.url == ChatHarness.managementEndpoint + "/@connections/Ym9iYnktdGFibGVzPQ%3D")

        let unknown = try await invoke(chat, "unknown-action").jsonBody(as: [String: JSONValue].self)
        #expect(unknown["error"] == "unknownAction")
        #expect(unknown["message"]?.stringValue?.hasPrefix(#"Unknown action "sendMesage""#) == true)

        chat.clearPosts()
        try await invoke(chat, "disconnect").expectStatus(200)
        #expect(try await chat.store.connection(bobby) == nil)
        #expect(try await chat.store.subscribers(of: "release-notes") == [])
        #expect(try chat.notifications() == [.init(to: "other=", json: ["type": "left", "channel": "General", "connectionId": .string(bobby)])])
    }

    /// The routes the connection's life above does not visit, each from its recorded event.
    @Test func theOtherRoutesFromRecordedEvents() async throws {
        let chat = ChatHarness()
        let bobby = "Ym9iYnktdGFibGVzPQ="
        let other = "b3RoZXI9"
        try await chat.connect(other)
        try await invoke(chat, "connect-with-token").expectStatus(200)
        chat.clearPosts()

        let whoAmI = try await invoke(chat, "whoami").expectStatus(200).jsonBody(as: [String: JSONValue].self)
        #expect(whoAmI == ["type": "whoAmI", "connectionId": .string(bobby), "request_id": "who-1"])
        #expect(chat.posts.isEmpty)

        let sent = try await invoke(chat, "send-message").expectStatus(200).jsonBody(as: [String: JSONValue].self)
        #expect(sent == ["type": "sent", "connectionId": .string(other), "request_id": "dm-1"])
        #expect(chat.posts == [.init(to: other, body: "Hi! :)")])
        #expect(chat.transport.requests.last?.url == ChatHarness.managementEndpoint + "/@connections/b3RoZXI9")

        chat.clearPosts()
        let left = try await invoke(chat, "unsubscribe").expectStatus(200).jsonBody(as: [String: JSONValue].self)
        #expect(left == ["type": "unsubscribed", "channel": "General", "subscribers": 1, "changed": true, "request_id": 3])
        #expect(try chat.notifications() == [.init(to: other, json: ["type": "left", "channel": "General", "connectionId": .string(bobby)])])
        #expect(try await chat.store.channels(of: bobby) == [])

        chat.clearPosts()
        let notJSON = try await invoke(chat, "not-json").expectStatus(200).jsonBody(as: [String: JSONValue].self)
        #expect(notJSON["error"] == "invalidRequest")
        #expect(notJSON["knownActions"] == .array(ChatService.knownActions.map { .string($0) }))
        #expect(chat.posts.isEmpty)
    }
}
