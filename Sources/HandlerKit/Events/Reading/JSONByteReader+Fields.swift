/// Typed reads for decoding events: each reads one whole value, and returns either what the field needs or a
/// ``FieldFailure`` (wrong type, `null` where a value is required, a number out of range). Syntax errors are
/// thrown and end the read.
///
/// Numbers follow `JSONDecoder`: an integer field accepts any number whose value is a whole number in range
/// (`1000`, `1e3`, `1000.0`).
extension JSONByteReader {
    /// A required string.
    mutating func decodeString() throws(JSONSyntaxError) -> Decoded<String> {
        let kind = try peekKind()
        guard kind == .string else { return try mismatch(expected: "String", found: kind) }
        return .success(string(try readStringToken()))
    }

    /// A string, or nil for `null`.
    mutating func decodeOptionalString() throws(JSONSyntaxError) -> Decoded<String?> {
        try decodeNullable { reader throws(JSONSyntaxError) in try reader.decodeString() }
    }

    /// A boolean, or nil for `null`.
    mutating func decodeOptionalBool() throws(JSONSyntaxError) -> Decoded<Bool?> {
        switch try peekKind() {
        case .bool: return .success(try readBool())
        case .null:
            try readNull()
            return .success(nil)
        case let kind: return try mismatch(expected: "Bool", found: kind)
        }
    }

    /// A 64-bit integer, or nil for `null`. (Not through ``decodeNullable(_:)``, whose closure and `map`
    /// cost more than the read: every message event has two.)
    mutating func decodeOptionalInt64() throws(JSONSyntaxError) -> Decoded<Int64?> {
        if try peekKind() == .null {
            try readNull()
            return .success(nil)
        }
        switch try decodeInt64(typeName: "Int64") {
        case .success(let value): return .success(value)
        case .failure(let failure): return .failure(failure)
        }
    }

    /// An `Int`, or nil for `null`.
    mutating func decodeOptionalInt() throws(JSONSyntaxError) -> Decoded<Int?> {
        try decodeNullable { reader throws(JSONSyntaxError) in
            try reader.decodeInt64(typeName: "Int").flatMap { value in
                guard let int = Int(exactly: value) else {
                    return .failure(FieldFailure(reason: "expected Int, found \(value)"))
                }
                return .success(int)
            }
        }
    }

    /// nil for `null`, else what `read` makes of the value.
    mutating func decodeNullable<Value>(
        _ read: (inout JSONByteReader) throws(JSONSyntaxError) -> Decoded<Value>
    ) throws(JSONSyntaxError) -> Decoded<Value?> {
        if try peekKind() == .null {
            try readNull()
            return .success(nil)
        }
        return try read(&self).map { $0 }
    }

    /// Reads an object's members into `value` with `readMembers`, which returns the failure of its first
    /// failing field; a value of another kind is skipped and is the failure.
    mutating func decodeObject<Value>(
        into value: inout Value,
        _ readMembers: (inout Value, inout JSONByteReader) throws(JSONSyntaxError) -> FieldFailure?
    ) throws(JSONSyntaxError) -> FieldFailure? {
        let kind = try peekKind()
        guard kind == .object else {
            try skipValue()
            return FieldFailure(reason: "expected an object, found \(kind.name)")
        }
        try enterObject()
        return try readMembers(&value, &self)
    }

    /// Skips a value of the wrong kind and says what was expected instead.
    mutating func mismatch<Value>(expected: String, found kind: ValueKind) throws(JSONSyntaxError) -> Decoded<Value> {
        try skipValue()
        return .failure(FieldFailure(reason: "expected \(expected), found \(kind.name)"))
    }

    private mutating func decodeInt64(typeName: String) throws(JSONSyntaxError) -> Decoded<Int64> {
        let kind = try peekKind()
        guard kind == .number else { return try mismatch(expected: typeName, found: kind) }
        if let value = readPlainInteger() { return .success(value) }
        let token = try readNumberToken()
        guard let value = integer(token) else { return .failure(notAWholeNumber(token, typeName: typeName)) }
        return .success(value)
    }

    private func notAWholeNumber(_ token: NumberToken, typeName: String) -> FieldFailure {
        let text = String(decoding: raw(token.text), as: UTF8.self)
        return FieldFailure(reason: "expected \(typeName), found \(text) (not a whole number in range)")
    }

    /// A number of one to eighteen digits, optionally negative, with no leading zero, fraction or exponent
    /// (every timestamp): read in one pass. Nil, with the reader unmoved, for any other number.
    private mutating func readPlainInteger() -> Int64? {
        var position = index
        let isNegative = bytes[position] == UInt8(ascii: "-")
        if isNegative { position += 1 }
        let start = position
        var value: Int64 = 0
        while position < bytes.count, position - start < 19 {
            let digit = bytes[position] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            value = value &* 10 &+ Int64(digit)
            position += 1
        }
        let digits = position - start
        guard digits > 0, digits <= 18, bytes[start] != UInt8(ascii: "0") || digits == 1 else { return nil }
        if position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return nil
            default: break
            }
        }
        index = position
        return isNegative ? 0 &- value : value
    }

    // MARK: Number values

    /// The value of a number token when it is a whole number that fits 64 bits.
    func integer(_ token: NumberToken) -> Int64? {
        guard token.isInteger else { return double(token).flatMap { Int64(exactly: $0) } }
        let digits = raw(token.text)
        let isNegative = digits[0] == UInt8(ascii: "-")
        var value: Int64 = 0
        for digit in digits.dropFirst(isNegative ? 1 : 0) {
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) =
                isNegative
                ? shifted.subtractingReportingOverflow(Int64(digit &- UInt8(ascii: "0")))
                : shifted.addingReportingOverflow(Int64(digit &- UInt8(ascii: "0")))
            guard !overflow, !overflow2 else { return nil }
            value = next
        }
        return value
    }

    /// The value of a number token as a finite `Double`, or nil when it is out of range.
    func double(_ token: NumberToken) -> Double? {
        guard let value = Double(String(decoding: raw(token.text), as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    /// The bytes of a range of the input.
    func raw(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[range])
    }
}
