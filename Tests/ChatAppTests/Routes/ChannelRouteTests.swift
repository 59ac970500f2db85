import ChatApp
import HandlerKit
import HandlerKitTesting
import Testing

@Suite struct ChannelRouteTests {
    /// A, B and C connected (all in General), posts cleared.
    private func threeUsers(gone: Set<String> = [], forbidden: Set<String> = []) async throws -> ChatHarness {
        let chat = ChatHarness(gone: gone, forbidden: forbidden)
        for id in ["A=", "B=", "C="] { try await chat.connect(id) }
        chat.clearPosts()
        return chat
    }

    @Test func subscribeCreatesTheChannelAndTellsTheOthers() async throws {
        let chat = try await threeUsers()
        #expect(
            try await chat.send(#"{"action":"subscribe","channel":"swift ⚡","request_id":1}"#, from: "A=")
                == ["type": "subscribed", "channel": "swift ⚡", "subscribers": 1, "changed": true, "request_id": 1])
        #expect(chat.posts.isEmpty, "nobody else in the new channel")

        #expect(try await chat.send(#"{"action":"subscribe","channel":"swift ⚡"}"#, from: "B=")["subscribers"] == 2)
        #expect(try chat.notifications() == [.init(to: "A=", json: ["type": "joined", "channel": "swift ⚡", "connectionId": "B="])])

        chat.clearPosts()
        let again = try await chat.send(#"{"action":"subscribe","channel":"swift ⚡"}"#, from: "B=")
        #expect(again["changed"] == false)
        #expect(again["subscribers"] == 2)
        #expect(chat.posts.isEmpty, "a repeated subscribe announces nothing")
        #expect(try await chat.store.subscribers(of: "swift ⚡") == ["A=", "B="])
    }

    @Test func unsubscribeTellsTheRemainingSubscribers() async throws {
        let chat = try await threeUsers()
        let reply = try await chat.send(#"{"action":"unsubscribe","channel":"General","request_id":"u"}"#, from: "B=")
        #expect(reply == ["type": "unsubscribed", "channel": "General", "subscribers": 2, "changed": true, "request_id": "u"])
        #expect(try chat.notifications() == [
            .init(to: "A=", json: ["type": "left", "channel": "General", "connectionId": "B="]),
            .init(to: "C=", json: ["type": "left", "channel": "General", "connectionId": "B="]),
        ])
        chat.clearPosts()
        let notMember = try await chat.send(#"{"action":"unsubscribe","channel":"elsewhere"}"#, from: "B=")
        #expect(notMember == ["type": "unsubscribed", "channel": "elsewhere", "subscribers": 0, "changed": false])
        #expect(chat.posts.isEmpty)
    }

    @Test func channelMessagesReachEverySubscriberIncludingTheSender() async throws {
        let chat = try await threeUsers()
        let reply = try await chat.send(#"{"action":"channelMessage","channel":"General","message":"hello all","request_id":9}"#, from: "A=")
        #expect(reply == ["type": "channelMessageSent", "channel": "General", "delivered": 3, "gone": 0, "failed": 0, "request_id": 9])
        let expected: [String: JSONValue] = ["type": "channelMessage", "channel": "General", "connectionId": "A=", "message": "hello all"]
        #expect(try chat.notifications() == ["A=", "B=", "C="].map { .init(to: $0, json: expected) })
    }

    @Test func aJoinNoticeThatFindsASubscriberGoneRemovesIt() async throws {
        let chat = ChatHarness(gone: ["A="])
        try await chat.connect("A=")
        try await chat.connect("B=")
        #expect(try await chat.store.connection("A=") == nil)
        #expect(try await chat.store.subscribers(of: "General") == ["B="])
    }

    @Test func aChannelWithoutSubscribersDeliversToNobody() async throws {
        let chat = try await threeUsers()
        let reply = try await chat.send(#"{"action":"channelMessage","channel":"empty","message":"echo?"}"#, from: "A=")
        #expect(reply["delivered"] == 0)
        #expect(chat.posts.isEmpty)
    }

    @Test func goneSubscribersAreRemovedAndFailuresCounted() async throws {
        // C connects last, so no join notice has found it gone yet.
        let chat = try await threeUsers(gone: ["C="], forbidden: ["B="])
        #expect(try await chat.store.subscribers(of: "General") == ["A=", "B=", "C="])
        let reply = try await chat.send(#"{"action":"channelMessage","channel":"General","message":"anyone?"}"#, from: "A=")
        #expect(reply["delivered"] == 1)
        #expect(reply["gone"] == 1)
        #expect(reply["failed"] == 1)
        #expect(try await chat.store.connection("C=") == nil)
        #expect(try await chat.store.subscribers(of: "General") == ["A=", "B="], "a forbidden post is no reason to forget B")
    }

    @Test(arguments: [
        (#"{"action":"subscribe"}"#, "missingField", "channel"),
        (#"{"action":"subscribe","channel":7}"#, "invalidField", "channel"),
        (#"{"action":"subscribe","channel":"   "}"#, "invalidField", "channel"),
        (#"{"action":"unsubscribe","channel":"tab\there"}"#, "invalidField", "channel"),
        (#"{"action":"channelMessage","message":"hi"}"#, "missingField", "channel"),
        (#"{"action":"channelMessage","channel":"General"}"#, "missingField", "message"),
        (#"{"action":"channelMessage","channel":"General","message":true}"#, "invalidField", "message"),
    ])
    func badRequestsNameTheField(_ body: String, _ code: String, _ field: String) async throws {
        let chat = try await threeUsers()
        let reply = try await chat.send(body, from: "A=")
        #expect(reply["error"] == .string(code))
        #expect(reply["field"] == .string(field))
        #expect(chat.posts.isEmpty)
    }

    @Test func overlongChannelNamesAreRefused() async throws {
        let chat = try await threeUsers()
        let name = String(repeating: "c", count: 129)
        let reply = try await chat.send(#"{"action":"subscribe","channel":"\#(name)"}"#, from: "A=")
        #expect(reply["error"] == "invalidField")
        #expect(reply["message"]?.stringValue?.contains("128 bytes") == true)
    }

    @Test func oversizedChannelMessagesAreRefused() async throws {
        let chat = try await threeUsers()
        let big = String(repeating: "x", count: ChatConfiguration.defaultMaxMessageBytes + 1)
        let reply = try await chat.send(#"{"action":"channelMessage","channel":"General","message":"\#(big)"}"#, from: "A=")
        #expect(reply["error"] == "messageTooLarge")
        #expect(reply["limit"] == .integer(Int64(ChatConfiguration.defaultMaxMessageBytes)))
        #expect(chat.posts.isEmpty)
    }

    @Test func aStoreFailureIsAReplyNotACrash() async throws {
        let chat = ChatHarness(store: FailingStore())
        let reply = try await chat.send(#"{"action":"subscribe","channel":"General","request_id":1}"#, from: "A=")
        #expect(reply["error"] == "storeUnavailable")
        #expect(reply["request_id"] == 1)
    }
}
