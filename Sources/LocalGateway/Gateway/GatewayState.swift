import NIOCore

/// The gateway's bookkeeping: open connections, handshakes between `$connect` and the upgrade, and why the
/// gateway closed a connection. Every method is one transition; the state lives behind one lock in
/// ``WebSocketGateway``.
struct GatewayState {
    /// Open connections by id.
    private(set) var connections: [String: GatewayConnection] = [:]
    /// Handshakes whose `$connect` succeeded, waiting for the upgrade to finish, by channel.
    private var accepted: [ObjectIdentifier: GatewayConnection] = [:]
    /// Handshakes `$connect` refused: the answer to send instead of the upgrade, by channel.
    private var rejected: [ObjectIdentifier: HandshakeRejection] = [:]
    /// Why the gateway closed a connection (reported in its `$disconnect`), by connection id.
    private var closures: [String: ConnectionClosure] = [:]
    /// `$disconnect` invocations still running (awaited on shutdown).
    private(set) var disconnects: [String: Task<Void, Never>] = [:]

    mutating func accept(_ connection: GatewayConnection) {
        accepted[ObjectIdentifier(connection.channel)] = connection
    }

    mutating func reject(_ channel: any Channel, with rejection: HandshakeRejection) {
        rejected[ObjectIdentifier(channel)] = rejection
    }

    /// The handshake on `channel` was refused: the answer to send, once.
    mutating func takeRejection(for channel: any Channel) -> HandshakeRejection? {
        rejected.removeValue(forKey: ObjectIdentifier(channel))
    }

    /// The upgrade on `channel` finished: its connection is open.
    mutating func open(_ channel: any Channel) -> GatewayConnection? {
        guard let connection = accepted.removeValue(forKey: ObjectIdentifier(channel)) else { return nil }
        connections[connection.id] = connection
        return connection
    }

    /// A channel closed before its upgrade finished: the accepted connection it would have become, if any.
    mutating func abandonHandshake(_ channel: any Channel) -> GatewayConnection? {
        rejected.removeValue(forKey: ObjectIdentifier(channel))
        return accepted.removeValue(forKey: ObjectIdentifier(channel))
    }

    /// The open connection `id`, unless the gateway is closing it: from its close frame on, API Gateway
    /// answers `@connections` calls for it 410 and sends it nothing more.
    func connection(_ id: String) -> GatewayConnection? { closures[id] == nil ? connections[id] : nil }

    mutating func touch(_ id: String, at milliseconds: Int64) {
        connections[id]?.lastActiveMilliseconds = milliseconds
    }

    /// The gateway closes `id`: records why and returns the connection, if open and not closing already (the
    /// first reason stands).
    mutating func closing(_ id: String, _ closure: ConnectionClosure) -> GatewayConnection? {
        guard let connection = connections[id], closures[id] == nil else { return nil }
        closures[id] = closure
        return connection
    }

    /// `id`'s socket closed: forgets it and returns it with the closure its `$disconnect` reports (the
    /// gateway's reason when the gateway closed it, else the client's).
    mutating func closed(_ id: String, client: ConnectionClosure) -> (GatewayConnection, ConnectionClosure)? {
        let gatewayClosure = closures.removeValue(forKey: id)
        guard let connection = connections.removeValue(forKey: id) else { return nil }
        return (connection, gatewayClosure ?? client)
    }

    mutating func disconnectStarted(_ requestID: String, _ task: Task<Void, Never>) {
        disconnects[requestID] = task
    }

    mutating func disconnectFinished(_ requestID: String) {
        disconnects.removeValue(forKey: requestID)
    }
}

/// The answer to a handshake `$connect` refused.
struct HandshakeRejection: Sendable, Equatable {
    var status: Int
    var body: String
    var headers: [String: String]
}
