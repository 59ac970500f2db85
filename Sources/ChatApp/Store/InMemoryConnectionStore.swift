import Synchronization

/// A ``ConnectionStore`` held in the function's memory.
///
/// The default for tests and local runs with one function instance. Its contents live as long as the
/// process: with several instances (or on Lambda, where instances come and go) each would see only its own
/// connections, so deployed functions use ``DynamoDBConnectionStore``.
public final class InMemoryConnectionStore: ConnectionStore {
    private struct State {
        var connections: [String: ConnectionRecord] = [:]
        /// Channel name → its subscribers.
        var subscribers: [String: Set<String>] = [:]
        /// Connection id → the channels it joined.
        var memberships: [String: Set<String>] = [:]

        /// Removes one subscriber, and the channel with its last one. Returns whether it was subscribed.
        @discardableResult
        mutating func removeSubscriber(_ connectionID: String, from channel: String) -> Bool {
            guard subscribers[channel]?.remove(connectionID) != nil else { return false }
            if subscribers[channel]?.isEmpty == true { subscribers[channel] = nil }
            return true
        }
    }

    private let state = Mutex(State())

    public init() {}

    public func addConnection(_ connection: ConnectionRecord) async throws {
        state.withLock { $0.connections[connection.connectionID] = connection }
    }

    public func connection(_ connectionID: String) async throws -> ConnectionRecord? {
        state.withLock { $0.connections[connectionID] }
    }

    @discardableResult
    public func removeConnection(_ connectionID: String) async throws -> [String] {
        state.withLock { state in
            state.connections[connectionID] = nil
            let channels = state.memberships.removeValue(forKey: connectionID) ?? []
            for channel in channels {
                state.removeSubscriber(connectionID, from: channel)
            }
            return channels.sorted()
        }
    }

    @discardableResult
    public func subscribe(_ connectionID: String, to channel: String) async throws -> Bool {
        state.withLock { state in
            state.memberships[connectionID, default: []].insert(channel)
            return state.subscribers[channel, default: []].insert(connectionID).inserted
        }
    }

    @discardableResult
    public func unsubscribe(_ connectionID: String, from channel: String) async throws -> Bool {
        state.withLock { state in
            if state.memberships[connectionID]?.remove(channel) != nil, state.memberships[connectionID]?.isEmpty == true {
                state.memberships[connectionID] = nil
            }
            return state.removeSubscriber(connectionID, from: channel)
        }
    }

    public func subscribers(of channel: String) async throws -> [String] {
        state.withLock { $0.subscribers[channel].map { $0.sorted() } ?? [] }
    }

    public func channels(of connectionID: String) async throws -> [String] {
        state.withLock { $0.memberships[connectionID].map { $0.sorted() } ?? [] }
    }
}
