#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One event as `GET /runtime/invocation/next` delivered it: the body and the raw `Lambda-Runtime-*` headers.
///
/// Header values are kept as received; ``LambdaContext`` validates them, so that a malformed header becomes
/// an invocation error for this request id rather than a crash.
public struct Invocation: Sendable {
    /// `Lambda-Runtime-Aws-Request-Id`; empty when the header was missing.
    public var requestID: String
    /// `Lambda-Runtime-Deadline-Ms`, unparsed.
    public var deadlineHeader: String?
    /// `Lambda-Runtime-Invoked-Function-Arn`.
    public var invokedFunctionARN: String?
    /// `Lambda-Runtime-Trace-Id`.
    public var traceID: String?
    /// `Lambda-Runtime-Client-Context`, unparsed JSON.
    public var clientContextHeader: String?
    /// `Lambda-Runtime-Cognito-Identity`, unparsed JSON.
    public var cognitoIdentityHeader: String?
    /// The event payload.
    public var event: Data

    public init(
        requestID: String,
        deadlineHeader: String? = nil,
        invokedFunctionARN: String? = nil,
        traceID: String? = nil,
        clientContextHeader: String? = nil,
        cognitoIdentityHeader: String? = nil,
        event: Data
    ) {
        self.requestID = requestID
        self.deadlineHeader = deadlineHeader
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
        self.clientContextHeader = clientContextHeader
        self.cognitoIdentityHeader = cognitoIdentityHeader
        self.event = event
    }
}

extension Invocation {
    /// The header names of the Runtime API, version 2018-06-01.
    public enum Header {
        public static let requestID = "Lambda-Runtime-Aws-Request-Id"
        public static let deadline = "Lambda-Runtime-Deadline-Ms"
        public static let invokedFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
        public static let traceID = "Lambda-Runtime-Trace-Id"
        public static let clientContext = "Lambda-Runtime-Client-Context"
        public static let cognitoIdentity = "Lambda-Runtime-Cognito-Identity"
        public static let functionErrorType = "Lambda-Runtime-Function-Error-Type"
    }
}
