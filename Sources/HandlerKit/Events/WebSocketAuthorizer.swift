/// `requestContext.authorizer`: what a Lambda (or IAM/Cognito) authorizer attached to the `$connect` request,
/// repeated on every later event of the connection.
///
/// Custom context values may be strings, numbers or booleans; every value is kept, including
/// `principalId` and `integrationLatency`, so the object round-trips unchanged.
public struct WebSocketAuthorizer: Codable, Sendable, Hashable {
    /// Every field of the authorizer object, by name.
    public var values: [String: JSONValue]

    public init(values: [String: JSONValue] = [:]) {
        self.values = values
    }

    public init(principalID: String?, integrationLatency: Int? = nil, context: [String: JSONValue] = [:]) {
        var values = context
        if let principalID { values["principalId"] = .string(principalID) }
        if let integrationLatency { values["integrationLatency"] = .integer(Int64(integrationLatency)) }
        self.values = values
    }

    public init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: JSONValue].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    /// `principalId`: the user the authorizer identified.
    public var principalID: String? { values["principalId"]?.stringValue }

    /// `integrationLatency`: how long the authorizer took, in milliseconds.
    public var integrationLatency: Int? { values["integrationLatency"]?.integerValue.map { Int($0) } }

    /// A context value by name.
    public subscript(key: String) -> JSONValue? {
        get { values[key] }
        set { values[key] = newValue }
    }
}
