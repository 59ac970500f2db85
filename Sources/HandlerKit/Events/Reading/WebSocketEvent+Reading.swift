import Runtime

/// Decodes an event straight from its bytes in one pass, with the same outcome as the `Decodable`
/// conformance under `JSONDecoder` (same fields, same field paths in errors) at a fraction of the cost: no
/// intermediate tree, no key strings, one allocation per string longer than 15 bytes.
///
/// Each object is read member by member into the value under construction; unknown keys are skipped but
/// validated. ``MemberReadState`` keeps the first occurrence of a key and reports the first failing field in
/// declaration order, so the `Field` enums below list the members in the order the types declare them.
extension WebSocketEvent {
    fileprivate enum Field: String, CaseIterable, Sendable {
        case requestContext, headers, multiValueHeaders, queryStringParameters, multiValueQueryStringParameters
        case body, isBase64Encoded
    }

    fileprivate static let fields = JSONKeyTable<Field>()

    /// Reads one event document.
    /// - Throws: ``EventDecodingError`` naming the field, or with an empty field path when the bytes are not
    ///   one valid JSON document.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>) throws(EventDecodingError) -> WebSocketEvent {
        var reader = JSONByteReader(bytes)
        reader.skipByteOrderMark()
        // Filled in place and returned as is: the filled event is never copied (a copy retains every field).
        var event = Self.unread
        let failure: FieldFailure?
        do throws(JSONSyntaxError) {
            failure = try reader.decodeObject(into: &event) { event, reader throws(JSONSyntaxError) in
                try event.readMembers(from: &reader)
            }
            try reader.expectEnd()
        } catch {
            throw EventDecodingError(fieldPath: "", reason: error.description)
        }
        if let failure { throw failure.decodingError }
        return event
    }

    /// The event the reader fills in, copied from one made once: building it in place each time costs about
    /// 2k instructions (the compiler makes a temporary of the 600-byte struct and copies it, retaining and
    /// releasing every empty field), copying it less than half of that.
    private static let unread =
        WebSocketEvent(requestContext: WebSocketRequestContext(routeKey: "", eventType: .message, connectionID: ""))

    private mutating func readMembers(
        from reader: inout JSONByteReader
    ) throws(JSONSyntaxError) -> FieldFailure? {
        var state = MemberReadState<Field>()
        var count = 0
        while let key = try reader.nextKey(&count) {
            guard let match = Self.fields.match(key, in: reader), state.isFirstOccurrence(match) else {
                try reader.skipValue()
                continue
            }
            switch match.key {
            case .requestContext:
                let failure = try reader.decodeObject(into: &requestContext) {
                    context, reader throws(JSONSyntaxError) in try context.readMembers(from: &reader)
                }
                state.check(failure, for: match)
            case .headers: headers = state.value(try reader.decodeOptionalStringMap(), for: match) ?? nil
            case .multiValueHeaders:
                multiValueHeaders = state.value(try reader.decodeOptionalStringListMap(), for: match) ?? nil
            case .queryStringParameters:
                queryStringParameters = state.value(try reader.decodeOptionalStringMap(), for: match) ?? nil
            case .multiValueQueryStringParameters:
                multiValueQueryStringParameters =
                    state.value(try reader.decodeOptionalStringListMap(), for: match) ?? nil
            case .body: body = state.value(try reader.decodeOptionalString(), for: match) ?? nil
            case .isBase64Encoded:
                isBase64Encoded = state.value(try reader.decodeOptionalBool(), for: match) ?? nil
            }
        }
        state.require(Self.fields.match(.requestContext))
        return state.firstFailure
    }
}

extension WebSocketRequestContext {
    fileprivate enum Field: String, CaseIterable, Sendable {
        case routeKey, eventType
        case connectionID = "connectionId"
        case domainName, stage
        case apiID = "apiId"
        case requestID = "requestId"
        case extendedRequestID = "extendedRequestId"
        case messageID = "messageId"
        case messageDirection, connectedAt, requestTimeEpoch, requestTime, identity, disconnectStatusCode
        case disconnectReason, authorizer
    }

    fileprivate static let fields = JSONKeyTable<Field>()

    fileprivate mutating func readMembers(
        from reader: inout JSONByteReader
    ) throws(JSONSyntaxError) -> FieldFailure? {
        var state = MemberReadState<Field>()
        var count = 0
        while let key = try reader.nextKey(&count) {
            guard let match = Self.fields.match(key, in: reader), state.isFirstOccurrence(match) else {
                try reader.skipValue()
                continue
            }
            switch match.key {
            case .routeKey: routeKey = state.value(try reader.decodeString(), for: match) ?? ""
            case .eventType:
                eventType = state.value(try WebSocketEventType.read(from: &reader), for: match) ?? .message
            case .connectionID: connectionID = state.value(try reader.decodeString(), for: match) ?? ""
            case .domainName: domainName = state.value(try reader.decodeOptionalString(), for: match) ?? nil
            case .stage: stage = state.value(try reader.decodeOptionalString(), for: match) ?? nil
            case .apiID: apiID = state.value(try reader.decodeOptionalString(), for: match) ?? nil
            case .requestID: requestID = state.value(try reader.decodeOptionalString(), for: match) ?? nil
            case .extendedRequestID:
                extendedRequestID = state.value(try reader.decodeOptionalString(), for: match) ?? nil
            case .messageID: messageID = state.value(try reader.decodeOptionalString(), for: match) ?? nil
            case .messageDirection:
                messageDirection = state.value(try reader.decodeOptionalString(), for: match) ?? nil
            case .connectedAt: connectedAt = state.value(try reader.decodeOptionalInt64(), for: match) ?? nil
            case .requestTimeEpoch:
                requestTimeEpoch = state.value(try reader.decodeOptionalInt64(), for: match) ?? nil
            case .requestTime: requestTime = state.value(try reader.decodeOptionalString(), for: match) ?? nil
            case .identity:
                if try reader.peekKind() == .null {
                    try reader.readNull()
                    break
                }
                identity = WebSocketIdentity()
                let failure = try reader.decodeObject(into: &identity!) {
                    identity, reader throws(JSONSyntaxError) in try identity.readMembers(from: &reader)
                }
                state.check(failure, for: match)
            case .disconnectStatusCode:
                disconnectStatusCode = state.value(try reader.decodeOptionalInt(), for: match) ?? nil
            case .disconnectReason:
                disconnectReason = state.value(try reader.decodeOptionalString(), for: match) ?? nil
            case .authorizer:
                let values = try reader.decodeNullable { reader throws(JSONSyntaxError) in
                    try reader.decodeMap { reader throws(JSONSyntaxError) in try reader.decodeJSONValue() }
                        .map { WebSocketAuthorizer(values: $0) }
                }
                authorizer = state.value(values, for: match) ?? nil
            }
        }
        state.require(Self.fields.match(.routeKey))
        state.require(Self.fields.match(.eventType))
        state.require(Self.fields.match(.connectionID))
        return state.firstFailure
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

    fileprivate static let fields = JSONKeyTable<Field>()

    fileprivate mutating func readMembers(
        from reader: inout JSONByteReader
    ) throws(JSONSyntaxError) -> FieldFailure? {
        var state = MemberReadState<Field>()
        var count = 0
        while let key = try reader.nextKey(&count) {
            guard let match = Self.fields.match(key, in: reader), state.isFirstOccurrence(match) else {
                try reader.skipValue()
                continue
            }
            let value = state.value(try reader.decodeOptionalString(), for: match) ?? nil
            switch match.key {
            case .sourceIP: sourceIP = value
            case .userAgent: userAgent = value
            case .accountID: accountID = value
            case .apiKey: apiKey = value
            case .apiKeyID: apiKeyID = value
            case .caller: caller = value
            case .user: user = value
            case .userARN: userARN = value
            case .accessKey: accessKey = value
            case .cognitoIdentityID: cognitoIdentityID = value
            case .cognitoIdentityPoolID: cognitoIdentityPoolID = value
            case .cognitoAuthenticationType: cognitoAuthenticationType = value
            case .cognitoAuthenticationProvider: cognitoAuthenticationProvider = value
            }
        }
        return state.firstFailure
    }
}
