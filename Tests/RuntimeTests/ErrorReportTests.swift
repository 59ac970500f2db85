import Foundation
import Runtime
import Testing

@Suite("Error reports")
struct ErrorReportTests {
    enum SampleError: Error { case failed(String) }

    struct CustomReported: LambdaReportableError {
        var errorType: String { "Chat.InvalidMessage" }
        var errorMessage: String { "message is empty" }
    }

    @Test("any message encodes to valid JSON that decodes back unchanged", arguments: [
        "plain", "quote \" and backslash \\", "new\nline\r\ttab", "control \u{0000}\u{0001}\u{001F}",
        String(decoding: [0x66, 0xFF, 0xFE, 0x6F], as: UTF8.self), "emoji 🙂 and 中文",
        ErrorReportTests.lossyCString, "\u{7F}\u{2028}\u{2029} </script> \u{FEFF}",
    ])
    func validJSON(message: String) throws {
        let report = ErrorReport(errorMessage: message, errorType: "T")
        let data = try JSONEncoder().encode(report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["errorMessage"] as? String == message)
        #expect((object["stackTrace"] as? [Any])?.isEmpty == true)
        #expect(try JSONDecoder().decode(ErrorReport.self, from: data) == report)
    }

    @Test("a thrown error's huge description is cut to maxMessageBytes, at a scalar's boundary, with its length noted")
    func hugeMessagesAreCut() throws {
        let message = String(repeating: "é", count: ErrorReport.maxMessageBytes)  // two bytes each
        let report = ErrorReport(SampleError.failed(message))
        let kept = try #require(report.errorMessage.split(separator: "…").first)
        #expect(kept.utf8.count <= ErrorReport.maxMessageBytes && kept.utf8.count > ErrorReport.maxMessageBytes - 8)
        #expect(kept.hasPrefix("failed(\"éé"))
        #expect(report.errorMessage.hasSuffix("… (cut: \(String(describing: SampleError.failed(message)).utf8.count) bytes)"))
        #expect(try JSONEncoder().encode(report).count < 2 * ErrorReport.maxMessageBytes)
        // Messages within the limit are reported whole, as a LambdaReportableError gives them.
        #expect(ErrorReport(CustomReported()).errorMessage == "message is empty")
    }

    /// A C string holding invalid UTF-8 (a lone continuation byte, a truncated sequence), decoded as
    /// `strerror` or a C library's message would be.
    static let lossyCString: String = {
        let bytes: [CChar] = [0x62, 0x61, 0x64, -0x80, 0x20, -0x3D, 0x20, 0x22, 0x5C, 0x0A, 0]
        return bytes.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }()

    @Test("invalid UTF-8 from a C string is repaired, not dropped, and still encodes to valid JSON")
    func lossyCStringEncodes() throws {
        #expect(Self.lossyCString.contains("\u{FFFD}"))
        let data = try JSONEncoder().encode(ErrorReport(errorMessage: Self.lossyCString, errorType: "CError"))
        #expect(String(data: data, encoding: .utf8) != nil)
        let decoded = try JSONDecoder().decode(ErrorReport.self, from: data)
        #expect(decoded.errorMessage == Self.lossyCString)
    }

    @Test("a Swift error is reported with its type name")
    func typeName() {
        let report = ErrorReport(SampleError.failed("x"))
        #expect(report.errorType == "SampleError")
        #expect(report.errorMessage == #"failed("x")"#)
    }

    @Test("a reportable error chooses its type and message")
    func reportable() {
        let report = ErrorReport(CustomReported())
        #expect(report == ErrorReport(errorMessage: "message is empty", errorType: "Chat.InvalidMessage"))
    }

    struct Event: Decodable {
        struct Context: Decodable {
            struct Identity: Decodable { var sourceIp: String }
            var connectionId: String
            var identity: Identity
            var tags: [Int]?
        }
        var requestContext: Context
    }

    @Test("decoding errors name the field path", arguments: [
        (#"{"requestContext":{"connectionId":5,"identity":{"sourceIp":"1.2.3.4"}}}"#, "requestContext.connectionId"),
        (#"{"requestContext":{"connectionId":"a","identity":{}}}"#, "requestContext.identity.sourceIp"),
        (#"{"requestContext":{"connectionId":"a","identity":{"sourceIp":"x"},"tags":[1,"b"]}}"#, "requestContext.tags[1]"),
        (#"{}"#, "requestContext"),
    ])
    func fieldPath(json: String, path: String) throws {
        do {
            _ = try JSONDecoder().decode(Event.self, from: Data(json.utf8))
            Issue.record("decoding should fail")
        } catch let error as DecodingError {
            let report = EventDecodingError(error)
            #expect(report.fieldPath == path)
            #expect(report.errorMessage.hasPrefix(path + ": "))
            #expect(report.errorType == "EventDecodingError")
        }
    }
}
