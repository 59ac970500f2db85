#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HandlerKit
import HandlerKitTesting
import Testing

/// The router writes its responses with a direct encoder; `JSONDecoder` must read back what was returned.
@Suite struct ResponseEncodingTests {
    @Test func okIsTheSmallestResponse() {
        #expect(String(decoding: WebSocketResponse.ok.encodedJSON(), as: UTF8.self) == #"{"statusCode":200}"#)
    }

    @Test func membersComeInDeclarationOrderWithSortedHeaders() {
        let response = WebSocketResponse(
            statusCode: -1, body: "a/b", headers: ["b": "2", "a": "1", "C": "3"], isBase64Encoded: false)
        #expect(
            String(decoding: response.encodedJSON(), as: UTF8.self)
                == #"{"statusCode":-1,"body":"a/b","headers":{"C":"3","a":"1","b":"2"},"isBase64Encoded":false}"#)
    }

    @Test(arguments: [
        "", "plain", #"{"action":"x","quote":"\"","slash":"\\"}"#, "tab\tnewline\ncr\rff\u{C}bs\u{8}",
        "nul \u{0} unit \u{1F} del \u{7F}", "café 😀 ✓ \u{2028}\u{2029}", String(repeating: "x", count: 70_000),
        String((0..<0x80).map { Character(Unicode.Scalar(UInt8($0))) }),
    ])
    func everyBodyReadsBack(_ body: String) throws {
        for response in [
            WebSocketResponse.ok(body: body),
            WebSocketResponse(statusCode: 201, body: body, headers: [body: body, "X-Other": "v"], isBase64Encoded: true),
            WebSocketResponse.status(Int.min, body: body), WebSocketResponse.status(Int.max),
        ] {
            let encoded = response.encodedJSON()
            #expect(try JSONDecoder().decode(WebSocketResponse.self, from: encoded) == response)
            let viaEncoder = try JSONDecoder().decode([String: JSONValue].self, from: JSONEncoder().encode(response))
            #expect(try JSONDecoder().decode([String: JSONValue].self, from: encoded) == viaEncoder)
        }
    }

    @Test func theRouterAnswersWithTheEncodedResponse() async throws {
        let router = WebSocketRouter()
        router.on("sendMessage") { _ in .ok(body: "sent \"it\"", headers: ["K": "V"]) }
        let input = try JSONEncoder().encode(WebSocketEventBuilder.message(#"{"action":"sendMessage"}"#).build())
        let output = try await router.buildHandler().handle(input, context: .testing())
        #expect(String(decoding: output, as: UTF8.self) == #"{"statusCode":200,"body":"sent \"it\"","headers":{"K":"V"}}"#)
    }
}
