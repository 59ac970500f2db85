/// A `/next` response whose `Lambda-Runtime-*` headers cannot make a ``LambdaContext``
/// (no deadline, a non-numeric deadline, client context or Cognito identity that is not valid JSON).
///
/// The loop reports it as an invocation error for that request id and takes the next event.
public struct InvocationHeaderError: LambdaReportableError, Sendable, CustomStringConvertible {
    /// The header at fault.
    public let header: String
    /// Why it is unusable.
    public let reason: String

    public init(header: String, reason: String) {
        self.header = header
        self.reason = reason
    }

    public var errorType: String { "Runtime.InvalidInvocationHeader" }
    public var errorMessage: String { description }
    public var description: String { "\(header): \(reason)" }
}
