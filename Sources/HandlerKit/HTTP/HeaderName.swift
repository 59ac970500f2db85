/// HTTP header names lowered and compared as the ASCII tokens they are (RFC 9110), without the Unicode case
/// mapping of `String.lowercased()`, which allocates and walks characters; a name with any non-ASCII byte falls
/// back to it, so the results are always those of `lowercased()`.
package enum HeaderName {
    /// `name.lowercased()`; `name` itself when it has no upper-case letter.
    package static func lowercased(_ name: String) -> String {
        var text = name
        let hasUpperCase = text.withUTF8 { bytes -> Bool? in
            guard isASCII(bytes) else { return nil }
            return bytes.contains { $0 &- UInt8(ascii: "A") < 26 }
        }
        switch hasUpperCase {
        case nil: return name.lowercased()
        case false?: return name
        case true?:
            return text.withUTF8 { bytes in
                String(unsafeUninitializedCapacity: bytes.count) { buffer in
                    for index in 0..<bytes.count { buffer[index] = fold(bytes[index]) }
                    return bytes.count
                }
            }
        }
    }

    /// `first.lowercased() == second.lowercased()`.
    package static func equal(_ first: String, _ second: String) -> Bool {
        var firstText = first
        var secondText = second
        let asciiAnswer = firstText.withUTF8 { a in
            secondText.withUTF8 { b -> Bool? in
                if a.count == b.count {
                    var index = 0
                    while index < a.count, a[index] | b[index] < 0x80, fold(a[index]) == fold(b[index]) { index += 1 }
                    if index == a.count { return true }
                }
                // Different bytes: different names, unless a non-ASCII letter lowers onto other bytes.
                return isASCII(a) && isASCII(b) ? false : nil
            }
        }
        return asciiAnswer ?? (first.lowercased() == second.lowercased())
    }

    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var combined: UInt8 = 0
        for byte in bytes { combined |= byte }
        return combined < 0x80
    }

    /// An ASCII byte with upper-case letters lowered.
    private static func fold(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }
}
