#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// The two UTC renderings of a signing time: `20240102T030405Z` and `20240102`.
package struct AmzDate: Sendable, Equatable {
    /// `YYYYMMDD'T'HHMMSS'Z'`, the `x-amz-date` value.
    package let timestamp: String
    /// `YYYYMMDD`, the credential scope's date.
    package let day: String

    package init(_ date: Date) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let year = Int(parts.tm_year) + 1900
        guard (0...9999).contains(year) else {
            // Outside four digits: written as it is, as the digits below could not.
            day = "\(year)" + Self.twoDigits(parts.tm_mon + 1) + Self.twoDigits(parts.tm_mday)
            timestamp = day + "T" + Self.twoDigits(parts.tm_hour) + Self.twoDigits(parts.tm_min) + Self.twoDigits(parts.tm_sec) + "Z"
            return
        }
        // Written digit by digit: every signature needs both strings.
        timestamp = String(unsafeUninitializedCapacity: 16) { buffer in
            var position = 0
            func write(_ value: Int32, width: Int) {
                var rest = max(Int(value), 0)
                for offset in stride(from: width - 1, through: 0, by: -1) {
                    buffer[position + offset] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                position += width
            }
            write(parts.tm_year + 1900, width: 4)
            write(parts.tm_mon + 1, width: 2)
            write(parts.tm_mday, width: 2)
            buffer[position] = UInt8(ascii: "T")
            position += 1
            write(parts.tm_hour, width: 2)
            write(parts.tm_min, width: 2)
            write(parts.tm_sec, width: 2)
            buffer[position] = UInt8(ascii: "Z")
            return position + 1
        }
        day = String(timestamp.utf8.prefix(8))!
    }

    private static func twoDigits(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
