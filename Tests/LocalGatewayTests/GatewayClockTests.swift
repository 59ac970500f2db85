import Foundation
import Testing

@testable import LocalGateway

@Suite("Gateway times and ids")
struct GatewayClockTests {
    /// Foundation's formatters are the independent reference for the hand-written calendar arithmetic.
    static func reference(_ format: String, _ milliseconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    static let samples: [Int64] = {
        var generator = SystemRandomNumberGenerator()
        let fixed: [Int64] = [
            0, 951_782_400_000, 951_868_799_999, 1_707_502_303_419, 1_709_164_800_000, 4_102_444_800_000,
            4_107_542_399_999, 253_402_300_799_999,
        ]
        return fixed + (0..<200).map { _ in Int64.random(in: 0...4_102_444_800_000, using: &generator) }
    }()

    @Test("requestTime matches dd/MMM/yyyy:HH:mm:ss +0000", arguments: samples)
    func requestTime(milliseconds: Int64) {
        #expect(GatewayClock.requestTime(milliseconds) == Self.reference("dd/MMM/yyyy:HH:mm:ss", milliseconds) + " +0000")
    }

    @Test("GetConnection dates are ISO 8601 with milliseconds", arguments: samples)
    func iso8601(milliseconds: Int64) {
        #expect(GatewayClock.iso8601(milliseconds) == Self.reference("yyyy-MM-dd'T'HH:mm:ss.SSS", milliseconds) + "Z")
    }

    @Test("known dates")
    func knownDates() {
        #expect(GatewayClock.requestTime(1_707_502_303_419) == "09/Feb/2024:18:11:43 +0000")
        #expect(GatewayClock.iso8601(951_782_400_000) == "2000-02-29T00:00:00.000Z")
    }

    @Test("ids look like API Gateway's: 16 base64 characters ending in =, all different")
    func ids() {
        let ids = (0..<500).map { _ in GatewayClock.newID() }
        for id in ids {
            #expect(id.count == 16)
            #expect(id.hasSuffix("="))
            #expect(Data(base64Encoded: id)?.count == 11)
        }
        #expect(Set(ids).count == ids.count)
    }
}
