/// A strict, allocation-free JSON (RFC 8259) tokenizer over UTF-8 bytes, for readers that know the shape they
/// expect: the event decoder, route selection and request-id correlation.
///
/// The reader walks values in document order and never builds a tree: callers enter objects and arrays, read
/// the scalars they want and skip the rest (still validating them). It rejects everything `JSONDecoder`
/// rejects: invalid UTF-8, unescaped control characters, lone UTF-16 surrogates in `\u` escapes (unless
/// ``acceptsUnpairedSurrogates``), leading zeros, and nesting deeper than ``maximumDepth`` (a limit rather than
/// a stack overflow). It is stricter in two ways: trailing commas, which RFC 8259 does not allow and `JSONDecoder`
/// accepts at the end of an object or array, are errors; and members the caller skips are validated, where
/// `JSONDecoder` leaves malformed members it does not decode unread.
///
/// The bytes must stay valid while the reader is in use (`withUnsafeBytes` scope).
struct JSONByteReader {
    /// How deep objects and arrays may nest, counting the outermost one; `JSONDecoder` allows the same.
    static let maximumDepth = 512

    /// The kind of the next value, from its first byte.
    enum ValueKind: Equatable {
        case object, array, string, number, bool, null

        /// How error messages name the kind: "found number".
        var name: String {
            switch self {
            case .object: "an object"
            case .array: "an array"
            case .string: "a string"
            case .number: "a number"
            case .bool: "a boolean"
            case .null: "null"
            }
        }
    }

    /// A string token in the input: the bytes between its quotes, and whether they hold escapes.
    struct StringToken {
        var content: Range<Int>
        var hasEscapes: Bool
    }

    /// A number token in the input, as written, and whether it has no fraction or exponent.
    struct NumberToken {
        var text: Range<Int>
        var isInteger: Bool
    }

    let bytes: UnsafeBufferPointer<UInt8>
    /// Whether a `\u` escape of a lone UTF-16 surrogate is accepted (and read as U+FFFD) rather than an
    /// error. `JSONDecoder` rejects them; route selection accepts them, as the message's other fields still
    /// route and correlate.
    let acceptsUnpairedSurrogates: Bool
    /// The next byte to read.
    var index = 0
    /// How many objects and arrays enclose the current position.
    private(set) var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>, acceptsUnpairedSurrogates: Bool = false) {
        self.bytes = bytes
        self.acceptsUnpairedSurrogates = acceptsUnpairedSurrogates
    }

    /// Skips a UTF-8 byte order mark at the start, as `JSONDecoder` does.
    mutating func skipByteOrderMark() {
        if index == 0, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
    }

    /// Whether only whitespace is left.
    mutating func isAtEnd() -> Bool {
        skipWhitespace()
        return index == bytes.count
    }

    /// Fails unless only whitespace is left: one document, nothing after it.
    mutating func expectEnd() throws(JSONSyntaxError) {
        guard isAtEnd() else { throw syntaxError("unexpected text after the JSON value") }
    }

    /// The kind of the next value (whitespace skipped).
    mutating func peekKind() throws(JSONSyntaxError) -> ValueKind {
        skipWhitespace()
        guard index < bytes.count else { throw syntaxError("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        default: throw syntaxError("unexpected character, expected a value")
        }
    }

    // MARK: Containers

    /// Consumes the `{` of an object; then call ``nextKey(_:)`` until it returns nil.
    mutating func enterObject() throws(JSONSyntaxError) {
        try enterContainer()
    }

    /// The next member's key of the object being read (its `:` consumed), or nil after the closing `}`.
    /// `count` is how many members came before; pass the same variable to every call of one object.
    mutating func nextKey(_ count: inout Int) throws(JSONSyntaxError) -> StringToken? {
        skipWhitespace()
        guard index < bytes.count else { throw syntaxError("unexpected end of input inside an object") }
        if count == 0 {
            if bytes[index] == UInt8(ascii: "}") { return leaveContainer() }
        } else {
            switch bytes[index] {
            case UInt8(ascii: "}"): return leaveContainer()
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            default: throw syntaxError("expected ',' or '}' after an object member")
            }
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
            throw syntaxError("expected a string key")
        }
        let key = try readStringToken()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
            throw syntaxError("expected ':' after a key")
        }
        index += 1
        count += 1
        return key
    }

    /// Consumes the `[` of an array; then call ``nextElement(_:)`` until it returns false.
    mutating func enterArray() throws(JSONSyntaxError) {
        try enterContainer()
    }

    /// Whether another element follows in the array being read (its `,` consumed); false after the `]`.
    mutating func nextElement(_ count: inout Int) throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw syntaxError("unexpected end of input inside an array") }
        if count == 0 {
            if bytes[index] == UInt8(ascii: "]") { return leaveContainer() != nil }
        } else {
            switch bytes[index] {
            case UInt8(ascii: "]"): return leaveContainer() != nil
            case UInt8(ascii: ","): index += 1
            default: throw syntaxError("expected ',' or ']' after an array element")
            }
        }
        count += 1
        return true
    }

    private mutating func enterContainer() throws(JSONSyntaxError) {
        guard depth < Self.maximumDepth else {
            throw syntaxError("objects and arrays nest more than \(Self.maximumDepth) levels deep")
        }
        depth += 1
        index += 1
    }

    /// Consumes a closing bracket; always nil, so callers can return it as "no more members".
    private mutating func leaveContainer() -> StringToken? {
        depth -= 1
        index += 1
        return nil
    }

    // MARK: Scalars and skipping

    /// Reads a number token.
    mutating func readNumberToken() throws(JSONSyntaxError) -> NumberToken {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw syntaxError("a number has no digits") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if skipDigits() == 0 {
            throw syntaxError("a number has no digits")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard skipDigits() > 0 else { throw syntaxError("a number has no digits after its decimal point") }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard skipDigits() > 0 else { throw syntaxError("a number has no digits in its exponent") }
        }
        if index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            throw syntaxError("a number has a leading zero")
        }
        return NumberToken(text: start..<index, isInteger: isInteger)
    }

    /// Reads `true` or `false`.
    mutating func readBool() throws(JSONSyntaxError) -> Bool {
        if bytes[index] == UInt8(ascii: "t") {
            try expectLiteral("true")
            return true
        }
        try expectLiteral("false")
        return false
    }

    /// Reads `null`.
    mutating func readNull() throws(JSONSyntaxError) {
        try expectLiteral("null")
    }

    /// Skips the next value, validating it.
    mutating func skipValue() throws(JSONSyntaxError) {
        switch try peekKind() {
        case .object:
            try enterObject()
            var count = 0
            while try nextKey(&count) != nil { try skipValue() }
        case .array:
            try enterArray()
            var count = 0
            while try nextElement(&count) { try skipValue() }
        case .string: _ = try readStringToken()
        case .number: _ = try readNumberToken()
        case .bool: _ = try readBool()
        case .null: try readNull()
        }
    }

    private mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        return index - start
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count,
            UnsafeBufferPointer(rebasing: bytes[index..<index + count])
                .elementsEqual(UnsafeBufferPointer(start: literal.utf8Start, count: count))
        else {
            throw syntaxError("unexpected characters, expected \(literal)")
        }
        index += count
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// A syntax error at the current position.
    func syntaxError(_ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: index, reason: reason)
    }
}

/// The input is not one valid JSON document.
struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
    /// The byte offset where reading stopped.
    var offset: Int
    /// What was wrong there.
    var reason: String

    var description: String { "not valid JSON: \(reason) at byte \(offset)" }
}
