@testable import ChatApp
import HandlerKit
import HandlerKitTesting
import Testing

/// Every reply to a message that carries `request_id` carries the same value back, errors included.
@Suite struct RequestIDTests {
    /// One request per route and per kind of reply, each with its own id.
    @Test(arguments: [
        (#"{"action":"whoAmI","request_id":"w"}"#, "whoAmI"),
        (#"{"action":"sendMessage","connectionId":"B=","message":"hi","request_id":"w"}"#, "sent"),
        (#"{"action":"sendMessage","connectionId":"gone=","message":"hi","request_id":"w"}"#, "gone"),
        (#"{"action":"sendMessage","connectionId":"forbidden=","message":"hi","request_id":"w"}"#, "deliveryFailed"),
        (#"{"action":"sendMessage","message":"hi","request_id":"w"}"#, "missingField"),
        (#"{"action":"sendMessage","connectionId":"B=","message":7,"request_id":"w"}"#, "invalidField"),
        (#"{"action":"subscribe","channel":"new","request_id":"w"}"#, "subscribed"),
        (#"{"action":"unsubscribe","channel":"General","request_id":"w"}"#, "unsubscribed"),
        (#"{"action":"channelMessage","channel":"General","message":"hi","request_id":"w"}"#, "channelMessageSent"),
        (#"{"action":"channelMessage","channel":"General","message":"\#(String(repeating: "x", count: 65))","request_id":"w"}"#,
         "messageTooLarge"),
        (#"{"action":"dance","request_id":"w"}"#, "unknownAction"),
        (#"{"action":7,"request_id":"w"}"#, "invalidField"),
        (#"{"request_id":"w"}"#, "missingField"),
        (#"{"action":"subscribe","channel":"\ud800","request_id":"w"}"#, "invalidRequest"),
    ])
    func everyReplyCarriesTheRequestID(_ body: String, _ kind: String) async throws {
        let chat = ChatHarness(configuration: ChatConfiguration(maxMessageBytes: 64), gone: ["gone="], forbidden: ["forbidden="])
        try await chat.connect("A=")
        try await chat.connect("B=")
        let reply = try await chat.send(body, from: "A=")
        #expect(reply["type"] == "error" ? reply["error"] == .string(kind) : reply["type"] == .string(kind), "\(reply)")
        #expect(reply["request_id"] == "w")
    }

    @Test func aStoreFailureCarriesTheRequestID() async throws {
        let chat = ChatHarness(store: FailingStore())
        for body in [
            #"{"action":"subscribe","channel":"x","request_id":5}"#,
            #"{"action":"unsubscribe","channel":"x","request_id":5}"#,
            #"{"action":"channelMessage","channel":"x","message":"m","request_id":5}"#,
        ] {
            let reply = try await chat.send(body, from: "A=")
            #expect(reply["error"] == "storeUnavailable")
            #expect(reply["request_id"] == 5)
        }
    }

    /// A `request_id` no reply can carry is named, before the request does anything.
    @Test(arguments: [
        #"{"action":"whoAmI","request_id":true}"#,
        #"{"action":"whoAmI","request_id":{"id":1}}"#,
        #"{"action":"sendMessage","connectionId":"B=","message":"hi","request_id":["x"]}"#,
        #"{"action":"subscribe","channel":"c","request_id":1e400}"#,
        #"{"action":"dance","request_id":false}"#,
    ])
    func anUnusableRequestIDIsNamed(_ body: String) async throws {
        let chat = ChatHarness()
        try await chat.connect("A=")
        try await chat.connect("B=")
        chat.clearPosts()
        let reply = try await chat.send(body, from: "A=")
        #expect(reply["type"] == "error")
        #expect(reply["error"] == "invalidField")
        #expect(reply["field"] == "request_id")
        #expect(reply["message"]?.stringValue?.contains(#""request_id" must be a string or a number"#) == true)
        #expect(reply["request_id"] == nil)
        #expect(chat.posts.isEmpty, "the request was not carried out")
        #expect(try await chat.store.subscribers(of: "c") == [])
    }

    @Test func aNullRequestIDIsNoRequestID() async throws {
        let chat = ChatHarness()
        let reply = try await chat.send(#"{"action":"whoAmI","request_id":null}"#, from: "A=")
        #expect(reply == ["type": "whoAmI", "connectionId": "A="])
    }

    /// Only the top-level field counts; a `request_id` inside the message text is just text.
    @Test func nestedOrQuotedRequestIDsAreNotChecked() async throws {
        let chat = ChatHarness()
        try await chat.connect("A=")
        let reply = try await chat.send(
            #"{"action":"channelMessage","channel":"General","message":"\"request_id\": true","meta":{"request_id":true}}"#,
            from: "A=")
        #expect(reply["type"] == "channelMessageSent")
        #expect(reply["request_id"] == nil)
    }
}

/// The byte filter in front of the request id check finds the field name wherever it is, and only there.
@Suite struct RequestIDFilterTests {
    @Test(arguments: [
        (#"{"request_id":true}"#, true), (#"{"a":1,"request_id":{}}"#, true), ("request_id", true),
        ("xrequest_idx", true), ("request_i", false), ("request-id", false), ("", false), ("é request_id", true),
        (String(repeating: "r", count: 100) + "request_id", true), (String(repeating: "request_i", count: 20), false),
    ])
    func findsTheFieldName(_ body: String, _ expected: Bool) {
        #expect(RequestIDCheck.mentionsField(body) == expected)
    }
}
