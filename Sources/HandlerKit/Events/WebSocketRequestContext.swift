/// What kind of event API Gateway sent.
public enum WebSocketEventType: String, Codable, Sendable, Hashable {
    /// A client opened a connection (`$connect`).
    case connect = "CONNECT"
    /// A client sent a message (a custom route or `$default`).
    case message = "MESSAGE"
    /// A connection closed (`$disconnect`).
    case disconnect = "DISCONNECT"
}

/// `requestContext` of an API Gateway WebSocket proxy event.
///
/// Only ``routeKey``, ``eventType`` and ``connectionID`` are required; emulators and older events omit the
/// others, which are then `nil`.
public struct WebSocketRequestContext: Codable, Sendable, Hashable {
    /// `$connect`, `$disconnect`, `$default` or the custom route API Gateway selected.
    public var routeKey: String
    /// `CONNECT`, `MESSAGE` or `DISCONNECT`.
    public var eventType: WebSocketEventType
    /// The connection's id (base64-like; may contain `=`), the address for `@connections` calls.
    public var connectionID: String
    /// The API's domain (`abc123.execute-api.us-east-1.amazonaws.com` or a custom domain).
    public var domainName: String?
    /// The deployment stage (`dev`, `$default`).
    public var stage: String?
    /// The API's id.
    public var apiID: String?
    /// API Gateway's id of this request.
    public var requestID: String?
    /// API Gateway's extended request id.
    public var extendedRequestID: String?
    /// The message's id (messages only).
    public var messageID: String?
    /// `IN` for client messages.
    public var messageDirection: String?
    /// When the connection opened, in milliseconds since the Unix epoch.
    public var connectedAt: Int64?
    /// When this request arrived, in milliseconds since the Unix epoch.
    public var requestTimeEpoch: Int64?
    /// When this request arrived, as CLF text (`25/Nov/2026:07:39:12 +0000`).
    public var requestTime: String?
    /// Who is calling.
    public var identity: WebSocketIdentity?
    /// The WebSocket close code (disconnects only; `1000` normal, `1001` going away, `1006` abnormal).
    public var disconnectStatusCode: Int?
    /// Why the connection closed (disconnects only).
    public var disconnectReason: String?
    /// The authorizer's output, when the `$connect` route has an authorizer.
    public var authorizer: WebSocketAuthorizer?

    public init(
        routeKey: String, eventType: WebSocketEventType, connectionID: String, domainName: String? = nil,
        stage: String? = nil, apiID: String? = nil, requestID: String? = nil, extendedRequestID: String? = nil,
        messageID: String? = nil, messageDirection: String? = nil, connectedAt: Int64? = nil,
        requestTimeEpoch: Int64? = nil, requestTime: String? = nil, identity: WebSocketIdentity? = nil,
        disconnectStatusCode: Int? = nil, disconnectReason: String? = nil, authorizer: WebSocketAuthorizer? = nil
    ) {
        self.routeKey = routeKey
        self.eventType = eventType
        self.connectionID = connectionID
        self.domainName = domainName
        self.stage = stage
        self.apiID = apiID
        self.requestID = requestID
        self.extendedRequestID = extendedRequestID
        self.messageID = messageID
        self.messageDirection = messageDirection
        self.connectedAt = connectedAt
        self.requestTimeEpoch = requestTimeEpoch
        self.requestTime = requestTime
        self.identity = identity
        self.disconnectStatusCode = disconnectStatusCode
        self.disconnectReason = disconnectReason
        self.authorizer = authorizer
    }

    enum CodingKeys: String, CodingKey {
        case routeKey, eventType
        case connectionID = "connectionId"
        case domainName, stage
        case apiID = "apiId"
        case requestID = "requestId"
        case extendedRequestID = "extendedRequestId"
        case messageID = "messageId"
        case messageDirection, connectedAt, requestTimeEpoch, requestTime, identity
        case disconnectStatusCode, disconnectReason, authorizer
    }
}

/// `requestContext.identity`: who opened the connection.
public struct WebSocketIdentity: Codable, Sendable, Hashable {
    /// The client's IP address.
    public var sourceIP: String?
    /// The client's `User-Agent`.
    public var userAgent: String?
    /// The AWS account of an IAM-authorized caller.
    public var accountID: String?
    /// The API key, when one was required.
    public var apiKey: String?
    /// The API key's id.
    public var apiKeyID: String?
    /// The IAM caller.
    public var caller: String?
    /// The IAM user.
    public var user: String?
    /// The IAM user's ARN.
    public var userARN: String?
    /// The IAM access key.
    public var accessKey: String?
    /// The Cognito identity id.
    public var cognitoIdentityID: String?
    /// The Cognito identity pool id.
    public var cognitoIdentityPoolID: String?
    /// `authenticated` or `unauthenticated` (Cognito).
    public var cognitoAuthenticationType: String?
    /// The Cognito authentication provider.
    public var cognitoAuthenticationProvider: String?

    public init(sourceIP: String? = nil, userAgent: String? = nil) {
        self.sourceIP = sourceIP
        self.userAgent = userAgent
    }

    enum CodingKeys: String, CodingKey {
        case sourceIP = "sourceIp"
        case userAgent
        case accountID = "accountId"
        case apiKey
        case apiKeyID = "apiKeyId"
        case caller, user
        case userARN = "userArn"
        case accessKey
        case cognitoIdentityID = "cognitoIdentityId"
        case cognitoIdentityPoolID = "cognitoIdentityPoolId"
        case cognitoAuthenticationType, cognitoAuthenticationProvider
    }
}
