import Foundation
import NIOCore

/// One open WebSocket connection as the gateway knows it.
struct GatewayConnection: Sendable {
    var id: String
    var channel: any Channel
    var connectedAtMilliseconds: Int64
    var lastActiveMilliseconds: Int64
    var sourceIP: String
    var userAgent: String?
}

/// Helpers for the ids and times API Gateway puts in events.
enum GatewayClock {
    static func nowMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// `25/Nov/2026:07:39:12 +0000`, the `requestTime` format.
    static func requestTime(_ milliseconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    /// ISO 8601 with milliseconds, as GetConnection answers dates.
    static func iso8601(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    /// A base64 id like API Gateway's (`L0SM9cOFvHcCIhw=`): 11 random bytes, so it ends in `=`.
    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<11).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
    }
}
