#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HandlerKit
import Testing

@Suite struct CorrelationTests {
    struct Reply: Encodable { var text: String }

    @Test(arguments: [
        (#"{"request_id": "r-1", "action": "x"}"#, RequestID.string("r-1")),
        (#"{"action": "x", "request_id": 17}"#, RequestID.integer(17)),
        (#"{"request_id": 2.5}"#, RequestID.number(2.5)),
    ])
    func readsRequestID(body: String, expected: RequestID) {
        #expect(RequestCorrelation.requestID(inBody: body) == expected)
    }

    /// `1e400` overflows a `Double`: echoing it would fail to encode, so it is no request id at all.
    @Test(arguments: [
        #"{"request_id": true}"#, #"{"nested": {"request_id": "x"}}"#, "request_id", #"{}"#, #"{"request_id": 1e400}"#,
        #"{"request_id": -1e400}"#,
    ])
    func noRequestIDUnlessTopLevelStringOrNumber(body: String) {
        #expect(RequestCorrelation.requestID(inBody: body) == nil)
    }

    @Test func replyCarriesTheIDBackInItsOriginalType() throws {
        let withString = try WebSocketResponse.ok(json: Reply(text: "hi"), correlatedWith: .string("r-1"))
        #expect(withString.body == #"{"request_id":"r-1","text":"hi"}"#)
        let withNumber = try WebSocketResponse.ok(json: Reply(text: "hi"), correlatedWith: .integer(17))
        #expect(withNumber.body == #"{"request_id":17,"text":"hi"}"#)
        let without = try WebSocketResponse.ok(json: Reply(text: "hi"), correlatedWith: nil)
        #expect(without.body == #"{"text":"hi"}"#)
        let empty = try WebSocketResponse.ok(json: [String: String](), correlatedWith: .string("e"))
        #expect(empty.body == #"{"request_id":"e"}"#)
    }

    @Test func nonObjectPayloadsCannotCarryAnID() {
        #expect(throws: RequestCorrelationError.self) {
            try WebSocketResponse.ok(json: ["a", "b"], correlatedWith: .string("r"))
        }
        #expect(throws: Never.self) { try WebSocketResponse.ok(json: ["a", "b"], correlatedWith: nil) }
    }
}
