#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A DynamoDB call that failed: the service's error (its `__type` and message) or a transport failure.
///
/// Match on ``kind``:
/// ```swift
/// catch let error as DynamoDBError where error.kind == .conditionalCheckFailed { … }
/// ```
public struct DynamoDBError: Error, Sendable, CustomStringConvertible {
    /// The families of failures callers act on differently. New kinds may be added.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case conditionalCheckFailed, resourceNotFound, throttled, validation, accessDenied, serverError
            case transport, invalidResponse, other
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A `ConditionExpression` did not hold (`ConditionalCheckFailedException`).
        public static let conditionalCheckFailed = Kind(.conditionalCheckFailed)
        /// The table or index does not exist, or is not active yet (`ResourceNotFoundException`).
        public static let resourceNotFound = Kind(.resourceNotFound)
        /// DynamoDB asked to slow down (`ProvisionedThroughputExceededException`, `ThrottlingException`,
        /// `RequestLimitExceeded`). Retried before it reaches callers.
        public static let throttled = Kind(.throttled)
        /// The request was malformed (`ValidationException`, `SerializationException`…): a bug or bad input.
        public static let validation = Kind(.validation)
        /// The credentials were refused (`UnrecognizedClientException`, `AccessDeniedException`, a bad signature).
        public static let accessDenied = Kind(.accessDenied)
        /// DynamoDB failed (`InternalServerError`, any 5xx). Retried before it reaches callers.
        public static let serverError = Kind(.serverError)
        /// No answer: the connection failed or timed out.
        public static let transport = Kind(.transport)
        /// An answer this client could not read.
        public static let invalidResponse = Kind(.invalidResponse)
        /// Any other service error; see ``DynamoDBError/type``.
        public static let other = Kind(.other)

        public var description: String { "\(base)" }
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// The service's error type without its namespace (`ResourceNotFoundException`), or a description of
    /// the transport failure.
    public let type: String
    /// The service's message.
    public let message: String
    /// The HTTP status, when DynamoDB answered.
    public let status: Int?
    /// The operation that failed (`PutItem`, `Query`…).
    public let operation: String

    public init(kind: Kind, type: String, message: String, status: Int?, operation: String) {
        self.kind = kind
        self.type = type
        self.message = message
        self.status = status
        self.operation = operation
    }

    /// Whether sending the same request again may succeed.
    public var isRetryable: Bool { kind == .throttled || kind == .serverError || kind == .transport }

    public var description: String {
        let statusText = status.map { " (HTTP \($0))" } ?? ""
        return "DynamoDB \(operation) failed\(statusText): \(type): \(message)"
    }
}

extension DynamoDBError {
    /// The error DynamoDB described in an answer: `{"__type": "com.amazonaws.dynamodb.v20120810#Name",
    /// "message": "…"}` (some errors spell it `Message`), with the `x-amzn-ErrorType` header as fallback.
    init(status: Int, body: Data, errorTypeHeader: String?, operation: String) {
        let parsed = ServiceErrorBody.parse(body)
        let rawType = parsed?.type ?? errorTypeHeader ?? "HTTP\(status)"
        // `com.amazonaws.dynamodb.v20120810#ResourceNotFoundException`, or `Name:http://…` in the header.
        var type = Substring(rawType)
        if let hash = type.lastIndex(of: "#") { type = type[type.index(after: hash)...] }
        if let colon = type.firstIndex(of: ":") { type = type[..<colon] }
        let name = String(type)
        self.init(
            kind: Self.kind(ofType: name, status: status),
            type: name,
            message: parsed?.message ?? String(decoding: body.prefix(512), as: UTF8.self),
            status: status,
            operation: operation)
    }

    static func kind(ofType type: String, status: Int) -> Kind {
        switch type {
        case "ConditionalCheckFailedException": .conditionalCheckFailed
        case "ResourceNotFoundException": .resourceNotFound
        case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
            "LimitExceededException":
            .throttled
        case "ValidationException", "SerializationException", "ItemCollectionSizeLimitExceededException":
            .validation
        case "UnrecognizedClientException", "AccessDeniedException", "InvalidSignatureException",
            "MissingAuthenticationTokenException", "IncompleteSignatureException", "ExpiredTokenException":
            .accessDenied
        case "InternalServerError", "ServiceUnavailable", "InternalFailure":
            .serverError
        default:
            status >= 500 ? .serverError : status == 429 ? .throttled : .other
        }
    }
}

/// The JSON body of a service error.
private struct ServiceErrorBody: Decodable {
    var type: String?
    var lowercaseMessage: String?
    var capitalizedMessage: String?

    enum CodingKeys: String, CodingKey {
        case type = "__type"
        case lowercaseMessage = "message"
        case capitalizedMessage = "Message"
    }

    var message: String? { lowercaseMessage ?? capitalizedMessage }

    static func parse(_ body: Data) -> ServiceErrorBody? {
        guard let parsed = try? JSONDecoder().decode(ServiceErrorBody.self, from: body),
            parsed.type != nil || parsed.message != nil
        else { return nil }
        return parsed
    }
}
