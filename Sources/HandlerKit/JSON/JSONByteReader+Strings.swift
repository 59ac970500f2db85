internal import CByteScan
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Strings: scanning (UTF-8 and escape validation), key comparison without copies, and unescaping straight
/// into a `String`'s storage.
extension JSONByteReader {
    /// Reads a string token, validating its UTF-8 and escapes; the reader must be at its opening quote.
    mutating func readStringToken() throws(JSONSyntaxError) -> StringToken {
        index += 1  // opening quote
        let start = index
        var hasEscapes = false
        while true {
            skipPlainASCII()
            guard index < bytes.count else { throw syntaxError("unterminated string") }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return StringToken(content: start..<index - 1, hasEscapes: hasEscapes)
            case UInt8(ascii: "\\"):
                hasEscapes = true
                try skipEscape()
            case 0..<0x20:
                throw syntaxError("unescaped control character in a string")
            case 0x20..<0x80:
                index += 1
            default:
                try skipUTF8Sequence(lead: byte)
            }
        }
    }

    /// Skips bytes that need no attention (printable ASCII other than `"` and `\`), sixteen at a time.
    private mutating func skipPlainASCII() {
        guard let base = bytes.baseAddress, index < bytes.count else { return }
        index += lambdasockets_json_plain_prefix(base + index, bytes.count - index)
    }

    /// Skips one escape sequence after validating it; `\u` escapes must not leave a surrogate unpaired.
    private mutating func skipEscape() throws(JSONSyntaxError) {
        guard index + 1 < bytes.count else { throw syntaxError("unterminated escape in a string") }
        switch bytes[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 2
        case UInt8(ascii: "u"):
            guard let unit = hexQuad(at: index + 2) else { throw syntaxError("invalid \\u escape in a string") }
            index += 6
            guard (0xD800..<0xE000).contains(unit) else { return }
            if unit < 0xDC00, index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                bytes[index + 1] == UInt8(ascii: "u"), let low = hexQuad(at: index + 2), (0xDC00..<0xE000).contains(low)
            {
                index += 6
                return
            }
            if !acceptsUnpairedSurrogates { throw syntaxError("unpaired UTF-16 surrogate in a \\u escape") }
        default:
            throw syntaxError("invalid escape in a string")
        }
    }

    /// Skips one multi-byte UTF-8 sequence after validating it (no overlong forms, surrogates or values past
    /// U+10FFFF).
    private mutating func skipUTF8Sequence(lead: UInt8) throws(JSONSyntaxError) {
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: throw syntaxError("invalid UTF-8 in a string")
        }
        guard index + length <= bytes.count, secondRange.contains(bytes[index + 1]) else {
            throw syntaxError("invalid UTF-8 in a string")
        }
        for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
            throw syntaxError("invalid UTF-8 in a string")
        }
        index += length
    }

    /// The four hex digits at `position` as a UTF-16 code unit, or nil.
    private func hexQuad(at position: Int) -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = Self.hexValue(bytes[position + offset]) else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: Values of string tokens

    /// Whether a token (already validated) spells `literal`.
    func token(_ token: StringToken, equals literal: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        if !token.hasEscapes { return Self.equal(raw(token), expected) }
        return unescapedBytes(token).withUnsafeBufferPointer { Self.equal($0, expected) }
    }

    /// Whether a token (already validated) spells the UTF-8 `bytes`.
    func token(_ token: StringToken, equals bytes: [UInt8]) -> Bool {
        if !token.hasEscapes { return bytes.withUnsafeBufferPointer { Self.equal(raw(token), $0) } }
        return unescapedBytes(token) == bytes
    }

    private static func equal(_ first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>) -> Bool {
        guard first.count == second.count else { return false }
        for index in 0..<first.count where first[index] != second[index] { return false }
        return true
    }

    /// The value of a token (already validated): one allocation for strings longer than 15 bytes, none for
    /// shorter ones.
    func string(_ token: StringToken) -> String {
        let raw = raw(token)
        guard token.hasEscapes else { return String(decoding: raw, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: raw.count) { buffer in
            Self.unescape(raw, into: buffer)
        }
    }

    /// The UTF-8 of a token's value.
    func unescapedBytes(_ token: StringToken) -> [UInt8] {
        let raw = raw(token)
        guard token.hasEscapes else { return Array(raw) }
        return [UInt8](unsafeUninitializedCapacity: raw.count) { buffer, count in
            count = Self.unescape(raw, into: buffer)
        }
    }

    /// The bytes between a token's quotes, as written.
    func raw(_ token: StringToken) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[token.content])
    }

    /// Writes the UTF-8 of validated string content with escapes into `buffer` (at least `raw.count` long:
    /// no escape is shorter than what it stands for); returns the length.
    private static func unescape(
        _ raw: UnsafeBufferPointer<UInt8>, into buffer: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        var read = 0
        var written = 0
        while read < raw.count {
            let run = backslashFreeRun(raw, from: read)
            if run > 0 {
                (buffer.baseAddress! + written).update(from: raw.baseAddress! + read, count: run)
                read += run
                written += run
                continue
            }
            let escape = raw[read + 1]
            read += 2
            var scalar: UInt32
            switch escape {
            case UInt8(ascii: "b"): scalar = 0x08
            case UInt8(ascii: "f"): scalar = 0x0C
            case UInt8(ascii: "n"): scalar = 0x0A
            case UInt8(ascii: "r"): scalar = 0x0D
            case UInt8(ascii: "t"): scalar = 0x09
            case UInt8(ascii: "u"):
                scalar = hexQuad(raw, at: read)
                read += 4
                if (0xD800..<0xE000).contains(scalar) {
                    // A pair becomes one scalar; an unpaired surrogate (accepted only on request) U+FFFD.
                    let low = scalar < 0xDC00 && read + 6 <= raw.count && raw[read] == UInt8(ascii: "\\")
                        && raw[read + 1] == UInt8(ascii: "u") ? hexQuad(raw, at: read + 2) : 0
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        read += 6
                    } else {
                        scalar = 0xFFFD
                    }
                }
            default: scalar = UInt32(escape)  // \" \\ \/
            }
            written += encodeUTF8(scalar, into: buffer, at: written)
        }
        return written
    }

    /// How many bytes from `start` on come before the next backslash (or the end).
    private static func backslashFreeRun(_ raw: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = raw.baseAddress, start < raw.count else { return 0 }
        guard let found = memchr(base + start, Int32(UInt8(ascii: "\\")), raw.count - start) else {
            return raw.count - start
        }
        return UnsafeRawPointer(found) - UnsafeRawPointer(base + start)
    }

    private static func hexQuad(_ raw: UnsafeBufferPointer<UInt8>, at position: Int) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 { value = value << 4 | UInt32(hexValue(raw[position + offset]) ?? 0) }
        return value
    }

    private static func encodeUTF8(
        _ scalar: UInt32, into buffer: UnsafeMutableBufferPointer<UInt8>, at position: Int
    ) -> Int {
        switch scalar {
        case 0..<0x80:
            buffer[position] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            buffer[position] = UInt8(0xC0 | scalar >> 6)
            buffer[position + 1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            buffer[position] = UInt8(0xE0 | scalar >> 12)
            buffer[position + 1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            buffer[position + 2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            buffer[position] = UInt8(0xF0 | scalar >> 18)
            buffer[position + 1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            buffer[position + 2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            buffer[position + 3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }
}
