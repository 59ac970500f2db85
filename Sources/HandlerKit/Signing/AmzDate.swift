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
        let day = Self.digits(Int(parts.tm_year) + 1900, 4) + Self.digits(Int(parts.tm_mon) + 1, 2)
            + Self.digits(Int(parts.tm_mday), 2)
        self.day = day
        timestamp = day + "T" + Self.digits(Int(parts.tm_hour), 2) + Self.digits(Int(parts.tm_min), 2)
            + Self.digits(Int(parts.tm_sec), 2) + "Z"
    }

    private static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
