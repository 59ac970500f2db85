@testable import HandlerKit
import Testing

/// Header names are lowered and compared as `String.lowercased()` would, ASCII or not.
@Suite struct HeaderNameTests {
    static let names = [
        "", "host", "Host", "X-Amz-Date", "x-amz-date", "CONTENT-TYPE", "content-type ", "a@[`{z", "Zz09-_",
        "İstanbul", "i̇stanbul", "ÄBC", "äbc", "straße", "STRASSE", "K", "\u{212A}", "k", "Ω", "ω",
    ]

    @Test func lowersLikeLowercased() {
        for name in Self.names {
            #expect(HeaderName.lowercased(name) == name.lowercased(), "\(name)")
        }
    }

    @Test func comparesLikeLowercased() {
        for first in Self.names {
            for second in Self.names {
                #expect(HeaderName.equal(first, second) == (first.lowercased() == second.lowercased()), "\(first) / \(second)")
            }
        }
    }
}
