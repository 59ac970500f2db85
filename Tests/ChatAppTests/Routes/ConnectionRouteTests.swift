import ChatApp
import HandlerKit
import HandlerKitTesting
import Testing

@Suite struct ConnectionRouteTests {
    @Test func connectRecordsTheConnectionAndJoinsGeneral() async throws {
        let chat = ChatHarness()
        try await chat.invoke(.connect(connectionID: "A=").header("User-Agent", "websocat/1.13")).expectStatus(200)

        let record = try #require(try await chat.store.connection("A="))
        #expect(record.connectedAt == WebSocketEventBuilder.defaultConnectedAt)
        #expect(record.sourceIP == "127.0.0.1")
        #expect(record.userAgent == "HandlerKitTesting")
        #expect(try await chat.store.channels(of: "A=") == ["General"])
        #expect(chat.posts.isEmpty, "nobody else is in General; the new connection itself cannot be posted to yet")
    }

    @Test func connectTellsTheOtherGeneralSubscribers() async throws {
        let chat = ChatHarness()
        try await chat.connect("A=")
        try await chat.connect("B=")
        chat.clearPosts()
        try await chat.connect("C+/x=")

        #expect(try chat.notifications() == [
            .init(to: "A=", json: ["type": "joined", "channel": "General", "connectionId": "C+/x="]),
            .init(to: "B=", json: ["type": "joined", "channel": "General", "connectionId": "C+/x="]),
        ])
        // The connection id is percent-encoded in the path, `=` included.
        #expect(chat.transport.requests.allSatisfy { $0.url.hasPrefix(ChatHarness.managementEndpoint + "/@connections/") })
        #expect(chat.transport.requests.contains { $0.url.hasSuffix("/@connections/A%3D") })
        #expect(chat.transport.requests.allSatisfy { $0.header("Authorization")?.contains("/execute-api/aws4_request") == true })
    }

    @Test func aConfiguredTokenIsRequired() async throws {
        let chat = ChatHarness(configuration: ChatConfiguration(connectToken: "s3cret"))
        try await chat.invoke(.connect(connectionID: "none=")).expectStatus(401)
        try await chat.invoke(.connect(connectionID: "wrong=").query("token", "s3creT")).expectStatus(401)
        try await chat.invoke(.connect(connectionID: "longer=").query("token", "s3cret2")).expectStatus(401)
        try await chat.invoke(.connect(connectionID: "right=").query("token", "s3cret")).expectStatus(200)

        #expect(try await chat.store.connection("none=") == nil)
        #expect(try await chat.store.connection("wrong=") == nil)
        #expect(try await chat.store.subscribers(of: "General") == ["right="])
    }

    @Test func withoutATokenConfiguredAnyTokenIsIgnored() async throws {
        let chat = ChatHarness()
        try await chat.invoke(.connect(connectionID: "A=").query("token", "whatever")).expectStatus(200)
    }

    @Test func aStoreFailureRejectsTheConnection() async throws {
        let chat = ChatHarness(store: FailingStore())
        let response = try await chat.invoke(.connect(connectionID: "A="))
        #expect(response.statusCode == 500)
    }

    @Test func disconnectRemovesEverythingAndTellsEachChannel() async throws {
        let chat = ChatHarness()
        for id in ["A=", "B=", "C="] { try await chat.connect(id) }
        _ = try await chat.send(#"{"action":"subscribe","channel":"swift"}"#, from: "A=")
        _ = try await chat.send(#"{"action":"subscribe","channel":"swift"}"#, from: "B=")
        chat.clearPosts()

        try await chat.invoke(.disconnect(statusCode: 1001, reason: "Going away", connectionID: "A=")).expectStatus(200)

        #expect(try await chat.store.connection("A=") == nil)
        #expect(try await chat.store.channels(of: "A=") == [])
        #expect(try await chat.store.subscribers(of: "General") == ["B=", "C="])
        #expect(try await chat.store.subscribers(of: "swift") == ["B="])
        #expect(try chat.notifications().sorted { "\($0.to)\($0.json["channel"]!)" < "\($1.to)\($1.json["channel"]!)" } == [
            .init(to: "B=", json: ["type": "left", "channel": "General", "connectionId": "A="]),
            .init(to: "B=", json: ["type": "left", "channel": "swift", "connectionId": "A="]),
            .init(to: "C=", json: ["type": "left", "channel": "General", "connectionId": "A="]),
        ])
    }

    @Test func disconnectOfAnUnknownConnectionIsHarmless() async throws {
        let chat = ChatHarness()
        try await chat.invoke(.disconnect(connectionID: "never-seen=")).expectStatus(200)
        #expect(chat.posts.isEmpty)
    }

    @Test func whoAmIEchoesTheRequestID() async throws {
        let chat = ChatHarness()
        try await chat.connect("A=")
        #expect(try await chat.send(#"{"action":"whoAmI"}"#, from: "A=") == ["type": "whoAmI", "connectionId": "A="])
        #expect(
            try await chat.send(#"{"action":"whoAmI","request_id":"r-1"}"#, from: "A=")
                == ["type": "whoAmI", "connectionId": "A=", "request_id": "r-1"])
        #expect(try await chat.send(#"{"action":"whoAmI","request_id":42}"#, from: "A=")["request_id"] == .integer(42))
        #expect(try await chat.send(#"{"action":"whoAmI","request_id":1.5}"#, from: "A=")["request_id"] == .number(1.5))
    }
}

/// A store that is down.
struct FailingStore: ConnectionStore {
    struct Down: Error {}
    func addConnection(_ connection: ConnectionRecord) async throws { throw Down() }
    func connection(_ connectionID: String) async throws -> ConnectionRecord? { throw Down() }
    func removeConnection(_ connectionID: String) async throws -> [String] { throw Down() }
    func subscribe(_ connectionID: String, to channel: String) async throws -> Bool { throw Down() }
    func unsubscribe(_ connectionID: String, from channel: String) async throws -> Bool { throw Down() }
    func subscribers(of channel: String) async throws -> [String] { throw Down() }
    func channels(of connectionID: String) async throws -> [String] { throw Down() }
}
