/// The bodies clients send, one type per action. Every request may also carry `request_id`, echoed in the
/// reply (see ``RequestCorrelation``).
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

/// The fields every request may carry, read before the action's own fields.
struct RequestEnvelope: Decodable, Sendable {
    var action: String?
    var requestID: RequestID?

    enum CodingKeys: String, CodingKey {
        case action
        case requestID = "request_id"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // A malformed `action` or `request_id` must not hide the other: read each leniently.
        action = try? container.decodeIfPresent(String.self, forKey: .action)
        requestID = try? container.decodeIfPresent(RequestID.self, forKey: .requestID)
    }
}

/// A client's `request_id`: a string or a number, echoed back exactly as sent.
enum RequestID: Codable, Sendable, Hashable {
    case string(String)
    case integer(Int64)
    case number(Double)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else {
            throw DecodingError.typeMismatch(
                RequestID.self,
                .init(codingPath: decoder.codingPath, debugDescription: "request_id must be a string or a number"))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .integer(let integer): try container.encode(integer)
        case .number(let number): try container.encode(number)
        }
    }
}
