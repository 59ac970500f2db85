#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// What `GetConnection` tells about a connection.
public struct ConnectionInfo: Sendable, Equatable, Decodable {
    /// Who is connected.
    public struct Identity: Sendable, Equatable, Decodable {
        /// The client's IP address.
        public var sourceIp: String
        /// The client's `User-Agent`, when it sent one.
        public var userAgent: String?

        public init(sourceIp: String, userAgent: String?) {
            self.sourceIp = sourceIp
            self.userAgent = userAgent
        }
    }

    /// When the connection was opened.
    public var connectedAt: Date
    /// The client's address and user agent.
    public var identity: Identity
    /// When the last message went either way.
    public var lastActiveAt: Date

    public init(connectedAt: Date, identity: Identity, lastActiveAt: Date) {
        self.connectedAt = connectedAt
        self.identity = identity
        self.lastActiveAt = lastActiveAt
    }

    private enum CodingKeys: String, CodingKey { case connectedAt, identity, lastActiveAt }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        identity = try container.decode(Identity.self, forKey: .identity)
        connectedAt = try Self.decodeDate(container, .connectedAt)
        lastActiveAt = try Self.decodeDate(container, .lastActiveAt)
    }

    /// ISO 8601 with or without fractional seconds, or epoch seconds.
    private static func decodeDate(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Date {
        if let seconds = try? container.decode(Double.self, forKey: key) {
            return Date(timeIntervalSince1970: seconds)
        }
        let text = try container.decode(String.self, forKey: key)
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not an ISO 8601 date: \(text)")
    }
}
