/// How the chat is set up, read from the function's environment.
///
/// | variable | meaning | default |
/// |---|---|---|
/// | `CHAT_TABLE_NAME` | DynamoDB table of connections and subscriptions (see ``ChatTableLayout``) | unset: in-memory store |
/// | `CHAT_CONNECT_TOKEN` | token clients must pass as `?token=…` on connect | unset: anyone may connect |
/// | `CHAT_MAX_MESSAGE_BYTES` | largest `message` accepted, in UTF-8 bytes (1…98304) | 32768 |
/// | `CHAT_DEFAULT_CHANNEL` | channel every connection joins on connect | `General` |
public struct ChatConfiguration: Sendable, Equatable {
    /// The DynamoDB table, or `nil` for the in-memory store.
    public var tableName: String?
    /// The token `$connect` requires in the query string, or `nil` to accept every connection.
    public var connectToken: String?
    /// The largest `message` accepted, in UTF-8 bytes.
    public var maxMessageBytes: Int
    /// The channel every connection joins on `$connect`.
    public var defaultChannel: String

    /// The default message limit: room for the JSON around a message within API Gateway's 128 KB frames.
    public static let defaultMaxMessageBytes = 32 * 1024
    /// The largest configurable limit: API Gateway refuses payloads over 128 KB, and a channel message
    /// adds JSON around the text (escaping can grow it further).
    public static let maxMessageBytesCeiling = 96 * 1024

    public init(
        tableName: String? = nil, connectToken: String? = nil,
        maxMessageBytes: Int = ChatConfiguration.defaultMaxMessageBytes, defaultChannel: String = "General"
    ) {
        self.tableName = tableName
        self.connectToken = connectToken
        self.maxMessageBytes = maxMessageBytes
        self.defaultChannel = defaultChannel
    }

    /// Reads the configuration from environment variables; empty values count as unset.
    /// - Throws: ``ChatConfigurationError`` for a value that makes no sense, so the function fails its
    ///   initialisation with a clear message rather than misbehaving later.
    public init(environment: [String: String]) throws(ChatConfigurationError) {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingWhitespace(), !text.isEmpty else { return nil }
            return text
        }
        self.init(tableName: value("CHAT_TABLE_NAME"), connectToken: value("CHAT_CONNECT_TOKEN"))
        if let text = value("CHAT_MAX_MESSAGE_BYTES") {
            guard let limit = Int(text), (1...Self.maxMessageBytesCeiling).contains(limit) else {
                throw ChatConfigurationError(
                    variable: "CHAT_MAX_MESSAGE_BYTES",
                    problem: "'\(text)' is not a whole number of bytes between 1 and \(Self.maxMessageBytesCeiling)")
            }
            maxMessageBytes = limit
        }
        if let channel = value("CHAT_DEFAULT_CHANNEL") {
            if let problem = ChatValidation.channelProblem(channel) {
                throw ChatConfigurationError(variable: "CHAT_DEFAULT_CHANNEL", problem: "the channel name \(problem)")
            }
            defaultChannel = channel
        }
    }
}

/// An environment variable with a value the chat cannot use.
public struct ChatConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The variable's name.
    public let variable: String
    /// What is wrong with its value.
    public let problem: String

    public var description: String { "\(variable): \(problem)" }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
