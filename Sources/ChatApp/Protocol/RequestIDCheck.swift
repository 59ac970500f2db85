#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HandlerKit

/// The `request_id` a message may carry must be something a reply can carry back: a string or a number.
///
/// HandlerKit's ``RequestCorrelation`` ignores any other value (`true`, an object, `1e400`); the chat says so
/// instead, with an error that names the field, so that a client waiting for its id learns why it never comes.
enum RequestIDCheck {
    /// The error for a message whose top-level `request_id` is present but unusable; `nil` when it is absent,
    /// `null`, a string or a number (`usable`), or the body is not a JSON object (other errors explain that).
    /// - Parameters:
    ///   - body: the message text.
    ///   - usable: the request id HandlerKit read from the body, if any.
    static func problem(inBody body: String?, usable: RequestID?) -> ChatError? {
        guard usable == nil, let body, Self.mentionsField(body),
            let probe = try? JSONDecoder().decode(Probe.self, from: Data(body.utf8)), probe.isPresent
        else { return nil }
        return .invalidField(RequestCorrelation.fieldName, "must be a string or a number, so that the reply can carry it back")
    }

    /// Whether the bytes of `request_id` occur in `body`: a cheap filter before the decoder decides (most messages
    /// have no request id, and `String.contains` compares characters).
    static func mentionsField(_ body: String) -> Bool {
        var body = body
        return body.withUTF8 { text in
            var field = RequestCorrelation.fieldName
            return field.withUTF8 { name in
                guard let first = name.first, text.count >= name.count else { return false }
                var start = 0
                while start + name.count <= text.count {
                    guard let found = text[start...(text.count - name.count)].firstIndex(of: first) else { return false }
                    if UnsafeBufferPointer(rebasing: text[found..<(found + name.count)]).elementsEqual(name) {
                        return true
                    }
                    start = found + 1
                }
                return false
            }
        }
    }

    /// Whether a JSON object has a non-null top-level `request_id`.
    private struct Probe: Decodable {
        var isPresent: Bool

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            let key = Key(stringValue: RequestCorrelation.fieldName)
            isPresent = container.contains(key) && (try? container.decodeNil(forKey: key)) == false
        }
    }
}
