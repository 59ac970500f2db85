#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HandlerKit
import HandlerKitTesting
import Runtime
import Testing

@Suite struct EventDecodingTests {
    @Test(arguments: Fixture.allCases)
    func everyFixtureDecodesAndRoundTrips(_ fixture: Fixture) throws {
        let event = try WebSocketEvent(recordedAt: fixture.path)
        #expect(!event.connectionID.isEmpty)
        let encoded = try JSONEncoder().encode(event)
        let decodedAgain = try WebSocketEvent.decode(from: encoded)
        #expect(decodedAgain == event)
    }

    @Test func connectCarriesHeadersQueryAndContext() throws {
        let event = try WebSocketEvent(recordedAt: Fixture.connect.path)
        let context = event.requestContext
        #expect(context.routeKey == "$connect")
        #expect(context.eventType == .connect)
        #expect(context.connectionID == "L0SM9cOFvHcCIhw=")
        #expect(context.domainName == "abcdef1234.execute-api.us-east-1.amazonaws.com")
        #expect(context.stage == "dev")
        #expect(context.apiID == "abcdef1234")
        #expect(context.requestID == "L0SM9FQ2vHcFuBw=")
        #expect(context.extendedRequestID == "L0SM9FQ2vHcFuBw=")
        #expect(context.connectedAt == 1_795_678_751_000)
        #expect(context.requestTimeEpoch == 1_795_678_751_012)
        #expect(context.requestTime == "25/Nov/2026:07:39:11 +0000")
        #expect(context.messageDirection == "IN")
        #expect(context.identity?.sourceIP == "203.0.113.7")
        #expect(context.identity?.userAgent == "websocat/1.13")
        #expect(event.header("sec-websocket-version") == "13")
        #expect(event.header("SEC-WEBSOCKET-KEY") == "dGhlIHNhbXBsZSBub25jZQ==")
        #expect(event.header("X-Missing") == nil)
        #expect(event.queryParameter("token") == "s3cret")
        #expect(event.queryParameter("Token") == nil)
        #expect(event.body == nil)
    }

    @Test func multiValueHeadersAndQueryKeepEveryValue() throws {
        let event = try WebSocketEvent(recordedAt: Fixture.connectMultiValueHeaders.path)
        #expect(event.headerValues("cookie") == ["session=abc123", "theme=dark"])
        #expect(event.headerValues("sec-websocket-protocol") == ["chat.v1", "chat.v2"])
        #expect(event.header("Cookie") == "theme=dark")
        #expect(event.queryParameterValues("tag") == ["sports", "news"])
        #expect(event.queryParameter("tag") == "news")
        #expect(event.headerValues("absent").isEmpty)
    }

    @Test func authorizerKeepsStringNumberAndBoolValues() throws {
        let event = try WebSocketEvent(recordedAt: Fixture.connectAuthorizer.path)
        let authorizer = try #require(event.requestContext.authorizer)
        #expect(authorizer.principalID == "user-42")
        #expect(authorizer.integrationLatency == 37)
        #expect(authorizer["tenant"] == .string("acme"))
        #expect(authorizer["quota"]?.integerValue == 1500)
        #expect(authorizer["ratio"]?.doubleValue == 0.75)
        #expect(authorizer["admin"] == .bool(true))
        #expect(authorizer["beta"]?.boolValue == false)
        #expect(event.requestContext.identity?.userAgent == nil)
    }

    @Test func disconnectCarriesStatusCodeAndReason() throws {
        let event = try WebSocketEvent(recordedAt: Fixture.disconnect.path)
        #expect(event.eventType == .disconnect)
        #expect(event.requestContext.disconnectStatusCode == 1001)
        #expect(event.requestContext.disconnectReason == "Going away")
    }

    @Test func messageBodiesDecodeToTheirBytes() throws {
        let text = try WebSocketEvent(recordedAt: Fixture.message.path)
        #expect(text.requestContext.messageID == "L0SNzd1nPHcCIhw=")
        #expect(try text.decodedBody() == Data(try #require(text.body).utf8))

        let binary = try WebSocketEvent(recordedAt: Fixture.binaryMessage.path)
        #expect(binary.isBase64Encoded == true)
        #expect(try binary.decodedBody() == Data([0, 1, 2, 0xFD, 0xFE, 0xFF] + Array(#"{"action":"sendMessage"}"#.utf8)))

        let large = try WebSocketEvent(recordedAt: Fixture.largeMessage.path)
        #expect(try large.decodedBody().count == 128 * 1024)
    }

    @Test func invalidBase64BodyNamesTheBody() throws {
        let event = WebSocketEventBuilder.binaryMessage([1, 2, 3]).with { $0.body = "not base64!" }.build()
        let error = #expect(throws: EventDecodingError.self) { try event.decodedBody() }
        #expect(error?.fieldPath == "body")
    }

    @Test func minimalEventNeedsOnlyTheThreeEssentials() throws {
        let json = #"{"requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": "a=", "someNewField": {"x": 1}}, "unknownTopLevel": [1, 2]}"#
        let event = try WebSocketEvent.decode(from: Data(json.utf8))
        #expect(event.requestContext.routeKey == "$default")
        #expect(event.requestContext.stage == nil)
        #expect(event.requestContext.connectedAt == nil)
        #expect(event.headers == nil)
        #expect(event.body == nil)
    }

    @Test(arguments: [
        (#"{"requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": 42}}"#, "requestContext.connectionId"),
        (#"{"requestContext": {"routeKey": "$default", "eventType": "MESSAGE"}}"#, "requestContext.connectionId"),
        (#"{"requestContext": {"routeKey": "$default", "eventType": "PING", "connectionId": "a"}}"#, "requestContext.eventType"),
        (#"{"requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": "a", "connectedAt": "yesterday"}}"#, "requestContext.connectedAt"),
        (#"{"requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": "a", "identity": {"sourceIp": 1}}}"#, "requestContext.identity.sourceIp"),
        (#"{"requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": "a"}, "multiValueHeaders": {"Host": "x"}}"#, "multiValueHeaders.Host"),
        (#"{"requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": "a"}, "isBase64Encoded": "no"}"#, "isBase64Encoded"),
        (#"{"body": "x"}"#, "requestContext"),
    ])
    func wrongOrMissingFieldsAreNamed(json: String, path: String) throws {
        let error = #expect(throws: EventDecodingError.self) { try WebSocketEvent.decode(from: Data(json.utf8)) }
        #expect(error?.fieldPath == path)
        #expect(error?.errorType == "EventDecodingError")
    }

    @Test func notJSONAtAllIsAnErrorNotACrash() {
        let error = #expect(throws: EventDecodingError.self) { try WebSocketEvent.decode(from: Data("{\"requestContext\":".utf8)) }
        #expect(error?.fieldPath == "")
    }

    @Test func recordedEventErrorNamesFileAndField() throws {
        let path = FileManagerless.temporaryPath("bad-event.json")
        try Data(#"{"requestContext": {"routeKey": 1, "eventType": "MESSAGE", "connectionId": "a"}}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: RecordedEventError.self) { try WebSocketEvent(recordedAt: path) }
        #expect(error?.decodingError?.fieldPath == "requestContext.routeKey")
        #expect(error?.description.contains(path) == true)
        let missing = #expect(throws: RecordedEventError.self) { try WebSocketEvent(recordedAt: path + ".absent") }
        #expect(missing?.decodingError == nil)
    }
}

/// Unique paths under the temporary directory, without Foundation's FileManager.
enum FileManagerless {
    static func temporaryPath(_ name: String) -> String {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        return "\(directory)/handlerkit-\(UInt64.random(in: 0...UInt64.max))-\(name)"
    }
}
