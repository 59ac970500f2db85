/// An event whose JSON does not match the handler's `Decodable` type.
///
/// Reported with `errorType` `EventDecodingError` and a message that names the field path
/// (`requestContext.connectionId: expected String, found number`).
public struct EventDecodingError: LambdaReportableError, Sendable, CustomStringConvertible {
    /// The coding path of the offending field, dot-separated (`requestContext.identity.sourceIp`); empty for
    /// the top level.
    public let fieldPath: String
    /// What was wrong with it.
    public let reason: String

    public init(fieldPath: String, reason: String) {
        self.fieldPath = fieldPath
        self.reason = reason
    }

    /// Names the field and the problem of a `DecodingError`.
    public init(_ error: DecodingError) {
        switch error {
        case .typeMismatch(let type, let context):
            self.init(fieldPath: Self.path(context.codingPath), reason: "expected \(type): \(context.debugDescription)")
        case .valueNotFound(let type, let context):
            self.init(fieldPath: Self.path(context.codingPath), reason: "expected \(type), found null")
        case .keyNotFound(let key, let context):
            self.init(fieldPath: Self.path(context.codingPath + [key]), reason: "required field is missing")
        case .dataCorrupted(let context):
            self.init(fieldPath: Self.path(context.codingPath), reason: context.debugDescription)
        @unknown default:
            self.init(fieldPath: "", reason: String(describing: error))
        }
    }

    public var errorType: String { "EventDecodingError" }
    public var errorMessage: String { description }

    public var description: String {
        fieldPath.isEmpty ? "event: \(reason)" : "\(fieldPath): \(reason)"
    }

    /// `a.b[2].c` from a coding path.
    public static func path(_ codingPath: [any CodingKey]) -> String {
        var result = ""
        for key in codingPath {
            if let index = key.intValue, key.stringValue.hasPrefix("Index ") || key.stringValue == String(index) {
                result += "[\(index)]"
            } else {
                if !result.isEmpty { result += "." }
                result += key.stringValue
            }
        }
        return result
    }
}
