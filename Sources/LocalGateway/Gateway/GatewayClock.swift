import Foundation

/// The times and ids API Gateway puts in events and management answers, formatted without a
/// `DateFormatter` (the gateway formats several per message).
enum GatewayClock {
    /// Now, in epoch milliseconds.
    static func nowMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// `25/Nov/2026:07:39:12 +0000`, the format of `requestContext.requestTime`.
    static func requestTime(_ milliseconds: Int64) -> String {
        let time = CivilTime(milliseconds)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(pad(time.day))/\(months[time.month - 1])/\(time.year):\(pad(time.hour)):\(pad(time.minute)):\(pad(time.second)) +0000"
    }

    /// `2026-11-25T07:39:12.345Z`, how GetConnection answers `connectedAt` and `lastActiveAt`.
    static func iso8601(_ milliseconds: Int64) -> String {
        let time = CivilTime(milliseconds)
        let year = String(time.year)
        return "\(year)-\(pad(time.month))-\(pad(time.day))T\(pad(time.hour)):\(pad(time.minute)):\(pad(time.second))."
            + pad(time.millisecond, width: 3) + "Z"
    }

    /// A base64 id like API Gateway's connection, request and message ids (`TXzPWdnOjoECGjA=`): 11 random
    /// bytes, so 16 characters ending in `=`.
    static func newID() -> String {
        Data(GatewayRandom.bytes(11)).base64EncodedString()
    }

    private static func pad(_ value: Int, width: Int = 2) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// A UTC calendar date and time from epoch milliseconds (proleptic Gregorian calendar).
struct CivilTime: Equatable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    var millisecond: Int

    init(_ epochMilliseconds: Int64) {
        let milliseconds = Int(epochMilliseconds)
        var days = milliseconds.floorDivided(by: 86_400_000)
        let inDay = milliseconds - days * 86_400_000
        hour = inDay / 3_600_000
        minute = inDay / 60_000 % 60
        second = inDay / 1000 % 60
        millisecond = inDay % 1000
        // Days to civil date (H. Hinnant's algorithm), counting from 0000-03-01.
        days += 719_468
        let era = days.floorDivided(by: 146_097)
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }
}

extension Int {
    fileprivate func floorDivided(by divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
