#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Reads a function's response straight from its bytes, with the outcome of the `Decodable` conformance under
/// `JSONDecoder` (same fields, same values) without its intermediate tree: the local gateway reads one response
/// per message. It is stricter than `JSONDecoder` on malformed JSON (see ``JSONByteReader``): a trailing comma,
/// or a malformed member it skips, makes it return nil where `JSONDecoder` may still decode.
extension WebSocketResponse {
    fileprivate enum Field: String, CaseIterable, Sendable {
        case statusCode, body, headers, isBase64Encoded
    }

    fileprivate static let fields = JSONKeyTable<Field>()

    /// The response `data` holds, or nil where `JSONDecoder` would throw (not one JSON object, a missing or
    /// mistyped field) and where the JSON is malformed.
    package static func read(from data: Data) -> WebSocketResponse? {
        data.withUnsafeBytes { raw -> WebSocketResponse? in
            guard let base = raw.baseAddress, !raw.isEmpty else { return nil }
            var reader = JSONByteReader(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: raw.count))
            reader.skipByteOrderMark()
            do throws(JSONSyntaxError) {
                var response = WebSocketResponse(statusCode: 0)
                let failure = try reader.decodeObject(into: &response) { response, reader throws(JSONSyntaxError) in
                    try response.readMembers(from: &reader)
                }
                try reader.expectEnd()
                return failure == nil ? response : nil
            } catch {
                return nil
            }
        }
    }

    private mutating func readMembers(from reader: inout JSONByteReader) throws(JSONSyntaxError) -> FieldFailure? {
        var state = MemberReadState<Field>()
        var count = 0
        while let key = try reader.nextKey(&count) {
            guard let match = Self.fields.match(key, in: reader), state.isFirstOccurrence(match) else {
                try reader.skipValue()
                continue
            }
            switch match.key {
            case .statusCode:
                if try reader.peekKind() == .null {
                    try reader.readNull()
                    state.check(FieldFailure(reason: "expected Int, found null"), for: match)
                } else if let value = state.value(try reader.decodeOptionalInt(), for: match) ?? nil {
                    statusCode = value
                }
            case .body: body = state.value(try reader.decodeOptionalString(), for: match) ?? nil
            case .headers: headers = state.value(try reader.decodeOptionalStringMap(), for: match) ?? nil
            case .isBase64Encoded: isBase64Encoded = state.value(try reader.decodeOptionalBool(), for: match) ?? nil
            }
        }
        state.require(Self.fields.match(.statusCode))
        return state.firstFailure
    }
}
