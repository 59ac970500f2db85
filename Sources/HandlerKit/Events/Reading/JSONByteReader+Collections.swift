/// Reads the event's open-ended parts: string maps (headers, query parameters) and any JSON value
/// (authorizer context). Repeated keys keep their first value, as `JSONDecoder` does.
extension JSONByteReader {
    /// `{"name": "value", …}`, or nil for `null`.
    mutating func decodeOptionalStringMap() throws(JSONSyntaxError) -> Decoded<[String: String]?> {
        try decodeNullable { reader throws(JSONSyntaxError) in
            try reader.decodeMap { reader throws(JSONSyntaxError) in try reader.decodeString() }
        }
    }

    /// `{"name": ["value", …], …}`, or nil for `null`.
    mutating func decodeOptionalStringListMap() throws(JSONSyntaxError) -> Decoded<[String: [String]]?> {
        try decodeNullable { reader throws(JSONSyntaxError) in
            try reader.decodeMap { reader throws(JSONSyntaxError) in try reader.decodeStringList() }
        }
    }

    /// `["value", …]`.
    mutating func decodeStringList() throws(JSONSyntaxError) -> Decoded<[String]> {
        let kind = try peekKind()
        guard kind == .array else { return try mismatch(expected: "Array<String>", found: kind) }
        try enterArray()
        var values: [String] = []
        var failure: FieldFailure?
        var count = 0
        while try nextElement(&count) {
            switch try decodeString() {
            case .success(let value): values.append(value)
            case .failure(let error): if failure == nil { failure = error.inside(.index(count - 1)) }
            }
        }
        return failure.map { .failure($0) } ?? .success(values)
    }

    /// An object whose values are all read by `readValue`; the first failure (in document order) wins.
    mutating func decodeMap<Value>(
        _ readValue: (inout JSONByteReader) throws(JSONSyntaxError) -> Decoded<Value>
    ) throws(JSONSyntaxError) -> Decoded<[String: Value]> {
        let kind = try peekKind()
        guard kind == .object else { return try mismatch(expected: "Dictionary<String, \(Value.self)>", found: kind) }
        try enterObject()
        var values: [String: Value] = [:]
        var failure: FieldFailure?
        var count = 0
        while let keyToken = try nextKey(&count) {
            let key = string(keyToken)
            let value = try readValue(&self)
            guard values[key] == nil else { continue }
            switch value {
            case .success(let value): values[key] = value
            case .failure(let error): if failure == nil { failure = error.inside(.key(key)) }
            }
        }
        return failure.map { .failure($0) } ?? .success(values)
    }

    /// Any JSON value; numbers become ``JSONValue/integer(_:)`` when they are whole and fit 64 bits, as
    /// `JSONValue`'s `Decodable` conformance makes them.
    mutating func decodeJSONValue() throws(JSONSyntaxError) -> Decoded<JSONValue> {
        switch try peekKind() {
        case .null:
            try readNull()
            return .success(.null)
        case .bool:
            return .success(.bool(try readBool()))
        case .string:
            return .success(.string(string(try readStringToken())))
        case .number:
            let token = try readNumberToken()
            if let integer = integer(token) { return .success(.integer(integer)) }
            if let double = double(token) { return .success(.number(double)) }
            let text = String(decoding: raw(token.text), as: UTF8.self)
            return .failure(FieldFailure(reason: "the number \(text) is out of range"))
        case .array:
            try enterArray()
            var values: [JSONValue] = []
            var failure: FieldFailure?
            var count = 0
            while try nextElement(&count) {
                switch try decodeJSONValue() {
                case .success(let value): values.append(value)
                case .failure(let error): if failure == nil { failure = error.inside(.index(count - 1)) }
                }
            }
            return failure.map { .failure($0) } ?? .success(.array(values))
        case .object:
            return try decodeMap { reader throws(JSONSyntaxError) in try reader.decodeJSONValue() }.map { .object($0) }
        }
    }
}
