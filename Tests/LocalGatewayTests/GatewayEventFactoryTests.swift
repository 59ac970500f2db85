import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import LocalGateway

@Suite("Events as API Gateway sends them")
struct GatewayEventFactoryTests {
    let factory = GatewayEventFactory(
        configuration: GatewayConfiguration(stage: "dev", apiID: "localapi"), domainName: "127.0.0.1:3001", port: 3001)

    func connection(userAgent: String? = "test-agent/1.0") -> GatewayConnection {
        GatewayConnection(
            id: "TXzPWdnOjoECGjA=", channel: EmbeddedChannel(), connectedAtMilliseconds: 1_707_502_303_419,
            lastActiveMilliseconds: 1_707_502_303_419, sourceIP: "127.0.0.1", userAgent: userAgent)
    }

    func object(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("every event carries the request context fields")
    func requestContext() throws {
        let event = try object(factory.message(connection(), body: Data("{}".utf8), isBinary: false, routeKey: "$default", requestID: "req="))
        let context = try #require(event["requestContext"] as? [String: Any])
        #expect(context["connectionId"] as? String == "TXzPWdnOjoECGjA=")
        #expect(context["apiId"] as? String == "localapi")
        #expect(context["domainName"] as? String == "127.0.0.1:3001")
        #expect(context["stage"] as? String == "dev")
        #expect(context["requestId"] as? String == "req=")
        #expect(context["extendedRequestId"] as? String == "req=")
        #expect(context["messageDirection"] as? String == "IN")
        #expect(context["connectedAt"] as? Int64 == 1_707_502_303_419)
        let epoch = try #require(context["requestTimeEpoch"] as? Int64)
        #expect(context["requestTime"] as? String == GatewayClock.requestTime(epoch))
        #expect(context["identity"] as? [String: String] == ["sourceIp": "127.0.0.1", "userAgent": "test-agent/1.0"])
    }

    @Test("$connect: headers without hop-by-hop ones, X-Forwarded-* added, repeated headers and query parameters")
    func connect() throws {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "127.0.0.1:3001")
        headers.add(name: "Connection", value: "Upgrade")
        headers.add(name: "Upgrade", value: "websocket")
        headers.add(name: "Sec-WebSocket-Version", value: "13")
        headers.add(name: "X-Tag", value: "one")
        headers.add(name: "X-Tag", value: "two")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/dev?room=a&room=b&user=J%C3%B6rg", headers: headers)
        let event = try object(factory.connect(connection(), head: head, requestID: "req="))
        let context = try #require(event["requestContext"] as? [String: Any])
        #expect(context["routeKey"] as? String == "$connect")
        #expect(context["eventType"] as? String == "CONNECT")
        #expect(context["messageId"] == nil)
        let single = try #require(event["headers"] as? [String: String])
        let multi = try #require(event["multiValueHeaders"] as? [String: [String]])
        #expect(single["Connection"] == nil && single["Upgrade"] == nil)
        #expect(single["Host"] == "127.0.0.1:3001")
        #expect(single["X-Tag"] == "two")
        #expect(multi["X-Tag"] == ["one", "two"])
        #expect(single["X-Forwarded-For"] == "127.0.0.1")
        #expect(single["X-Forwarded-Port"] == "3001")
        #expect(single["X-Forwarded-Proto"] == "http")
        #expect(single["X-Amzn-Trace-Id"]?.hasPrefix("Root=1-") == true)
        #expect(event["queryStringParameters"] as? [String: String] == ["room": "b", "user": "Jörg"])
        #expect(event["multiValueQueryStringParameters"] as? [String: [String]] == ["room": ["a", "b"], "user": ["Jörg"]])
        #expect(event["isBase64Encoded"] as? Bool == false)
    }

    @Test("$connect without a query string has no query parameter maps")
    func connectWithoutQuery() throws {
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/dev", headers: ["Host": "x"])
        let event = try object(factory.connect(connection(userAgent: nil), head: head, requestID: "r="))
        #expect(event["queryStringParameters"] == nil)
        #expect(event["multiValueQueryStringParameters"] == nil)
        let context = try #require(event["requestContext"] as? [String: Any])
        #expect(context["identity"] as? [String: String] == ["sourceIp": "127.0.0.1"])
    }

    @Test("text and binary messages")
    func messages() throws {
        let text = try object(factory.message(connection(), body: Data(#"{"action":"hi"}"#.utf8), isBinary: false, routeKey: "hi", requestID: "r="))
        let textContext = try #require(text["requestContext"] as? [String: Any])
        #expect(textContext["routeKey"] as? String == "hi")
        #expect(textContext["eventType"] as? String == "MESSAGE")
        #expect((textContext["messageId"] as? String)?.count == 16)
        #expect(text["body"] as? String == #"{"action":"hi"}"#)
        #expect(text["isBase64Encoded"] as? Bool == false)

        let bytes = Data([0, 1, 0xFE, 0xFF])
        let binary = try object(factory.message(connection(), body: bytes, isBinary: true, routeKey: "$default", requestID: "r="))
        #expect(binary["body"] as? String == bytes.base64EncodedString())
        #expect(binary["isBase64Encoded"] as? Bool == true)
    }

    @Test("$disconnect: status code, reason and the headers API Gateway sends")
    func disconnect() throws {
        let event = try object(factory.disconnect(connection(), closure: ConnectionClosure(statusCode: 1005), requestID: "r="))
        let context = try #require(event["requestContext"] as? [String: Any])
        #expect(context["routeKey"] as? String == "$disconnect")
        #expect(context["eventType"] as? String == "DISCONNECT")
        #expect(context["disconnectStatusCode"] as? Int == 1005)
        #expect(context["disconnectReason"] as? String == "Client-side close frame status not set")
        #expect(event["headers"] as? [String: String] == ["Host": "127.0.0.1:3001", "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""])
        #expect(event["body"] == nil)
    }

    @Test("close reasons: the client's text when given, else API Gateway's name for the code")
    func closeReasons() {
        #expect(ConnectionClosure(statusCode: 1001).reason == "Going away")
        #expect(ConnectionClosure(statusCode: 4000, reason: "bye").reason == "bye")
        #expect(ConnectionClosure(statusCode: 4000).reason == "")
    }
}
