#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HandlerKit
import HandlerKitTesting
import Runtime
import Testing

/// `WebSocketEvent.decode(from:)` reads the bytes directly; these tests hold it to the `Decodable` path under
/// `JSONDecoder` on recorded events and on thousands of malformed and re-typed variants of them, and check
/// that bad input of every kind is a clear error, never a crash.
@Suite struct EventReaderTests {
    static let smallFixtures = Fixture.allCases.filter { $0 != .largeMessage }

    @Test(arguments: Fixture.allCases)
    func recordedEventsDecodeAsJSONDecoderDecodesThem(_ fixture: Fixture) throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture.path))
        #expect(DecoderComparison.mismatch(bytes) == nil)
        #expect(try WebSocketEvent.decode(from: bytes) == WebSocketEvent.decode(from: bytes, decoder: JSONDecoder()))
    }

    /// Strings are scanned sixteen bytes at a time: a quote, escape, control character or multi-byte sequence
    /// at any offset of a chunk, or in the bytes after the last whole chunk, is found where it is.
    @Test(arguments: [
        #"\""#, #"\\"#, #"\u00e9"#, #"\ud83d\ude00"#, "é", "😀", "\u{01}", "\u{1F}", "\u{7F}", "~",
    ])
    func specialBytesAnywhereInALongStringAgreeWithJSONDecoder(_ special: String) throws {
        var mismatches: [String] = []
        for length in [0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 47, 64] {
            for offset in 0...length {
                let text = String(repeating: "a", count: offset) + special + String(repeating: "b", count: length - offset)
                let document = #"{"requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": "c"}, "body": "\#(text)"}"#
                if let mismatch = DecoderComparison.mismatch(Data(document.utf8)) { mismatches.append(mismatch) }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.first ?? "")")
    }

    /// Integers of up to eighteen digits are read without overflow checks; longer ones with them.
    @Test(arguments: [
        "0", "-0", "7", "-7", "1795678752569", "999999999999999999", "-999999999999999999", "1000000000000000000",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
        "99999999999999999999", "1e3", "1.5", "12.0",
    ])
    func integersOfEveryLengthAgreeWithJSONDecoder(_ number: String) throws {
        let document = #"{"requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": "c", "connectedAt": \#(number)}}"#
        #expect(DecoderComparison.mismatch(Data(document.utf8)) == nil)
    }

    @Test(arguments: smallFixtures)
    func everyTruncationIsASyntaxError(_ fixture: Fixture) throws {
        let document = try Array(Data(contentsOf: URL(fileURLWithPath: fixture.path)))
        let end = document.lastIndex(of: UInt8(ascii: "}"))!
        for length in 0...end {
            let error = #expect(throws: EventDecodingError.self) {
                try WebSocketEvent.decode(from: Mutations.truncated(document, at: length))
            }
            #expect(error?.fieldPath == "", "cut at \(length)")
        }
    }

    @Test(arguments: smallFixtures)
    func randomByteEditsAgreeWithJSONDecoder(_ fixture: Fixture) throws {
        let document = try Array(Data(contentsOf: URL(fileURLWithPath: fixture.path)))
        var generator = SeededGenerator(seed: UInt64(fixture.rawValue.utf8.count) &* 7919)
        var mismatches: [String] = []
        for _ in 0..<400 {
            if let mismatch = DecoderComparison.mismatch(Mutations.random(document, using: &generator)) {
                mismatches.append(mismatch)
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.first ?? "")")
    }

    @Test(arguments: smallFixtures)
    func everyValueRetypedAgreesWithJSONDecoder(_ fixture: Fixture) throws {
        let document = try Array(Data(contentsOf: URL(fileURLWithPath: fixture.path)))
        let members = Mutations.valueRanges(document).count
        #expect(members > 5)
        var mismatches: [String] = []
        for occurrence in 0..<members {
            for value in Mutations.values {
                let variant = try #require(Mutations.replacingValue(document, occurrence: occurrence, with: value))
                if let mismatch = DecoderComparison.mismatch(variant) { mismatches.append(mismatch) }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.first ?? "")")
    }

    @Test func wrongTypesNameTheFieldPath() throws {
        let cases: [(String, String, String)] = [
            (#""connectedAt": 1.5"#, "requestContext.connectedAt", "not a whole number"),
            (#""connectedAt": 1e30"#, "requestContext.connectedAt", "not a whole number"),
            (#""disconnectStatusCode": "1000""#, "requestContext.disconnectStatusCode", "expected Int, found a string"),
            (#""identity": {"userAgent": ["x"]}"#, "requestContext.identity.userAgent", "expected String, found an array"),
            (#""authorizer": {"n": 1e400}"#, "requestContext.authorizer.n", "out of range"),
            (#""authorizer": {"list": [1, 2, 1e999]}"#, "requestContext.authorizer.list[2]", "out of range"),
            (#""authorizer": []"#, "requestContext.authorizer", "expected Dictionary<String, JSONValue>, found an array"),
            (#""identity": 5"#, "requestContext.identity", "expected an object, found a number"),
            (#""eventType2": 1, "stage": false"#, "requestContext.stage", "expected String, found a boolean"),
        ]
        for (member, path, reason) in cases {
            let json = #"{"requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": "a", \#(member)}}"#
            let error = #expect(throws: EventDecodingError.self) { try WebSocketEvent.decode(from: Data(json.utf8)) }
            #expect(error?.fieldPath == path, "\(member)")
            #expect(error?.reason.contains(reason) == true, "\(member): \(error?.reason ?? "")")
            #expect(error?.description.hasPrefix(path + ": ") == true)
        }
        let multi = #"{"requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": "a"}, "multiValueHeaders": {"A": ["x", 2]}}"#
        let error = #expect(throws: EventDecodingError.self) { try WebSocketEvent.decode(from: Data(multi.utf8)) }
        #expect(error?.fieldPath == "multiValueHeaders.A[1]")
    }

    @Test func theFirstBadFieldInDeclarationOrderIsReported() throws {
        // connectionId is declared before connectedAt, though it comes later in the document.
        let json = #"{"requestContext": {"connectedAt": "x", "routeKey": "$default", "eventType": "MESSAGE", "connectionId": 1}}"#
        let error = #expect(throws: EventDecodingError.self) { try WebSocketEvent.decode(from: Data(json.utf8)) }
        #expect(error?.fieldPath == "requestContext.connectionId")
        #expect(DecoderComparison.mismatch(Data(json.utf8)) == nil)
    }

    @Test func aSyntaxErrorAnywhereOutranksAWrongType() throws {
        let json = #"{"requestContext": {"routeKey": 1, "eventType": "MESSAGE", "connectionId": "a"}, "x": [1,]}"#
        let error = #expect(throws: EventDecodingError.self) { try WebSocketEvent.decode(from: Data(json.utf8)) }
        #expect(error?.fieldPath == "")
        #expect(error?.reason.hasPrefix("not valid JSON") == true)
    }

    @Test func escapesAndUnicodeDecode() throws {
        let json = #"{"b\u006fdy": "caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t \u0000 ✓", "requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": "a\u003d"}}"#
        let event = try WebSocketEvent.decode(from: Data(json.utf8))
        #expect(event.body == "café 😀 \"q\" \\ / \u{8}\u{c}\n\r\t \u{0} ✓")
        #expect(event.connectionID == "a=")
        #expect(DecoderComparison.mismatch(Data(json.utf8)) == nil)
    }

    @Test(arguments: [
        #""\ud800""#, #""\udc00x""#, #""\ud83d\u0041""#, #""\ud83d""#, #""\u12""#, #""\u12G4""#, #""\x""#,
        "\"tab\there\"", "\"\u{1}\"",
    ])
    func badEscapesAndControlCharactersAreSyntaxErrors(_ body: String) throws {
        let json = #"{"body": \#(body), "requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": "a"}}"#
        let error = #expect(throws: EventDecodingError.self) { try WebSocketEvent.decode(from: Data(json.utf8)) }
        #expect(error?.fieldPath == "")
        #expect(DecoderComparison.mismatch(Data(json.utf8)) == nil)
    }

    @Test(arguments: [[0xFF], [0xC3], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] as [[UInt8]])
    func invalidUTF8IsASyntaxErrorEvenInUnknownFields(_ bad: [UInt8]) throws {
        for template in [#"{"unknown": "x*y", "#, #"{"x*y": 1, "#, #"{"body": "x*y", "#] {
            let parts = template.split(separator: "*", omittingEmptySubsequences: false)
            var bytes = Array(parts[0].utf8) + bad + Array(parts[1].utf8)
            bytes += Array(#""requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": "a"}}"#.utf8)
            // Stricter than JSONDecoder, which checks only the strings it converts (not unknown fields).
            let error = #expect(throws: EventDecodingError.self) { try WebSocketEvent.decode(from: Data(bytes)) }
            #expect(error?.fieldPath == "")
            #expect(error?.reason.contains("invalid UTF-8") == true)
        }
    }

    @Test func aRequiredFieldThatIsNullIsNamed() throws {
        let json = #"{"requestContext": {"routeKey": null, "eventType": "MESSAGE", "connectionId": "a"}}"#
        let error = #expect(throws: EventDecodingError.self) { try WebSocketEvent.decode(from: Data(json.utf8)) }
        #expect(error?.fieldPath == "requestContext.routeKey")
        #expect(error?.reason == "expected String, found null")
        #expect(DecoderComparison.mismatch(Data(json.utf8)) == nil)
    }

    @Test func nestingIsLimitedLikeJSONDecoder() throws {
        func event(depth: Int) -> Data {
            let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            return Data(#"{"deep": \#(nested), "requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": "a"}}"#.utf8)
        }
        #expect(throws: Never.self) { try WebSocketEvent.decode(from: event(depth: 511)) }
        for depth in [510, 511, 512, 513] { #expect(DecoderComparison.mismatch(event(depth: depth)) == nil) }
        let error = #expect(throws: EventDecodingError.self) { try WebSocketEvent.decode(from: event(depth: 100_000)) }
        #expect(error?.fieldPath == "")
        #expect(error?.reason.contains("512 levels") == true)
    }

    @Test func repeatedKeysKeepTheFirstValue() throws {
        let json = #"{"body": "first", "body": 2, "requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": "a", "connectionId": "b", "authorizer": {"k": 1, "k": "two"}}, "headers": {"H": "1", "H": "2"}}"#
        let event = try WebSocketEvent.decode(from: Data(json.utf8))
        #expect(event.body == "first")
        #expect(event.connectionID == "a")
        #expect(event.requestContext.authorizer?["k"] == .integer(1))
        #expect(event.headers == ["H": "1"])
        #expect(DecoderComparison.mismatch(Data(json.utf8)) == nil)
    }

    @Test func numbersFollowJSONDecoder() throws {
        let json = #"{"requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": "a", "connectedAt": 1e3, "requestTimeEpoch": -0, "disconnectStatusCode": 1000.0, "authorizer": {"i": 7, "f": 0.5, "big": 12345678901234567890, "whole": 2.0, "neg": -9223372036854775808}}}"#
        let event = try WebSocketEvent.decode(from: Data(json.utf8))
        #expect(event.requestContext.connectedAt == 1000)
        #expect(event.requestContext.requestTimeEpoch == 0)
        #expect(event.requestContext.disconnectStatusCode == 1000)
        let authorizer = try #require(event.requestContext.authorizer)
        #expect(authorizer["i"] == .integer(7))
        #expect(authorizer["f"] == .number(0.5))
        #expect(authorizer["big"] == .number(1.2345678901234567e19))
        #expect(authorizer["whole"] == .integer(2))
        #expect(authorizer["neg"] == .integer(.min))
        #expect(DecoderComparison.mismatch(Data(json.utf8)) == nil)
    }

    @Test(arguments: ["", " ", "null", "[]", "42", #""event""#, "{", "{}", #"{"requestContext": {}}"#, "\u{FEFF}{}"])
    func nonEventsAreErrorsNotCrashes(_ text: String) throws {
        #expect(throws: EventDecodingError.self) { try WebSocketEvent.decode(from: Data(text.utf8)) }
        #expect(DecoderComparison.mismatch(Data(text.utf8)) == nil)
    }

    @Test func whitespaceAroundTheDocumentIsAllowed() throws {
        let json = " \n\t{\"requestContext\" : {\"routeKey\":\"$default\",\"eventType\":\"MESSAGE\",\"connectionId\":\"a\"} } \r\n"
        #expect(try WebSocketEvent.decode(from: Data(json.utf8)).connectionID == "a")
    }

    @Test func largeBodiesSurviveEveryEscape() throws {
        var body = ""
        for scalar in 0..<0x300 where !(0xD800..<0xE000).contains(scalar) { body.unicodeScalars.append(Unicode.Scalar(scalar)!) }
        body += String(repeating: #"{"action": "x\y"}"#, count: 2000)
        let event = WebSocketEventBuilder.message(body).build()
        let bytes = try JSONEncoder().encode(event)
        #expect(try WebSocketEvent.decode(from: bytes).body == body)
        #expect(DecoderComparison.mismatch(bytes) == nil)
    }
}
