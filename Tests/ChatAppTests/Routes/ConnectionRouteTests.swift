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

    @Test func aConnectionThatCannotJoinGeneralIsRefusedAndForgotten() async throws {
        let store = PartlyFailingStore(failing: ["subscribe"])
        let chat = ChatHarness(store: store)
        try await chat.invoke(.connect(connectionID: "A=")).expectStatus(500)
        #expect(try await store.connection("A=") == nil, "API Gateway sends no $disconnect for a refused connection")
    }

    @Test func aJoinNoticeThatCannotBeSentDoesNotRefuseTheConnection() async throws {
        let store = PartlyFailingStore(failing: ["subscribers:General"])
        let chat = ChatHarness(store: store)
        try await chat.invoke(.connect(connectionID: "A=")).expectStatus(200)
        #expect(try await store.channels(of: "A=") == ["General"])
    }

    @Test func disconnectTellsTheOtherChannelsWhenOneCannotBeRead() async throws {
        let store = PartlyFailingStore(failing: ["subscribers:broken"])
        let chat = ChatHarness(store: store)
        for id in ["A=", "B="] { try await chat.connect(id) }
        try await store.subscribe("A=", to: "broken")
        try await store.subscribe("A=", to: "swift")
        try await store.subscribe("B=", to: "swift")
        chat.clearPosts()

        try await chat.invoke(.disconnect(connectionID: "A=")).expectStatus(200)
        #expect(try await store.channels(of: "A=") == [])
        #expect(try chat.notifications().map { $0.json["channel"] } == ["General", "swift"])
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

/// An in-memory store whose chosen operations fail: `"subscribe"`, `"subscribers"` (any channel) or
/// `"subscribers:<channel>"`.
struct PartlyFailingStore: ConnectionStore {
    struct Down: Error {}
    let inner = InMemoryConnectionStore()
    let failing: Set<String>

    private func check(_ operation: String, _ channel: String? = nil) throws {
        if failing.contains(operation) || channel.map({ failing.contains("\(operation):\($0)") }) == true { throw Down() }
    }

    func addConnection(_ connection: ConnectionRecord) async throws { try await inner.addConnection(connection) }
    func connection(_ connectionID: String) async throws -> ConnectionRecord? { try await inner.connection(connectionID) }
    func removeConnection(_ connectionID: String) async throws -> [String] { try await inner.removeConnection(connectionID) }
    @discardableResult
    func subscribe(_ connectionID: String, to channel: String) async throws -> Bool {
        try check("subscribe", channel)
        return try await inner.subscribe(connectionID, to: channel)
    }
    func unsubscribe(_ connectionID: String, from channel: String) async throws -> Bool {
        try await inner.unsubscribe(connectionID, from: channel)
    }
    func subscribers(of channel: String) async throws -> [String] {
        try check("subscribers", channel)
        return try await inner.subscribers(of: channel)
    }
    func channels(of connectionID: String) async throws -> [String] { try await inner.channels(of: connectionID) }
}
