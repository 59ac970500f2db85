#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
@testable import HandlerKit
import Testing

/// `WebSocketResponse.read(from:)` (what the local gateway reads function responses with) accepts exactly what
/// `JSONDecoder` accepts, with the same result.
@Suite struct ResponseReadingTests {
    static let documents: [String] = [
        #"{"statusCode":200}"#,
        #"{"statusCode":200,"body":"{\"type\":\"sent\"}"}"#,
        #"  {"body":"x","statusCode":404,"headers":{"A":"b","c":"D"},"isBase64Encoded":false}  "#,
        #"{"statusCode":200,"body":"aGk=","isBase64Encoded":true}"#,
        #"{"statusCode":200.0}"#, #"{"statusCode":2e2}"#, #"{"statusCode":-1}"#,
        #"{"statusCode":200,"body":null,"headers":null,"isBase64Encoded":null}"#,
        #"{"statusCode":200,"extra":[1,{"x":null}],"body":"caf\u00e9 \ud83d\ude00"}"#,
        #"{"statusCode":200,"statusCode":500}"#, #"{"body":"a","body":"b","statusCode":1}"#,
        "\u{FEFF}{\"statusCode\":201}",
        // Rejected by both.
        #"{"statusCode":"200"}"#, #"{"statusCode":null}"#, #"{"statusCode":200.5}"#, #"{"statusCode":1e30}"#,
        #"{"body":"x"}"#, #"{"statusCode":200,"body":1}"#, #"{"statusCode":200,"headers":{"a":1}}"#,
        #"{"statusCode":200,"isBase64Encoded":"no"}"#, #"{"statusCode":200"#, #"{"statusCode":200} x"#,
        "[]", "null", "", "200", #""text""#, "{\"statusCode\":200,\"body\":\"\u{1}\"}",
    ]

    @Test(arguments: documents)
    func readsWhatJSONDecoderReads(_ document: String) {
        let data = Data(document.utf8)
        let expected = try? JSONDecoder().decode(WebSocketResponse.self, from: data)
        #expect(WebSocketResponse.read(from: data) == expected, "\(document)")
    }

    /// Where this reader is stricter than `JSONDecoder`: RFC 8259 has no trailing commas, and a malformed member is
    /// malformed JSON even when nothing decodes it.
    @Test(arguments: [
        #"{"statusCode":200,}"#, #"{"statusCode":200,"x":[1,]}"#, #"{"statusCode":500,"x":01}"#,
        #"{"statusCode":500,"x":"\q"}"#,
    ])
    func malformedJSONIsRejectedEvenWhereJSONDecoderReadsIt(_ document: String) {
        #expect(WebSocketResponse.read(from: Data(document.utf8)) == nil)
    }

    @Test func everyEncodedResponseReadsBack() {
        let responses = [
            WebSocketResponse.ok, .ok(body: "x\"\\\n😀"), .status(410, body: nil),
            WebSocketResponse(statusCode: 200, body: "YQ==", headers: ["K": "v"], isBase64Encoded: true),
        ]
        for response in responses {
            #expect(WebSocketResponse.read(from: response.encodedJSON()) == response)
        }
    }
}
