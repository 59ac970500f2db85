import ChatApp
import HandlerKit
import HandlerKitTesting
import Testing

@Suite struct SendMessageRouteTests {
    @Test func deliversTheTextExactlyAsSent() async throws {
        let chat = ChatHarness()
        try await chat.connect("A=")
        try await chat.connect("B=")
        chat.clearPosts()
        let reply = try await chat.send(
            #"{"action":"sendMessage","connectionId":"A=","message":"Hi! :) \"quoted\" ünï ⚡","request_id":7}"#, from: "B=")
        #expect(reply == ["type": "sent", "connectionId": "A=", "request_id": .integer(7)])
        #expect(chat.posts == [.init(to: "A=", body: #"Hi! :) "quoted" ünï ⚡"#)])
        #expect(chat.transport.requests.last?.url == ChatHarness.managementEndpoint + "/@connections/A%3D")
    }

    @Test func aGoneTargetIsReportedAndRemoved() async throws {
        let chat = ChatHarness(gone: ["A="])
        try await chat.connect("A=")
        try await chat.connect("B=")
        let reply = try await chat.send(#"{"action":"sendMessage","connectionId":"A=","message":"hi","request_id":"x"}"#, from: "B=")
        #expect(reply["error"] == "gone")
        #expect(reply["field"] == "connectionId")
        #expect(reply["request_id"] == "x")
        #expect(try await chat.store.connection("A=") == nil)
        #expect(try await chat.store.subscribers(of: "General") == ["B="])
    }

    @Test func anotherFailureIsReportedAndTheTargetKept() async throws {
        let chat = ChatHarness(forbidden: ["A="])
        try await chat.connect("A=")
        let reply = try await chat.send(#"{"action":"sendMessage","connectionId":"A=","message":"hi"}"#, from: "B=")
        #expect(reply["error"] == "deliveryFailed")
        #expect(reply["message"]?.stringValue?.contains("ForbiddenException") == true)
        #expect(try await chat.store.connection("A=") != nil)
    }

    @Test(arguments: [
        (#"{"action":"sendMessage","message":"hi"}"#, "missingField", "connectionId"),
        (#"{"action":"sendMessage","connectionId":"A="}"#, "missingField", "message"),
        (#"{"action":"sendMessage","connectionId":5,"message":"hi"}"#, "invalidField", "connectionId"),
        (#"{"action":"sendMessage","connectionId":"A=","message":["hi"]}"#, "invalidField", "message"),
        (#"{"action":"sendMessage","connectionId":"A=","message":null}"#, "invalidField", "message"),
        (#"{"action":"sendMessage","connectionId":"","message":"hi"}"#, "invalidField", "connectionId"),
        (#"{"action":"sendMessage","connectionId":"a b","message":"hi"}"#, "invalidField", "connectionId"),
        (#"{"action":"sendMessage","connectionId":"a\tb","message":"hi"}"#, "invalidField", "connectionId"),
        (#"{"action":"sendMessage","connectionId":"a\u007fb","message":"hi"}"#, "invalidField", "connectionId"),
        (#"{"action":"sendMessage","connectionId":"a\u00a0b","message":"hi"}"#, "invalidField", "connectionId"),
        (#"{"action":"sendMessage","connectionId":"a\u2028b","message":"hi"}"#, "invalidField", "connectionId"),
        (#"{"action":"sendMessage","connectionId":"a\u0085b","message":"hi"}"#, "invalidField", "connectionId"),
        (#"{"action":"sendMessage","connectionId":"A=","message":""}"#, "invalidField", "message"),
    ])
    func badRequestsNameTheField(_ body: String, _ code: String, _ field: String) async throws {
        let chat = ChatHarness()
        let reply = try await chat.send(body, from: "B=")
        #expect(reply["type"] == "error")
        #expect(reply["error"] == .string(code))
        #expect(reply["field"] == .string(field))
        #expect(reply["message"]?.stringValue?.contains("\"\(field)\"") == true)
        #expect(chat.posts.isEmpty)
    }

    @Test func oversizedMessagesAreRefused() async throws {
        let chat = ChatHarness(configuration: ChatConfiguration(maxMessageBytes: 100))
        let fits = String(repeating: "é", count: 50)  // 100 bytes
        #expect(try await chat.send(#"{"action":"sendMessage","connectionId":"A=","message":"\#(fits)"}"#, from: "B=")["type"] == "sent")
        let reply = try await chat.send(#"{"action":"sendMessage","connectionId":"A=","message":"\#(fits)x","request_id":3}"#, from: "B=")
        #expect(reply["error"] == "messageTooLarge")
        #expect(reply["limit"] == .integer(100))
        #expect(reply["request_id"] == .integer(3))
        #expect(reply["message"]?.stringValue?.contains("101 bytes") == true)
        #expect(chat.posts.count == 1)
    }
}

@Suite struct DefaultRouteTests {
    @Test func anUnknownActionListsTheKnownOnes() async throws {
        let chat = ChatHarness()
        let reply = try await chat.send(#"{"action":"dance","request_id":"d"}"#, from: "A=")
        #expect(reply["error"] == "unknownAction")
        #expect(reply["field"] == "action")
        #expect(reply["request_id"] == "d")
        #expect(reply["knownActions"] == .array(ChatService.knownActions.map { .string($0) }))
        #expect(reply["message"] == .string(#"Unknown action "dance". Known actions: whoAmI, sendMessage, subscribe, unsubscribe, channelMessage."#))
    }

    @Test(arguments: [
        ("this is not JSON", "invalidRequest", nil),
        (#"["action","whoAmI"]"#, "invalidRequest", nil),
        (#"{"message":"no action"}"#, "missingField", "action"),
        (#"{"action":5}"#, "invalidField", "action"),
    ] as [(String, String, String?)])
    func malformedMessagesAreExplained(_ body: String, _ code: String, _ field: String?) async throws {
        let chat = ChatHarness()
        let reply = try await chat.send(body, from: "A=")
        #expect(reply["error"] == .string(code))
        #expect(reply["field"] == field.map(JSONValue.string))
        #expect(reply["message"]?.stringValue?.contains("Known actions: whoAmI") == true)
    }

    /// A message naming `$connect` or `$disconnect` arrives with that route key (route selection picks the
    /// value, as the local gateway does), yet it is a message: it neither adds nor removes the connection.
    @Test(arguments: ["$disconnect", "$connect", "$default"])
    func messagesCannotActAsTheGatewaysRoutes(_ action: String) async throws {
        let chat = ChatHarness()
        try await chat.connect("A=")
        try await chat.connect("B=")
        chat.clearPosts()
        let event = WebSocketEventBuilder.message(#"{"action":"\#(action)","request_id":1}"#, connectionID: "A=")
        #expect(event.build().requestContext.routeKey == action)
        let reply = try await chat.invoke(event).expectStatus(200).jsonBody(as: [String: JSONValue].self)
        #expect(reply["error"] == "unknownAction")
        #expect(reply["message"]?.stringValue?.hasPrefix("Unknown action \"\(action)\"") == true)
        #expect(reply["request_id"] == 1)
        #expect(try await chat.store.channels(of: "A=") == ["General"], "the connection is untouched")
        #expect(chat.posts.isEmpty, "nobody is told A joined or left")
    }

    @Test func binaryFramesAreExplained() async throws {
        let chat = ChatHarness()
        let response = try await chat.invoke(.binaryMessage([0, 1, 2, 255], connectionID: "A="))
        let reply = try response.expectStatus(200).jsonBody(as: [String: JSONValue].self)
        #expect(reply["error"] == "invalidRequest")
        #expect(reply["message"]?.stringValue?.hasPrefix("Binary messages are not understood") == true)
    }

    /// A gateway integrated only on `$default` still reaches the chat's routes by `action`.
    @Test func messagesArrivingOnDefaultAreRoutedByAction() async throws {
        let chat = ChatHarness()
        let response = try await chat.invoke(.message(#"{"action":"whoAmI"}"#, routeKey: "$default", connectionID: "A="))
        #expect(try response.jsonBody(as: [String: JSONValue].self) == ["type": "whoAmI", "connectionId": "A="])
    }
}
