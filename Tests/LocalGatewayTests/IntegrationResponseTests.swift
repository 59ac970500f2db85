import Foundation
import NIOHTTP1
import Testing

@testable import LocalGateway

@Suite("Function answers")
struct IntegrationResponseTests {
    @Test("proxy-shaped responses")
    func proxyShaped() {
        let response = IntegrationResponse(Data(#"{"statusCode":403,"body":"no","headers":{"X-A":"1","n":2}}"#.utf8))
        #expect(response.statusCode == 403)
        #expect(response.body == "no")
        #expect(response.headers == ["X-A": "1"])
        #expect(!response.isSuccess)
        #expect(IntegrationResponse(Data(#"{"statusCode":"201"}"#.utf8)).statusCode == 201)
        #expect(IntegrationResponse(Data(#"{"statusCode":200}"#.utf8)).frame == nil)
    }

    @Test("what JSONDecoder reads but the byte reader refuses (a trailing comma, a malformed unused member) is still proxy-shaped")
    func lenientDocuments() {
        #expect(IntegrationResponse(Data(#"{"statusCode":500,"x":01}"#.utf8)).statusCode == 500)
        let response = IntegrationResponse(Data(#"{"statusCode":404,"body":"b",}"#.utf8))
        #expect(response.statusCode == 404 && response.body == "b")
    }

    @Test("anything else is a 200 with the raw text as body; null is no body")
    func passThrough() {
        #expect(IntegrationResponse(Data("hello".utf8)).frame == .text("hello"))
        #expect(IntegrationResponse(Data(#"{"message":"x"}"#.utf8)).frame == .text(#"{"message":"x"}"#))
        #expect(IntegrationResponse(Data("null".utf8)).frame == nil)
        #expect(IntegrationResponse(Data()).frame == nil)
    }

    @Test("a base64-encoded body goes out as a binary frame")
    func base64Body() {
        let response = IntegrationResponse(Data(#"{"statusCode":200,"body":"AAH+/w==","isBase64Encoded":true}"#.utf8))
        #expect(response.frame == .binary(Data([0, 1, 0xFE, 0xFF])))
    }

    @Test("@connections payloads: text when valid UTF-8, else binary")
    func payloadFrames() {
        #expect(OutgoingFrame(payload: Data("Hi! :) ✓".utf8)) == .text("Hi! :) ✓"))
        #expect(OutgoingFrame(payload: Data([0xFF, 0x00])) == .binary(Data([0xFF, 0x00])))
    }

    @Test("$connect outcomes: 2xx accepts, other statuses refuse with that status, failures 502, time-outs 504")
    func handshakeOutcomes() {
        let accepted = WebSocketGateway.handshakeOutcome(.response(Data(#"{"statusCode":200,"headers":{"Sec-WebSocket-Protocol":"chat"}}"#.utf8)))
        #expect(accepted == .accept(["Sec-WebSocket-Protocol": "chat"]))
        #expect(WebSocketGateway.handshakeOutcome(.response(Data("null".utf8))) == .accept([:]))
        guard case .reject(let refused) = WebSocketGateway.handshakeOutcome(.response(Data(#"{"statusCode":401,"body":"who?"}"#.utf8))) else {
            Issue.record("a 401 must refuse the handshake")
            return
        }
        #expect(refused.status == 401)
        #expect(refused.body == "who?")
        guard case .reject(let failed) = WebSocketGateway.handshakeOutcome(.error(type: "Runtime.ExitError", body: Data())),
            case .reject(let timedOut) = WebSocketGateway.handshakeOutcome(.timedOut)
        else {
            Issue.record("failures must refuse the handshake")
            return
        }
        #expect(failed.status == 502)
        #expect(timedOut.status == 504)
        // An informational status cannot answer a handshake (NIO would write a 1xx head and then a body).
        for informational in [100, 101, 199] {
            guard case .reject(let odd) = WebSocketGateway.handshakeOutcome(.response(Data(#"{"statusCode":\#(informational)}"#.utf8))) else {
                Issue.record("a \(informational) must refuse the handshake")
                continue
            }
            #expect(odd.status == 502, "\(informational)")
        }
    }

    @Test("the error frame is API Gateway's, byte for byte")
    func errorFrame() {
        #expect(WebSocketGateway.internalServerErrorFrame(connectionID: "Qyi07eCbtjMCJKw=", requestID: "Qyi3UG41tjMFlUg=")
            == #"{"message": "Internal server error", "connectionId":"Qyi07eCbtjMCJKw=", "requestId":"Qyi3UG41tjMFlUg="}"#)
    }
}
