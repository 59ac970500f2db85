/// The JSON body the Runtime API expects for invocation and initialisation errors:
/// `{"errorMessage": "...", "errorType": "...", "stackTrace": [...]}`.
///
/// It is always encoded with a real JSON encoder, so any message (quotes, newlines, control characters)
/// yields valid JSON.
public struct ErrorReport: Codable, Sendable, Equatable {
    public var errorMessage: String
    public var errorType: String
    public var stackTrace: [String]

    public init(errorMessage: String, errorType: String, stackTrace: [String] = []) {
        self.errorMessage = errorMessage
        self.errorType = errorType
        self.stackTrace = stackTrace
    }

    /// The report for any Swift error: ``LambdaReportableError`` decides for itself; any other error is
    /// reported with its type name as `errorType` and its description as `errorMessage`, cut to
    /// ``maxMessageBytes``.
    public init(_ error: any Error) {
        if let reportable = error as? any LambdaReportableError {
            self.init(errorMessage: Self.shortened(reportable.errorMessage), errorType: reportable.errorType)
        } else {
            self.init(errorMessage: Self.shortened(String(describing: error)), errorType: String(describing: type(of: error)))
        }
    }

    /// The longest `errorMessage` reported for a thrown error, in UTF-8 bytes. A description that holds a
    /// large payload would otherwise take the report past the Runtime API's 6 MB limit: refused, it would
    /// leave the invocation unanswered until its deadline.
    public static let maxMessageBytes = 256 * 1024

    /// `message`, or its first ``maxMessageBytes`` (whole characters' scalars) and a note of its length.
    static func shortened(_ message: String) -> String {
        let length = message.utf8.count
        guard length > maxMessageBytes else { return message }
        var kept = String.UnicodeScalarView()
        var bytes = 0
        for scalar in message.unicodeScalars {
            bytes += UTF8.width(scalar)
            if bytes > maxMessageBytes { break }
            kept.append(scalar)
        }
        return String(kept) + "… (cut: \(length) bytes)"
    }
}

/// An error that chooses how it is reported to Lambda (and so shown in CloudWatch and to the invoker).
public protocol LambdaReportableError: Error {
    /// The `errorType` field and `Lambda-Runtime-Function-Error-Type` header.
    var errorType: String { get }
    /// The `errorMessage` field.
    var errorMessage: String { get }
}

extension LambdaReportableError {
    public var errorType: String { String(describing: type(of: self)) }
    public var errorMessage: String { String(describing: self) }
}
