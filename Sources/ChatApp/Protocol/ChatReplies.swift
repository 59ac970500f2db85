/// What the chat sends to clients: replies to the sender of a request (route responses, to which the router
/// adds the request's `request_id`) and notifications posted to other connections. Every one is a JSON object whose
/// `type` says what it is; the only exception is a direct message, delivered exactly as it was sent.

/// The reply to a request.
struct ChatReply: Encodable, Sendable, Equatable {
    /// `whoAmI`, `sent`, `subscribed`, `unsubscribed`, `channelMessageSent` or `error`.
    var type: String
    var connectionId: String?
    var channel: String?
    /// Subscribers of the channel after a subscribe or unsubscribe.
    var subscribers: Int?
    /// Whether a subscribe or unsubscribe changed anything (`false`: already subscribed / not subscribed).
    var changed: Bool?
    /// Connections a channel message reached.
    var delivered: Int?
    /// Subscribers found gone (and removed) while broadcasting.
    var gone: Int?
    /// Subscribers that could not be reached for another reason (throttling, server errors).
    var failed: Int?
    /// For errors: a stable code (see ``ChatError``).
    var error: String?
    /// For errors: the offending field, when one is to blame.
    var field: String?
    /// For errors: an explanation for people.
    var message: String?
    /// For errors: a limit that was exceeded, in bytes.
    var limit: Int?
    /// For errors about the action: the actions the chat understands.
    var knownActions: [String]?

    init(type: String) { self.type = type }

    enum CodingKeys: String, CodingKey {
        case type, connectionId, channel, subscribers, changed, delivered, gone, failed, error, field, message, limit
        case knownActions
    }
}

/// A notification posted to subscribers of a channel.
struct ChannelNotification: Encodable, Sendable, Equatable {
    /// `joined`, `left` or `channelMessage`.
    var type: String
    var channel: String
    /// Who joined or left, or who sent the message.
    var connectionId: String
    /// The message, for `channelMessage`.
    var message: String?

    static func joined(_ channel: String, by connectionID: String) -> Self {
        .init(type: "joined", channel: channel, connectionId: connectionID)
    }

    static func left(_ channel: String, by connectionID: String) -> Self {
        .init(type: "left", channel: channel, connectionId: connectionID)
    }

    static func message(_ message: String, in channel: String, from connectionID: String) -> Self {
        .init(type: "channelMessage", channel: channel, connectionId: connectionID, message: message)
    }
}
