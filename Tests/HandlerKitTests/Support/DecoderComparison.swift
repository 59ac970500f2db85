#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HandlerKit
import Runtime

/// Decodes the same bytes with `WebSocketEvent.decode(from:)` (the direct reader) and through the `Decodable`
/// conformance under `JSONDecoder`, and says how the outcomes differ, if they do.
enum DecoderComparison {
    /// The outcome of one decoder.
    enum Outcome: Equatable, CustomStringConvertible {
        case event(WebSocketEvent)
        case failure(fieldPath: String, reason: String)

        init(_ body: () throws(EventDecodingError) -> WebSocketEvent) {
            do {
                self = .event(try body())
            } catch {
                self = .failure(fieldPath: error.fieldPath, reason: error.reason)
            }
        }

        var description: String {
            switch self {
            case .event: "decoded"
            case .failure(let path, let reason): "failed at '\(path)': \(reason)"
            }
        }
    }

    /// nil when both decoders agree: the same event, or failures at the same field path.
    ///
    /// Three differences are by design, where the direct reader is stricter or more precise:
    /// - string content: it rejects invalid UTF-8, unescaped control characters, bad escapes and unpaired
    ///   surrogates in every string, while `JSONDecoder` checks only the strings it converts (it accepts them in
    ///   unknown fields, and turns them into "not a JSON value" inside authorizer values);
    /// - a number that fits no integer field (`1.5` or `1e30` for `connectedAt`): `JSONDecoder` blames the whole
    ///   document ("not valid JSON", empty path), the direct reader names the field;
    /// - a number out of range deep inside an authorizer value: `JSONDecoder` names the outermost value, the
    ///   direct reader the number itself (a longer path with the same start).
    static func mismatch(_ bytes: Data) -> String? {
        let direct = Outcome { () throws(EventDecodingError) in try WebSocketEvent.decode(from: bytes) }
        let codable = Outcome { () throws(EventDecodingError) in try WebSocketEvent.decode(from: bytes, decoder: JSONDecoder()) }
        switch (direct, codable) {
        case (.event(let a), .event(let b)) where a == b:
            return nil
        case (.failure(let a, _), .failure(let b, _)) where a == b:
            return nil
        case (.failure("", let reason), _) where stricterStringReasons.contains(where: reason.contains):
            return nil
        case (.failure(let path, let reason), .failure(let codablePath, _))
        where !path.isEmpty && path.hasPrefix(codablePath)
            && (reason.contains("not a whole number in range") || reason.contains("out of range")):
            return nil
        default:
            return "direct reader: \(direct); JSONDecoder: \(codable); input: \(String(decoding: bytes.prefix(600), as: UTF8.self))"
        }
    }
}

/// The direct reader's reasons for rejecting string content that `JSONDecoder` lets pass when it does not
/// convert the string.
private let stricterStringReasons = [
    "invalid UTF-8", "unescaped control character", "invalid escape", "invalid \\u escape", "unpaired UTF-16 surrogate",
]

/// A small deterministic generator (SplitMix64), so a failing mutation can be found again.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Malformed and re-typed variants of a JSON document.
enum Mutations {
    /// Bytes that break or bend JSON when inserted: structure, escapes, number parts, invalid UTF-8.
    static let fragments: [[UInt8]] = [
        Array(#"""#.utf8), Array(#"\"#.utf8), Array("{".utf8), Array("}".utf8), Array("[".utf8), Array("]".utf8),
        Array(",".utf8), Array(":".utf8), Array("0".utf8), Array("-".utf8), Array("e".utf8), Array(".".utf8),
        Array("n".utf8), Array(" ".utf8), Array(#"\u"#.utf8), Array(#"\ud800"#.utf8), Array(#"\udc00"#.utf8),
        Array(#"\ud83d\ude00"#.utf8), Array(#"\u00e9"#.utf8), Array("é".utf8), Array("😀".utf8), [0xFF], [0xC3],
        [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xC0, 0x80], [0x00], [0x1F], [0x7F],
    ]

    /// Values to put where a value was: every JSON type, and numbers at the edges of the integer fields.
    static let values: [String] = [
        "42", "-1", "1.5", "1e3", "1.0", "-0", "1e400", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "12345678901234567890", "true", "false", "null", #""text""#, #""""#,
        #""\u00e9\n""#, "[]", "{}", #"["a", 1]"#, #"{"k": "v"}"#, #"{"k": ["v"]}"#, #"{"k": null}"#, #"[null]"#,
        #"{"a": {"b": [1, {"c": 1e400}]}}"#, #""CONNECT""#, #""DISCONNECT""#, #""PING""#,
    ]

    /// `document` cut at `length` bytes.
    static func truncated(_ document: [UInt8], at length: Int) -> Data {
        Data(document.prefix(length))
    }

    /// A random single-byte deletion or fragment insertion.
    static func random(_ document: [UInt8], using generator: inout SeededGenerator) -> Data {
        var bytes = document
        let position = Int.random(in: 0..<bytes.count, using: &generator)
        if Bool.random(using: &generator) {
            bytes.remove(at: position)
        } else {
            bytes.insert(contentsOf: fragments.randomElement(using: &generator)!, at: position)
        }
        return Data(bytes)
    }

    /// `document` with the value of its `occurrence`-th member replaced by `replacement`; nil when there are
    /// fewer members.
    static func replacingValue(_ document: [UInt8], occurrence: Int, with replacement: String) -> Data? {
        guard let range = valueRanges(document).dropFirst(occurrence).first else { return nil }
        var bytes = document
        bytes.replaceSubrange(range, with: Array(replacement.utf8))
        return Data(bytes)
    }

    /// The byte ranges of every member value (`"key": <value>`), in document order.
    static func valueRanges(_ document: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var index = 0
        var afterKey = false
        while index < document.count {
            let byte = document[index]
            if byte == UInt8(ascii: "\"") {
                let end = stringEnd(document, from: index)
                var next = end
                while next < document.count, document[next] == UInt8(ascii: " ") || document[next] == UInt8(ascii: "\n") {
                    next += 1
                }
                if afterKey { ranges.append(index..<end) }
                afterKey = next < document.count && document[next] == UInt8(ascii: ":")
                index = afterKey ? next + 1 : end
                if afterKey {
                    while index < document.count, document[index] == UInt8(ascii: " ") || document[index] == UInt8(ascii: "\n") {
                        index += 1
                    }
                    if index < document.count, document[index] != UInt8(ascii: "\"") {
                        let end = valueEnd(document, from: index)
                        ranges.append(index..<end)
                        afterKey = false
                        index = document[index] == UInt8(ascii: "{") || document[index] == UInt8(ascii: "[") ? index + 1 : end
                    }
                }
                continue
            }
            index += 1
        }
        return ranges
    }

    private static func stringEnd(_ document: [UInt8], from start: Int) -> Int {
        var index = start + 1
        while index < document.count {
            if document[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if document[index] == UInt8(ascii: "\"") { return index + 1 }
            index += 1
        }
        return document.count
    }

    /// The end of the scalar, object or array starting at `start`.
    private static func valueEnd(_ document: [UInt8], from start: Int) -> Int {
        var depth = 0
        var index = start
        while index < document.count {
            switch document[index] {
            case UInt8(ascii: "\""):
                index = stringEnd(document, from: index)
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return index }
                depth -= 1
                if depth == 0 { return index + 1 }
            case UInt8(ascii: ","):
                if depth == 0 { return index }
            default:
                break
            }
            index += 1
        }
        return document.count
    }
}
