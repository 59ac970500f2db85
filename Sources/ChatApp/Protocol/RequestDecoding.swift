#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Turns a message body into a request type, or into a ``ChatError`` that names the field at fault.
enum RequestDecoding {
    /// Decodes `body` as `Request`.
    /// - Throws: ``ChatError`` `missingField` or `invalidField` naming the field, or `invalidRequest` when
    ///   the body is not a JSON object.
    static func decode<Request: Decodable>(_ type: Request.Type, from body: Data) throws(ChatError) -> Request {
        do {
            return try JSONDecoder().decode(Request.self, from: body)
        } catch let error as DecodingError {
            throw chatError(error)
        } catch {
            throw .invalidRequest("The message is not a JSON object.")
        }
    }

    static func chatError(_ error: DecodingError) -> ChatError {
        switch error {
        case .keyNotFound(let key, let context):
            return .missingField(fieldPath(context.codingPath + [key]))
        case .valueNotFound(let type, let context):
            return .invalidField(fieldPath(context.codingPath), "must be \(typeName(type)), not null")
        case .typeMismatch(let type, let context) where !context.codingPath.isEmpty:
            return .invalidField(fieldPath(context.codingPath), "must be \(typeName(type))")
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return .invalidField(fieldPath(context.codingPath), "cannot be read: \(context.debugDescription)")
        case .dataCorrupted(let context):
            return .invalidRequest("The message is not valid JSON\(context.underlyingError.map { " (\($0))" } ?? "").")
        case .typeMismatch:
            return .invalidRequest("The message is not a JSON object.")
        @unknown default:
            return .invalidRequest("The message cannot be read: \(error)")
        }
    }

    /// `channel`, or `a.b[1]` for nested fields.
    private static func fieldPath(_ path: [any CodingKey]) -> String {
        var result = ""
        for key in path {
            if let index = key.intValue {
                result += "[\(index)]"
            } else {
                if !result.isEmpty { result += "." }
                result += key.stringValue
            }
        }
        return result
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }
}
