import NIOCore

/// One open WebSocket connection as the gateway knows it.
struct GatewayConnection: Sendable {
    /// The connection id, as in `requestContext.connectionId` and the `@connections/{id}` path.
    var id: String
    var channel: any Channel
    /// Epoch milliseconds of the handshake (`requestContext.connectedAt`).
    var connectedAtMilliseconds: Int64
    /// Epoch milliseconds of the last message either way (GetConnection's `lastActiveAt`).
    var lastActiveMilliseconds: Int64
    var sourceIP: String
    var userAgent: String?
}
