#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import Logging

/// The chat's behaviour, one method per route, independent of how events arrive.
///
/// Replies go back to the caller as route responses; notifications reach other connections through a
/// ``ChatMessenger``. A connection found gone (410) while posting is removed from the store at once.
public struct ChatService: Sendable {
    /// The actions a message may name, in the order the `$default` reply lists them.
    public static let knownActions = ["whoAmI", "sendMessage", "subscribe", "unsubscribe", "channelMessage"]

    /// Where connections and subscriptions live.
    public let store: any ConnectionStore
    /// Token, limits, default channel.
    public let configuration: ChatConfiguration

    public init(store: any ConnectionStore, configuration: ChatConfiguration) {
        self.store = store
        self.configuration = configuration
    }

    /// Who is calling and how to reach others, for one invocation.
    public struct Call: Sendable {
        /// The caller's connection id.
        public var connectionID: String
        /// How to post to other connections.
        public var messenger: any ChatMessenger
        /// The invocation's logger.
        public var logger: Logger

        public init(connectionID: String, messenger: any ChatMessenger, logger: Logger) {
            self.connectionID = connectionID
            self.messenger = messenger
            self.logger = logger
        }
    }

    /// The outcome of `$connect`.
    public enum ConnectOutcome: Sendable, Equatable {
        /// Accept the handshake.
        case accepted
        /// Refuse it: the configured token was missing or wrong (HTTP 401).
        case unauthorized
    }

    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    // MARK: Connection lifecycle

    /// `$connect`: checks the token, records the connection, subscribes it to the default channel and tells
    /// that channel's other subscribers.
    /// - Throws: the store's error when the connection could not be recorded or subscribed; the handshake must
    ///   then fail (what was written is removed again, as API Gateway sends no `$disconnect` for a refused
    ///   connection). A failure to tell the others is only logged: the connection itself is fine.
    public func connect(
        _ call: Call, token: String?, connectedAt: Int64, sourceIP: String?, userAgent: String?
    ) async throws -> ConnectOutcome {
        if let expected = configuration.connectToken {
            guard let token, Self.constantTimeEqual(token, expected) else {
                call.logger.notice("refusing connection \(call.connectionID): \(token == nil ? "no" : "wrong") token")
                return .unauthorized
            }
        }
        let channel = configuration.defaultChannel
        do {
            try await store.addConnection(
                ConnectionRecord(
                    connectionID: call.connectionID, connectedAt: connectedAt, sourceIP: sourceIP, userAgent: userAgent))
            try await store.subscribe(call.connectionID, to: channel)
        } catch {
            _ = try? await store.removeConnection(call.connectionID)
            throw error
        }
        // The new connection cannot receive posts until $connect returns: tell only the others.
        await announce(.joined(channel, by: call.connectionID), excluding: call.connectionID, call)
        return .accepted
    }

    /// `$disconnect`: forgets the connection and its subscriptions, and tells each of its channels.
    /// - Throws: the store's error when the connection could not be removed. Failing to tell a channel is only
    ///   logged; the other channels are still told.
    public func disconnect(_ call: Call) async throws {
        let channels = try await store.removeConnection(call.connectionID)
        for channel in channels {
            await announce(.left(channel, by: call.connectionID), excluding: nil, call)
        }
    }

    /// Tells a channel's subscribers (but `excluding`) about a join or leave; store failures are logged.
    private func announce(_ notification: ChannelNotification, excluding connectionID: String?, _ call: Call) async {
        do {
            let subscribers = try await store.subscribers(of: notification.channel).filter { $0 != connectionID }
            _ = await notify(subscribers, of: notification, call)
        } catch {
            call.logger.error(
                "could not tell \(notification.channel) that \(call.connectionID) \(notification.type): \(error)")
        }
    }

    // MARK: Actions

    /// `whoAmI`: the caller's connection id.
    func whoAmI(_ call: Call) -> ChatReply {
        var reply = ChatReply(type: "whoAmI")
        reply.connectionId = call.connectionID
        return reply
    }

    /// `sendMessage {connectionId, message}`: delivers `message`, as sent, to one connection.
    func sendMessage(_ request: SendMessageRequest, _ call: Call) async throws(ChatError) -> ChatReply {
        if let problem = ChatValidation.connectionIDProblem(request.connectionId) {
            throw .invalidField("connectionId", problem)
        }
        try ChatValidation.checkMessage(request.message, limit: configuration.maxMessageBytes)
        switch await call.messenger.post(Data(request.message.utf8), to: request.connectionId) {
        case .delivered:
            var reply = ChatReply(type: "sent")
            reply.connectionId = request.connectionId
            return reply
        case .gone:
            await removeGone([request.connectionId], call)
            throw .gone(request.connectionId)
        case .failed(let reason):
            call.logger.warning("sendMessage to \(request.connectionId) failed: \(reason)")
            throw .deliveryFailed(request.connectionId, reason)
        }
    }

    /// `subscribe {channel}`: joins (creating the channel if needed) and tells the other subscribers.
    func subscribe(_ request: ChannelRequest, _ call: Call) async throws(ChatError) -> ChatReply {
        try Self.checkChannel(request.channel)
        let (changed, subscribers) = try await storeCall(call) {
            let changed = try await store.subscribe(call.connectionID, to: request.channel)
            return (changed, try await store.subscribers(of: request.channel))
        }
        if changed {
            let others = subscribers.filter { $0 != call.connectionID }
            _ = await notify(others, of: .joined(request.channel, by: call.connectionID), call)
        }
        return membershipReply("subscribed", request.channel, subscribers: subscribers.count, changed: changed)
    }

    /// `unsubscribe {channel}`: leaves and tells the remaining subscribers.
    func unsubscribe(_ request: ChannelRequest, _ call: Call) async throws(ChatError) -> ChatReply {
        try Self.checkChannel(request.channel)
        let (changed, remaining) = try await storeCall(call) {
            let changed = try await store.unsubscribe(call.connectionID, from: request.channel)
            return (changed, try await store.subscribers(of: request.channel))
        }
        if changed {
            _ = await notify(remaining, of: .left(request.channel, by: call.connectionID), call)
        }
        return membershipReply("unsubscribed", request.channel, subscribers: remaining.count, changed: changed)
    }

    /// `channelMessage {channel, message}`: broadcasts to every subscriber of the channel (the sender too,
    /// when subscribed).
    func channelMessage(_ request: ChannelMessageRequest, _ call: Call) async throws(ChatError) -> ChatReply {
        try Self.checkChannel(request.channel)
        try ChatValidation.checkMessage(request.message, limit: configuration.maxMessageBytes)
        let subscribers = try await storeCall(call) { try await store.subscribers(of: request.channel) }
        let summary = await notify(
            subscribers, of: .message(request.message, in: request.channel, from: call.connectionID), call)
        var reply = ChatReply(type: "channelMessageSent")
        reply.channel = request.channel
        reply.delivered = summary.delivered
        reply.gone = summary.gone.count
        reply.failed = summary.failed.count
        return reply
    }

    /// `$default`: explains what the chat understands.
    func unknownAction(body: Data?, isBinary: Bool) -> ChatError {
        let actions = Self.knownActions.joined(separator: ", ")
        var error: ChatError
        if isBinary {
            error = .invalidRequest(
                "Binary messages are not understood. Send JSON text such as {\"action\": \"whoAmI\"}. Known actions: \(actions).")
        } else if let body, let probe = try? JSONDecoder().decode(ActionProbe.self, from: body) {
            switch probe.action {
            case .missing:
                error = .missingField("action")
                error.message += " Known actions: \(actions)."
            case .notAString:
                error = .invalidField("action", "must be a string")
                error.message += " Known actions: \(actions)."
            case .named(let name):
                error = ChatError(
                    code: "unknownAction", field: "action",
                    message: "Unknown action \"\(name)\". Known actions: \(actions).")
            }
        } else {
            error = .invalidRequest(
                "Messages are JSON objects with an \"action\" field, such as {\"action\": \"whoAmI\"}. Known actions: \(actions).")
        }
        error.knownActions = Self.knownActions
        return error
    }

    // MARK: Helpers

    /// Posts a notification to `connectionIDs` and removes those found gone.
    private func notify(_ connectionIDs: [String], of notification: ChannelNotification, _ call: Call) async -> BroadcastSummary {
        guard !connectionIDs.isEmpty else { return BroadcastSummary() }
        guard let payload = try? encoder.encode(notification) else { return BroadcastSummary() }
        let summary = await call.messenger.broadcast(payload, to: connectionIDs)
        for (connectionID, reason) in summary.failed.sorted(by: { $0.key < $1.key }) {
            call.logger.warning("could not notify \(connectionID) (\(notification.type) \(notification.channel)): \(reason)")
        }
        await removeGone(summary.gone, call)
        return summary
    }

    /// Removes connections that answered 410, so that no one posts to them again.
    private func removeGone(_ connectionIDs: [String], _ call: Call) async {
        guard !connectionIDs.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            for connectionID in connectionIDs {
                group.addTask {
                    do {
                        try await store.removeConnection(connectionID)
                        call.logger.info("removed stale connection \(connectionID)")
                    } catch {
                        call.logger.error("could not remove stale connection \(connectionID): \(error)")
                    }
                }
            }
        }
    }

    /// Runs store calls, turning their failure into a `storeUnavailable` reply.
    private func storeCall<Result: Sendable>(
        _ call: Call, _ body: () async throws -> Result
    ) async throws(ChatError) -> Result {
        do {
            return try await body()
        } catch {
            call.logger.error("connection store failed: \(error)")
            throw .storeUnavailable(String(describing: error))
        }
    }

    private func membershipReply(_ type: String, _ channel: String, subscribers: Int, changed: Bool) -> ChatReply {
        var reply = ChatReply(type: type)
        reply.channel = channel
        reply.subscribers = subscribers
        reply.changed = changed
        return reply
    }

    private static func checkChannel(_ channel: String) throws(ChatError) {
        if let problem = ChatValidation.channelProblem(channel) { throw .invalidField("channel", problem) }
    }

    /// Compares secrets without an early exit that would leak how much of a guess matched.
    static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? left[index] : 0
            let b = index < right.count ? right[index] : 0
            difference |= a ^ b
        }
        return difference == 0
    }
}

/// What a `$default` body says about its `action`.
private struct ActionProbe: Decodable {
    enum Action { case missing, notAString, named(String) }
    var action: Action

    enum CodingKeys: String, CodingKey { case action }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if !container.contains(.action) {
            action = .missing
        } else if let name = try? container.decode(String.self, forKey: .action) {
            action = .named(name)
        } else {
            action = .notAString
        }
    }
}
