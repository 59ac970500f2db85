#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HandlerKit
import HandlerKitTesting
import Runtime
import Testing

/// A typed handler over `WebSocketEvent` and `WebSocketResponse` reads and writes directly, like the router,
/// unless it is given a decoder or encoder of its own.
@Suite struct TypedHandlerTests {
    let handler = ClosureHandler { (event: WebSocketEvent, _: LambdaContext) -> WebSocketResponse in
        .ok(body: "a/b from \(event.connectionID)")
    }

    /// Valid for JSONDecoder (it never converts the unknown field's string), not for the direct reader.
    let laxEvent: Data = {
        var bytes = Array(#"{"unknown": "\#u{1}", "requestContext": {"routeKey": "$default", "#.utf8)
        bytes += Array(#""eventType": "MESSAGE", "connectionId": "c1"}}"#.utf8)
        return Data(bytes)
    }()

    @Test func directByDefault() async throws {
        let adapter = CodableLambdaAdapter(handler)
        let input = try JSONEncoder().encode(WebSocketEventBuilder.message("hi", connectionID: "c1").build())
        let output = try await adapter.handle(input, context: .testing())
        #expect(String(decoding: output, as: UTF8.self) == #"{"statusCode":200,"body":"a/b from c1"}"#)
        let error = await #expect(throws: EventDecodingError.self) {
            try await adapter.handle(laxEvent, context: .testing())
        }
        #expect(error?.fieldPath == "")
    }

    @Test func throughJSONDecoderAndEncoderWhenGiven() async throws {
        let adapter = CodableLambdaAdapter(handler, decoder: JSONDecoder(), encoder: JSONEncoder())
        let output = try await adapter.handle(laxEvent, context: .testing())
        #expect(try JSONDecoder().decode(WebSocketResponse.self, from: output) == .ok(body: "a/b from c1"))
        #expect(String(decoding: output, as: UTF8.self).contains(#"a\/b"#))  // JSONEncoder escapes slashes
    }
}
