import Foundation
import HandlerKit
import Testing

/// `WebSocketEvent.encodedJSON()` writes what `JSONEncoder` writes for the event (compared as JSON values: key
/// order is free), and decodes back to the same event.
@Suite struct EventEncodingTests {
    private func expectSameAsJSONEncoder(_ event: WebSocketEvent, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let direct = event.encodedJSON()
        let reference = try JSONEncoder().encode(event)
        let directValue = try JSONSerialization.jsonObject(with: direct) as? NSDictionary
        let referenceValue = try JSONSerialization.jsonObject(with: reference) as? NSDictionary
        #expect(directValue != nil, "not a JSON object: \(String(decoding: direct, as: UTF8.self))", sourceLocation: sourceLocation)
        #expect(directValue == referenceValue, "\(String(decoding: direct, as: UTF8.self))", sourceLocation: sourceLocation)
        #expect(try WebSocketEvent.decode(from: direct) == event, sourceLocation: sourceLocation)
    }

    @Test(arguments: Fixture.allCases)
    func recordedEventsEncodeAsJSONEncoderEncodesThem(_ fixture: Fixture) throws {
        let event = try WebSocketEvent.decode(from: Data(contentsOf: URL(fileURLWithPath: fixture.path)))
        try expectSameAsJSONEncoder(event)
    }

    @Test func everyFieldAndAwkwardText() throws {
        let awkward = "quote \" backslash \\ slash / tab \t newline \n nul \u{0} bell \u{7} del \u{7F} caf\u{E9} \u{6F22} \u{1F600}"
        var identity = WebSocketIdentity(sourceIP: "192.0.2.1", userAgent: awkward)
        identity.accountID = "123456789012"
        identity.apiKey = "key"
        identity.apiKeyID = "key-id"
        identity.caller = "caller"
        identity.user = "user"
        identity.userARN = "arn:aws:iam::123456789012:user/x"
        identity.accessKey = "AKID"
        identity.cognitoIdentityID = "id"
        identity.cognitoIdentityPoolID = "pool"
        identity.cognitoAuthenticationType = "authenticated"
        identity.cognitoAuthenticationProvider = "provider"
        let authorizer = WebSocketAuthorizer(values: [
            "principalId": .string(awkward), "integrationLatency": .integer(-42), "ratio": .number(0.25),
            "big": .number(1e300), "flag": .bool(true), "nothing": .null,
            "list": .array([.integer(Int64.max), .integer(Int64.min), .string(""), .array([]), .object([:])]),
            "nested": .object(["a": .object(["b": .bool(false)])]),
        ])
        let context = WebSocketRequestContext(
            routeKey: "$disconnect", eventType: .disconnect, connectionID: "L0SM9cOFvHcCIhw=", domainName: "abc.execute-api.us-east-1.amazonaws.com",
            stage: "dev", apiID: "abc", requestID: "r", extendedRequestID: "e", messageID: "m", messageDirection: "IN",
            connectedAt: 1_700_000_000_000, requestTimeEpoch: -1, requestTime: "09/Feb/2024:18:11:43 +0000", identity: identity,
            disconnectStatusCode: 1001, disconnectReason: awkward, authorizer: authorizer)
        try expectSameAsJSONEncoder(WebSocketEvent(
            requestContext: context, headers: ["Host": "h", awkward: awkward], multiValueHeaders: ["Host": ["h"], "X": ["1", awkward, ""]],
            queryStringParameters: ["q": awkward], multiValueQueryStringParameters: ["q": [awkward, "2"], "empty": []],
            body: awkward, isBase64Encoded: false))
    }

    @Test func absentMembersAreLeftOut() throws {
        let event = WebSocketEvent(requestContext: WebSocketRequestContext(routeKey: "$default", eventType: .message, connectionID: "c"))
        try expectSameAsJSONEncoder(event)
        #expect(String(decoding: event.encodedJSON(), as: UTF8.self).count == #"{"requestContext":{"routeKey":"$default","eventType":"MESSAGE","connectionId":"c"}}"#.count)
        try expectSameAsJSONEncoder(WebSocketEvent(
            requestContext: WebSocketRequestContext(routeKey: "r", eventType: .message, connectionID: "c", identity: WebSocketIdentity()),
            headers: [:], body: "", isBase64Encoded: true))
        let slashes = WebSocketEvent(requestContext: WebSocketRequestContext(routeKey: "a/b", eventType: .message, connectionID: "c/d="))
        #expect(String(decoding: slashes.encodedJSON(), as: UTF8.self).contains(#""routeKey":"a/b""#), "slashes are not escaped")
    }

    @Test func randomEventsEncodeAsJSONEncoderEncodesThem() throws {
        var generator = SeededGenerator(seed: 20_261_202)
        let alphabet = Array("aZ09 \"\\/\t\n\u{1}\u{1F}é漢😀-_=+")
        func text() -> String { String((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }) }
        func maybe<T>(_ make: () -> T) -> T? { Bool.random(using: &generator) ? make() : nil }
        for _ in 0..<300 {
            let context = WebSocketRequestContext(
                routeKey: text(), eventType: [.connect, .message, .disconnect].randomElement(using: &generator)!, connectionID: text(),
                domainName: maybe(text), stage: maybe(text), requestID: maybe(text), messageID: maybe(text),
                connectedAt: maybe { Int64.random(in: Int64.min...Int64.max, using: &generator) }, identity: maybe { WebSocketIdentity(sourceIP: text(), userAgent: maybe(text)) },
                disconnectStatusCode: maybe { Int.random(in: 1000...4999, using: &generator) },
                authorizer: maybe { WebSocketAuthorizer(values: [text(): .string(text()), text(): .integer(Int64.random(in: -99...99, using: &generator))]) })
            let headers = maybe { Dictionary((0..<3).map { _ in (text(), text()) }, uniquingKeysWith: { a, _ in a }) }
            try expectSameAsJSONEncoder(WebSocketEvent(
                requestContext: context, headers: headers, multiValueHeaders: headers?.mapValues { [$0, $0] },
                queryStringParameters: maybe { [text(): text()] }, body: maybe(text), isBase64Encoded: maybe { Bool.random(using: &generator) }))
        }
    }
}
