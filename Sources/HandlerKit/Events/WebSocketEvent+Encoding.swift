#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

extension WebSocketEvent {
    /// The event as API Gateway sends it: the members `JSONEncoder` writes for it (absent ones left out, slashes
    /// not escaped), written directly: the length is measured first, then the text goes into one buffer.
    ///
    /// The local gateway encodes one event per message; `JSONEncoder` cost it more than the rest of building
    /// the event. Numbers that are not finite (only possible in authorizer values) are written as `null`.
    package func encodedJSON() -> Data {
        var measuring = JSONTextWriter(measuring: ())
        write(to: &measuring)
        var data = Data(count: measuring.count)
        data.withUnsafeMutableBytes { raw in
            var writer = JSONTextWriter(into: raw.bindMemory(to: UInt8.self))
            write(to: &writer)
        }
        return data
    }

    private func write(to writer: inout JSONTextWriter) {
        var object = JSONObjectWriter(writer: writer)
        object.member("requestContext") { requestContext.write(to: &$0) }
        object.member("headers", headers) { $0.write(strings: $1) }
        object.member("multiValueHeaders", multiValueHeaders) { $0.write(stringLists: $1) }
        object.member("queryStringParameters", queryStringParameters) { $0.write(strings: $1) }
        object.member("multiValueQueryStringParameters", multiValueQueryStringParameters) { $0.write(stringLists: $1) }
        object.member("body", body)
        object.member("isBase64Encoded", isBase64Encoded)
        writer = object.close()
    }
}

extension WebSocketRequestContext {
    fileprivate func write(to writer: inout JSONTextWriter) {
        var object = JSONObjectWriter(writer: writer)
        object.member("routeKey", routeKey)
        object.member("eventType", eventType.rawValue)
        object.member("connectionId", connectionID)
        object.member("domainName", domainName)
        object.member("stage", stage)
        object.member("apiId", apiID)
        object.member("requestId", requestID)
        object.member("extendedRequestId", extendedRequestID)
        object.member("messageId", messageID)
        object.member("messageDirection", messageDirection)
        object.member("connectedAt", connectedAt)
        object.member("requestTimeEpoch", requestTimeEpoch)
        object.member("requestTime", requestTime)
        object.member("identity", identity) { writer, identity in identity.write(to: &writer) }
        object.member("disconnectStatusCode", disconnectStatusCode.map(Int64.init))
        object.member("disconnectReason", disconnectReason)
        object.member("authorizer", authorizer) { $0.write(values: $1.values) }
        writer = object.close()
    }
}

extension WebSocketIdentity {
    fileprivate func write(to writer: inout JSONTextWriter) {
        var object = JSONObjectWriter(writer: writer)
        object.member("sourceIp", sourceIP)
        object.member("userAgent", userAgent)
        object.member("accountId", accountID)
        object.member("apiKey", apiKey)
        object.member("apiKeyId", apiKeyID)
        object.member("caller", caller)
        object.member("user", user)
        object.member("userArn", userARN)
        object.member("accessKey", accessKey)
        object.member("cognitoIdentityId", cognitoIdentityID)
        object.member("cognitoIdentityPoolId", cognitoIdentityPoolID)
        object.member("cognitoAuthenticationType", cognitoAuthenticationType)
        object.member("cognitoAuthenticationProvider", cognitoAuthenticationProvider)
        writer = object.close()
    }
}

/// Writes one JSON object's members, separated by commas; absent (`nil`) members are left out.
private struct JSONObjectWriter {
    private var writer: JSONTextWriter
    private var empty = true

    init(writer: JSONTextWriter) {
        self.writer = writer
        self.writer.append("{")
    }

    private mutating func name(_ name: StaticString) {
        writer.append(empty ? "\"" : ",\"")
        writer.append(name)
        writer.append("\":")
        empty = false
    }

    mutating func member(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        self.name(name)
        writer.append(string: value)
    }

    mutating func member(_ name: StaticString, _ value: Int64?) {
        guard let value else { return }
        self.name(name)
        writer.append(integer: Int(value))
    }

    mutating func member(_ name: StaticString, _ value: Bool?) {
        guard let value else { return }
        self.name(name)
        writer.append(value ? "true" : "false")
    }

    mutating func member(_ name: StaticString, _ write: (inout JSONTextWriter) -> Void) {
        self.name(name)
        write(&writer)
    }

    mutating func member<Value>(_ name: StaticString, _ value: Value?, _ write: (inout JSONTextWriter, Value) -> Void) {
        guard let value else { return }
        self.name(name)
        write(&writer, value)
    }

    consuming func close() -> JSONTextWriter {
        writer.append("}")
        return writer
    }
}

extension JSONTextWriter {
    /// `{"key":value,…}`, each value written by `writeValue`.
    fileprivate mutating func write<Value>(object: [String: Value], _ writeValue: (inout JSONTextWriter, Value) -> Void) {
        append("{")
        var first = true
        for (key, value) in object {
            if !first { append(",") }
            first = false
            append(string: key)
            append(":")
            writeValue(&self, value)
        }
        append("}")
    }

    fileprivate mutating func write(strings: [String: String]) {
        write(object: strings) { $0.append(string: $1) }
    }

    fileprivate mutating func write(stringLists: [String: [String]]) {
        write(object: stringLists) { writer, values in
            writer.append("[")
            for (index, value) in values.enumerated() {
                if index > 0 { writer.append(",") }
                writer.append(string: value)
            }
            writer.append("]")
        }
    }

    fileprivate mutating func write(values: [String: JSONValue]) {
        write(object: values) { $0.write($1) }
    }

    fileprivate mutating func write(_ value: JSONValue) {
        switch value {
        case .string(let string): append(string: string)
        case .integer(let integer): append(integer: Int(integer))
        case .number(let number): number.isFinite ? append(json: "\(number)") : append("null")
        case .bool(let bool): append(bool ? "true" : "false")
        case .null: append("null")
        case .array(let values):
            append("[")
            for (index, element) in values.enumerated() {
                if index > 0 { append(",") }
                write(element)
            }
            append("]")
        case .object(let values): write(values: values)
        }
    }
}
