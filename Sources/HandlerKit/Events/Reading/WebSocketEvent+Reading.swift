import Runtime

/// Decodes an event straight from its bytes in one pass, with the same outcome as the `Decodable`
/// conformance under `JSONDecoder` (same fields, same field paths in errors) at a fraction of the cost: no
/// intermediate tree, no key strings, one allocation per string longer than 15 bytes.
///
/// Each object is read member by member; known keys fill slots (the first occurrence wins, as with
/// `JSONDecoder`), unknown ones are skipped but validated. The value is then assembled in declaration order,
/// so the first field that failed, in that order, is the one reported.
extension WebSocketEvent {
    fileprivate enum Field: String, CaseIterable, Sendable {
        case requestContext, body, isBase64Encoded, headers, multiValueHeaders, queryStringParameters
        case multiValueQueryStringParameters
    }

    fileprivate static let fields = JSONKeyTable<Field>()

    /// Reads one event document.
    /// - Throws: ``EventDecodingError`` naming the field, or with an empty field path when the bytes are not
    ///   one valid JSON document.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>) throws(EventDecodingError) -> WebSocketEvent {
        var reader = JSONByteReader(bytes)
        reader.skipByteOrderMark()
        let result: Decoded<WebSocketEvent>
        do throws(JSONSyntaxError) {
            result = try read(from: &reader)
            try reader.expectEnd()
        } catch {
            throw EventDecodingError(fieldPath: "", reason: error.description)
        }
        switch consume result {
        case .success(let event): return event
        case .failure(let failure): throw failure.decodingError
        }
    }

    private static func read(from reader: inout JSONByteReader) throws(JSONSyntaxError) -> Decoded<WebSocketEvent> {
        let kind = try reader.peekKind()
        guard kind == .object else { return try reader.mismatch(expected: "an object", found: kind) }
        var requestContext: Decoded<WebSocketRequestContext>?
        var headers: Decoded<[String: String]?>?
        var multiValueHeaders: Decoded<[String: [String]]?>?
        var queryStringParameters: Decoded<[String: String]?>?
        var multiValueQueryStringParameters: Decoded<[String: [String]]?>?
        var body: Decoded<String?>?
        var isBase64Encoded: Decoded<Bool?>?

        try reader.enterObject()
        var count = 0
        while let key = try reader.nextKey(&count) {
            switch Self.fields.key(for: key, in: reader) {
            case .requestContext where requestContext == nil:
                requestContext = try WebSocketRequestContext.read(from: &reader)
            case .body where body == nil:
                body = try reader.decodeOptionalString()
            case .isBase64Encoded where isBase64Encoded == nil:
                isBase64Encoded = try reader.decodeOptionalBool()
            case .headers where headers == nil:
                headers = try reader.decodeOptionalStringMap()
            case .multiValueHeaders where multiValueHeaders == nil:
                multiValueHeaders = try reader.decodeOptionalStringListMap()
            case .queryStringParameters where queryStringParameters == nil:
                queryStringParameters = try reader.decodeOptionalStringMap()
            case .multiValueQueryStringParameters where multiValueQueryStringParameters == nil:
                multiValueQueryStringParameters = try reader.decodeOptionalStringListMap()
            default:
                try reader.skipValue()
            }
        }
        do throws(FieldFailure) {
            return .success(
                WebSocketEvent(
                    requestContext: try requestContext.required("requestContext"),
                    headers: try headers.optional("headers"),
                    multiValueHeaders: try multiValueHeaders.optional("multiValueHeaders"),
                    queryStringParameters: try queryStringParameters.optional("queryStringParameters"),
                    multiValueQueryStringParameters: try multiValueQueryStringParameters.optional(
                        "multiValueQueryStringParameters"),
                    body: try body.optional("body"),
                    isBase64Encoded: try isBase64Encoded.optional("isBase64Encoded")))
        } catch {
            return .failure(error)
        }
    }
}

extension WebSocketRequestContext {
    fileprivate enum Field: String, CaseIterable, Sendable {
        case routeKey, eventType, connectionID = "connectionId", domainName, stage, apiID = "apiId"
        case requestID = "requestId", extendedRequestID = "extendedRequestId", messageID = "messageId"
        case messageDirection, connectedAt, requestTimeEpoch, requestTime, identity, disconnectStatusCode
        case disconnectReason, authorizer
    }

    fileprivate static let fields = JSONKeyTable<Field>()

    fileprivate static func read(from reader: inout JSONByteReader) throws(JSONSyntaxError) -> Decoded<Self> {
        let kind = try reader.peekKind()
        guard kind == .object else { return try reader.mismatch(expected: "an object", found: kind) }
        var routeKey: Decoded<String>?
        var eventType: Decoded<WebSocketEventType>?
        var connectionID: Decoded<String>?
        var domainName, stage, apiID, requestID, extendedRequestID, messageID, messageDirection: Decoded<String?>?
        var connectedAt, requestTimeEpoch: Decoded<Int64?>?
        var requestTime, disconnectReason: Decoded<String?>?
        var identity: Decoded<WebSocketIdentity?>?
        var disconnectStatusCode: Decoded<Int?>?
        var authorizer: Decoded<WebSocketAuthorizer?>?

        try reader.enterObject()
        var count = 0
        while let key = try reader.nextKey(&count) {
            switch Self.fields.key(for: key, in: reader) {
            case .routeKey where routeKey == nil:
                routeKey = try reader.decodeString()
            case .eventType where eventType == nil:
                eventType = try WebSocketEventType.read(from: &reader)
            case .connectionID where connectionID == nil:
                connectionID = try reader.decodeString()
            case .domainName where domainName == nil:
                domainName = try reader.decodeOptionalString()
            case .stage where stage == nil:
                stage = try reader.decodeOptionalString()
            case .apiID where apiID == nil:
                apiID = try reader.decodeOptionalString()
            case .requestID where requestID == nil:
                requestID = try reader.decodeOptionalString()
            case .extendedRequestID where extendedRequestID == nil:
                extendedRequestID = try reader.decodeOptionalString()
            case .messageID where messageID == nil:
                messageID = try reader.decodeOptionalString()
            case .messageDirection where messageDirection == nil:
                messageDirection = try reader.decodeOptionalString()
            case .connectedAt where connectedAt == nil:
                connectedAt = try reader.decodeOptionalInt64()
            case .requestTimeEpoch where requestTimeEpoch == nil:
                requestTimeEpoch = try reader.decodeOptionalInt64()
            case .requestTime where requestTime == nil:
                requestTime = try reader.decodeOptionalString()
            case .identity where identity == nil:
                identity = try reader.decodeNullable { reader throws(JSONSyntaxError) in
                    try WebSocketIdentity.read(from: &reader)
                }
            case .disconnectStatusCode where disconnectStatusCode == nil:
                disconnectStatusCode = try reader.decodeOptionalInt()
            case .disconnectReason where disconnectReason == nil:
                disconnectReason = try reader.decodeOptionalString()
            case .authorizer where authorizer == nil:
                authorizer = try reader.decodeNullable { reader throws(JSONSyntaxError) in
                    try reader.decodeMap { reader throws(JSONSyntaxError) in try reader.decodeJSONValue() }
                        .map { WebSocketAuthorizer(values: $0) }
                }
            default:
                try reader.skipValue()
            }
        }
        do throws(FieldFailure) {
            return .success(
                WebSocketRequestContext(
                    routeKey: try routeKey.required("routeKey"),
                    eventType: try eventType.required("eventType"),
                    connectionID: try connectionID.required("connectionId"),
                    domainName: try domainName.optional("domainName"),
                    stage: try stage.optional("stage"),
                    apiID: try apiID.optional("apiId"),
                    requestID: try requestID.optional("requestId"),
                    extendedRequestID: try extendedRequestID.optional("extendedRequestId"),
                    messageID: try messageID.optional("messageId"),
                    messageDirection: try messageDirection.optional("messageDirection"),
                    connectedAt: try connectedAt.optional("connectedAt"),
                    requestTimeEpoch: try requestTimeEpoch.optional("requestTimeEpoch"),
                    requestTime: try requestTime.optional("requestTime"),
                    identity: try identity.optional("identity"),
                    disconnectStatusCode: try disconnectStatusCode.optional("disconnectStatusCode"),
                    disconnectReason: try disconnectReason.optional("disconnectReason"),
                    authorizer: try authorizer.optional("authorizer")))
        } catch {
            return .failure(error)
        }
    }
}

extension WebSocketEventType {
    fileprivate static func read(from reader: inout JSONByteReader) throws(JSONSyntaxError) -> Decoded<Self> {
        let kind = try reader.peekKind()
        guard kind == .string else { return try reader.mismatch(expected: "String", found: kind) }
        let token = try reader.readStringToken()
        if reader.token(token, equals: "MESSAGE") { return .success(.message) }
        if reader.token(token, equals: "CONNECT") { return .success(.connect) }
        if reader.token(token, equals: "DISCONNECT") { return .success(.disconnect) }
        let found = reader.string(token)
        return .failure(FieldFailure(reason: "expected CONNECT, MESSAGE or DISCONNECT, found \"\(found)\""))
    }
}

extension WebSocketIdentity {
    fileprivate enum Field: String, CaseIterable, Sendable {
        case sourceIP = "sourceIp", userAgent, accountID = "accountId", apiKey, apiKeyID = "apiKeyId", caller, user
        case userARN = "userArn", accessKey, cognitoIdentityID = "cognitoIdentityId"
        case cognitoIdentityPoolID = "cognitoIdentityPoolId", cognitoAuthenticationType
        case cognitoAuthenticationProvider
    }

    fileprivate static let fields = JSONKeyTable<Field>()

    fileprivate static func read(from reader: inout JSONByteReader) throws(JSONSyntaxError) -> Decoded<Self> {
        let kind = try reader.peekKind()
        guard kind == .object else { return try reader.mismatch(expected: "an object", found: kind) }
        var sourceIP, userAgent, accountID, apiKey, apiKeyID, caller, user, userARN, accessKey: Decoded<String?>?
        var cognitoIdentityID, cognitoIdentityPoolID, cognitoAuthenticationType: Decoded<String?>?
        var cognitoAuthenticationProvider: Decoded<String?>?
        try reader.enterObject()
        var count = 0
        while let key = try reader.nextKey(&count) {
            switch Self.fields.key(for: key, in: reader) {
            case .sourceIP where sourceIP == nil:
                sourceIP = try reader.decodeOptionalString()
            case .userAgent where userAgent == nil:
                userAgent = try reader.decodeOptionalString()
            case .accountID where accountID == nil:
                accountID = try reader.decodeOptionalString()
            case .apiKey where apiKey == nil:
                apiKey = try reader.decodeOptionalString()
            case .apiKeyID where apiKeyID == nil:
                apiKeyID = try reader.decodeOptionalString()
            case .caller where caller == nil:
                caller = try reader.decodeOptionalString()
            case .user where user == nil:
                user = try reader.decodeOptionalString()
            case .userARN where userARN == nil:
                userARN = try reader.decodeOptionalString()
            case .accessKey where accessKey == nil:
                accessKey = try reader.decodeOptionalString()
            case .cognitoIdentityID where cognitoIdentityID == nil:
                cognitoIdentityID = try reader.decodeOptionalString()
            case .cognitoIdentityPoolID where cognitoIdentityPoolID == nil:
                cognitoIdentityPoolID = try reader.decodeOptionalString()
            case .cognitoAuthenticationType where cognitoAuthenticationType == nil:
                cognitoAuthenticationType = try reader.decodeOptionalString()
            case .cognitoAuthenticationProvider where cognitoAuthenticationProvider == nil:
                cognitoAuthenticationProvider = try reader.decodeOptionalString()
            default:
                try reader.skipValue()
            }
        }
        do throws(FieldFailure) {
            var identity = WebSocketIdentity(
                sourceIP: try sourceIP.optional("sourceIp"), userAgent: try userAgent.optional("userAgent"))
            identity.accountID = try accountID.optional("accountId")
            identity.apiKey = try apiKey.optional("apiKey")
            identity.apiKeyID = try apiKeyID.optional("apiKeyId")
            identity.caller = try caller.optional("caller")
            identity.user = try user.optional("user")
            identity.userARN = try userARN.optional("userArn")
            identity.accessKey = try accessKey.optional("accessKey")
            identity.cognitoIdentityID = try cognitoIdentityID.optional("cognitoIdentityId")
            identity.cognitoIdentityPoolID = try cognitoIdentityPoolID.optional("cognitoIdentityPoolId")
            identity.cognitoAuthenticationType = try cognitoAuthenticationType.optional("cognitoAuthenticationType")
            identity.cognitoAuthenticationProvider = try cognitoAuthenticationProvider.optional("cognitoAuthenticationProvider")
            return .success(identity)
        } catch {
            return .failure(error)
        }
    }
}
