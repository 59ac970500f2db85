/// The bodies clients send, one type per action. Every request may also carry `request_id`, echoed in the
/// reply (HandlerKit's `RequestCorrelation`).
///
/// Field names are the wire names; a missing field or one of the wrong type is answered with an error that
/// names it (``ChatError/invalidField(_:_:)``).

/// `{"action": "sendMessage", "connectionId": "…", "message": "…"}`: deliver `message` to one connection.
struct SendMessageRequest: Decodable, Sendable {
    var connectionId: String
    var message: String
}

/// `{"action": "subscribe" | "unsubscribe", "channel": "…"}`: join or leave a channel.
struct ChannelRequest: Decodable, Sendable {
    var channel: String
}

/// `{"action": "channelMessage", "channel": "…", "message": "…"}`: broadcast to a channel's subscribers.
struct ChannelMessageRequest: Decodable, Sendable {
    var channel: String
    var message: String
}
