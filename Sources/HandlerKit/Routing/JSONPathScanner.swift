/// A validating, single-pass JSON reader that finds the value at a key path without building a tree.
///
/// Route selection needs one string out of a message body that may be 128 KB: decoding the whole body into
/// values would allocate for every member. This reader checks that the whole text is one valid JSON document
/// (RFC 8259) and copies out only the value at the path. Nesting deeper than ``maximumDepth`` counts as
/// invalid rather than risking the stack.
struct JSONPathScanner {
    /// The value found at the path.
    enum Found: Equatable, Sendable {
        /// A string, unescaped.
        case string(String)
        /// A number, as written.
        case number(String)
        /// An object, an array, `true`, `false` or `null`.
        case other
    }

    /// The outcome of a scan.
    enum Outcome: Equatable, Sendable {
        /// The text is not a single valid JSON document.
        case invalidJSON
        /// The document is valid but has nothing at the path.
        case missing
        /// The value at the path (the last one, if keys repeat).
        case found(Found)
    }

    static let maximumDepth = 512

    /// Scans `text` for the value at `path` (UTF-8 keys, outermost first; an empty path is the root).
    static func scan(_ text: String, path: [[UInt8]]) -> Outcome {
        var text = text
        return text.withUTF8 { bytes in
            var scanner = JSONPathScanner(bytes: bytes, path: path)
            return scanner.run()
        }
    }

    private struct Invalid: Error {}

    private let bytes: UnsafeBufferPointer<UInt8>
    private let path: [[UInt8]]
    private var index = 0
    private var found: Found?

    private init(bytes: UnsafeBufferPointer<UInt8>, path: [[UInt8]]) {
        self.bytes = bytes
        self.path = path
    }

    private mutating func run() -> Outcome {
        do {
            skipWhitespace()
            try parseValue(depth: 0, level: 0)
            skipWhitespace()
            guard index == bytes.count else { return .invalidJSON }
        } catch {
            return .invalidJSON
        }
        return found.map { .found($0) } ?? .missing
    }

    // MARK: Values

    /// Parses one value; `level` is how many path keys lead here, or nil when off the path.
    private mutating func parseValue(depth: Int, level: Int?) throws(Invalid) {
        guard depth < Self.maximumDepth, index < bytes.count else { throw Invalid() }
        let capture = level == path.count
        switch bytes[index] {
        case UInt8(ascii: "{"):
            try parseObject(depth: depth, level: capture ? nil : level)
            if capture { found = .other }
        case UInt8(ascii: "["):
            try parseArray(depth: depth)
            if capture { found = .other }
        case UInt8(ascii: "\""):
            let string = try scanString()
            if capture { found = .string(String(decoding: unescape(string), as: UTF8.self)) }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = index
            try scanNumber()
            if capture { found = .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)) }
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            if capture { found = .other }
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            if capture { found = .other }
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            if capture { found = .other }
        default:
            throw Invalid()
        }
    }

    private mutating func parseObject(depth: Int, level: Int?) throws(Invalid) {
        index += 1  // {
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            guard try peek() == UInt8(ascii: "\"") else { throw Invalid() }
            let key = try scanString()
            var childLevel: Int? = nil
            if let level, level < path.count, matches(key, path[level]) { childLevel = level + 1 }
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else { throw Invalid() }
            index += 1
            skipWhitespace()
            try parseValue(depth: depth + 1, level: childLevel)
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                index += 1
                return
            default:
                throw Invalid()
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(Invalid) {
        index += 1  // [
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            try parseValue(depth: depth + 1, level: nil)
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                index += 1
                return
            default:
                throw Invalid()
            }
        }
    }

    // MARK: Tokens

    /// A string token: the bytes between its quotes, and whether they hold escapes.
    private struct StringToken {
        var content: Range<Int>
        var hasEscapes: Bool
    }

    private mutating func scanString() throws(Invalid) -> StringToken {
        index += 1  // opening quote
        let start = index
        var hasEscapes = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                return StringToken(content: start..<index, hasEscapes: hasEscapes)
            }
            if byte < 0x20 { throw Invalid() }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                index += 1
                guard index < bytes.count else { throw Invalid() }
                switch bytes[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    guard index + 4 < bytes.count else { throw Invalid() }
                    for offset in 1...4 where Self.hexValue(bytes[index + offset]) == nil { throw Invalid() }
                    index += 4
                default:
                    throw Invalid()
                }
            }
            index += 1
        }
        throw Invalid()
    }

    private mutating func scanNumber() throws(Invalid) {
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw Invalid() }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            guard try skipDigits() > 0 else { throw Invalid() }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard try skipDigits() > 0 else { throw Invalid() }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard try skipDigits() > 0 else { throw Invalid() }
        }
    }

    private mutating func skipDigits() throws(Invalid) -> Int {
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        return index - start
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Invalid) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw Invalid() }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        guard UnsafeBufferPointer(rebasing: bytes[index..<index + count]).elementsEqual(expected) else { throw Invalid() }
        index += count
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private func peek() throws(Invalid) -> UInt8 {
        guard index < bytes.count else { throw Invalid() }
        return bytes[index]
    }

    // MARK: Unescaping

    private func matches(_ token: StringToken, _ key: [UInt8]) -> Bool {
        if !token.hasEscapes {
            return UnsafeBufferPointer(rebasing: bytes[token.content]).elementsEqual(key)
        }
        return unescape(token) == key
    }

    /// The UTF-8 of a string token's value (escapes resolved; a lone surrogate becomes U+FFFD).
    private func unescape(_ token: StringToken) -> [UInt8] {
        let raw = UnsafeBufferPointer(rebasing: bytes[token.content])
        guard token.hasEscapes else { return Array(raw) }
        var result: [UInt8] = []
        result.reserveCapacity(raw.count)
        var position = 0
        while position < raw.count {
            let byte = raw[position]
            guard byte == UInt8(ascii: "\\") else {
                result.append(byte)
                position += 1
                continue
            }
            let escape = raw[position + 1]
            position += 2
            switch escape {
            case UInt8(ascii: "b"): result.append(0x08)
            case UInt8(ascii: "f"): result.append(0x0C)
            case UInt8(ascii: "n"): result.append(0x0A)
            case UInt8(ascii: "r"): result.append(0x0D)
            case UInt8(ascii: "t"): result.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = Self.hex4(raw, at: position)
                position += 4
                if (0xD800..<0xDC00).contains(scalar), position + 6 <= raw.count,
                    raw[position] == UInt8(ascii: "\\"), raw[position + 1] == UInt8(ascii: "u")
                {
                    let low = Self.hex4(raw, at: position + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        position += 6
                    }
                }
                result.append(contentsOf: String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8)
            default: result.append(escape)  // \" \\ \/
            }
        }
        return result
    }

    private static func hex4(_ raw: UnsafeBufferPointer<UInt8>, at position: Int) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 { value = value << 4 | UInt32(hexValue(raw[position + offset]) ?? 0) }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
