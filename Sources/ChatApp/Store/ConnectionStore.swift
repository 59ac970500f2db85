/// What the chat application remembers between invocations: the open connections and which channels each
/// one has joined.
///
/// Lambda keeps no state between invocations, and several function instances serve the same API at once,
/// so production uses a shared store (``DynamoDBConnectionStore``); ``InMemoryConnectionStore`` serves
/// tests and single-instance local runs.
///
/// Channels exist as long as they have subscribers: the first subscription creates one, the last
/// unsubscription removes it. Every listing is sorted, so callers and tests see a stable order.
public protocol ConnectionStore: Sendable {
    /// Records a connection, replacing any earlier record with the same id.
    func addConnection(_ connection: ConnectionRecord) async throws

    /// The record of a connection, or `nil` when the store does not know it.
    func connection(_ connectionID: String) async throws -> ConnectionRecord?

    /// Forgets a connection and all its subscriptions.
    /// - Returns: the channels it had joined, sorted.
    @discardableResult
    func removeConnection(_ connectionID: String) async throws -> [String]

    /// Adds a connection to a channel, creating the channel if it has no subscribers yet.
    /// - Returns: `false` when the connection was already subscribed.
    @discardableResult
    func subscribe(_ connectionID: String, to channel: String) async throws -> Bool

    /// Removes a connection from a channel.
    /// - Returns: `false` when the connection was not subscribed.
    @discardableResult
    func unsubscribe(_ connectionID: String, from channel: String) async throws -> Bool

    /// Every connection subscribed to a channel, sorted; empty for a channel nobody has joined.
    func subscribers(of channel: String) async throws -> [String]

    /// Every channel a connection has joined, sorted.
    func channels(of connectionID: String) async throws -> [String]
}

/// A connection as the chat application records it on `$connect`.
public struct ConnectionRecord: Sendable, Hashable, Codable {
    /// API Gateway's id for the connection, the address of `@connections` posts.
    public var connectionID: String
    /// When the connection was opened, in milliseconds since the Unix epoch.
    public var connectedAt: Int64
    /// The client's IP address, when the event carried it.
    public var sourceIP: String?
    /// The client's `User-Agent`, when the event carried it.
    public var userAgent: String?

    public init(connectionID: String, connectedAt: Int64, sourceIP: String? = nil, userAgent: String? = nil) {
        self.connectionID = connectionID
        self.connectedAt = connectedAt
        self.sourceIP = sourceIP
        self.userAgent = userAgent
    }
}
