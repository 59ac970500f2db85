#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import Logging

/// What a handler knows about the invocation it serves.
public struct LambdaContext: Sendable {
    /// The AWS request id of this invocation.
    public let requestID: String
    /// When Lambda stops the invocation, in milliseconds since the Unix epoch.
    public let deadlineMilliseconds: Int64
    /// The ARN the caller used to invoke the function (with alias or version, when one was used).
    public let invokedFunctionARN: String
    /// The X-Ray trace header, also exported as `_X_AMZN_TRACE_ID` during the invocation.
    public let traceID: String?
    /// The client context of mobile invocations.
    public let clientContext: ClientContext?
    /// The Cognito identity of mobile invocations.
    public let cognitoIdentity: CognitoIdentity?
    /// `AWS_LAMBDA_FUNCTION_NAME`.
    public let functionName: String
    /// `AWS_LAMBDA_FUNCTION_VERSION`.
    public let functionVersion: String
    /// `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, in MB.
    public let memoryLimitMB: Int?
    /// A logger whose every line carries this invocation's request id.
    public var logger: Logger

    public init(
        requestID: String,
        deadlineMilliseconds: Int64,
        invokedFunctionARN: String,
        traceID: String? = nil,
        clientContext: ClientContext? = nil,
        cognitoIdentity: CognitoIdentity? = nil,
        functionName: String = "function",
        functionVersion: String = "$LATEST",
        memoryLimitMB: Int? = nil,
        logger: Logger
    ) {
        self.requestID = requestID
        self.deadlineMilliseconds = deadlineMilliseconds
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
        self.functionName = functionName
        self.functionVersion = functionVersion
        self.memoryLimitMB = memoryLimitMB
        self.logger = logger
    }

    /// When Lambda stops the invocation.
    public var deadline: Date { Date(timeIntervalSince1970: Double(deadlineMilliseconds) / 1000) }

    /// Time left before ``deadline``; negative once it has passed.
    public var remainingTime: Duration {
        // Saturating: a deadline header may hold any 64-bit number.
        let (left, overflow) = deadlineMilliseconds.subtractingReportingOverflow(WallClock.nowMilliseconds())
        return .milliseconds(overflow ? (deadlineMilliseconds < 0 ? Int64.min : Int64.max) : left)
    }
}

extension LambdaContext {
    /// Builds the context of `invocation`, validating its headers.
    /// - Throws: ``InvocationHeaderError`` naming the header that is missing or malformed.
    /// `logHandler`, when given, is `baseLogger`'s handler: the invocation's logger is then made from it directly.
    init(
        invocation: borrowing Invocation, function: LambdaEnvironment.Function, logger baseLogger: Logger,
        logHandler: LambdaLogHandler? = nil
    ) throws(InvocationHeaderError) {
        guard let deadlineText = invocation.deadlineHeader else {
            throw InvocationHeaderError(header: Invocation.Header.deadline, reason: "missing")
        }
        guard let deadline = Int64(deadlineText.trimmingASCIIWhitespace()) else {
            throw InvocationHeaderError(header: Invocation.Header.deadline, reason: "not a number: \(deadlineText)")
        }
        let clientContext: ClientContext? = try Self.decodeJSONHeader(
            invocation.clientContextHeader, named: Invocation.Header.clientContext)
        let cognitoIdentity: CognitoIdentity? = try Self.decodeJSONHeader(
            invocation.cognitoIdentityHeader, named: Invocation.Header.cognitoIdentity)
        let logger: Logger
        if let logHandler {
            let handler = logHandler.settingRequestID(invocation.requestID)
            logger = Logger(label: baseLogger.label) { _ in handler }
        } else {
            var copy = baseLogger
            copy[metadataKey: LambdaLogHandler.requestIDKey] = .string(invocation.requestID)
            logger = copy
        }
        self.init(
            requestID: invocation.requestID,
            deadlineMilliseconds: deadline,
            invokedFunctionARN: invocation.invokedFunctionARN ?? "",
            traceID: invocation.traceID,
            clientContext: clientContext,
            cognitoIdentity: cognitoIdentity,
            functionName: function.name,
            functionVersion: function.version,
            memoryLimitMB: function.memoryLimitMB,
            logger: logger
        )
    }

    private static func decodeJSONHeader<Value: Decodable>(
        _ text: String?, named header: String
    ) throws(InvocationHeaderError) -> Value? {
        guard let text, !text.isEmpty else { return nil }
        do {
            return try JSONDecoder().decode(Value.self, from: Data(text.utf8))
        } catch {
            throw InvocationHeaderError(header: header, reason: "not valid JSON of the expected shape")
        }
    }
}
