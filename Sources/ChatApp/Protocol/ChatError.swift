/// A request the chat refuses, answered with an `error` reply instead of a crash.
///
/// ``code`` is stable for programs (`missingField`, `invalidField`, `messageTooLarge`, `unknownAction`,
/// `invalidRequest`, `gone`, `deliveryFailed`, `storeUnavailable`); ``message`` explains it to people.
struct ChatError: Error, Sendable, Equatable {
    var code: String
    var field: String?
    var message: String
    var limit: Int?
    /// The actions the chat understands, for errors about the action.
    var knownActions: [String]?

    /// A required field is absent.
    static func missingField(_ field: String) -> Self {
        .init(code: "missingField", field: field, message: "The field \"\(field)\" is required.")
    }

    /// A field has the wrong type or an unacceptable value.
    static func invalidField(_ field: String, _ reason: String) -> Self {
        .init(code: "invalidField", field: field, message: "The field \"\(field)\" \(reason).")
    }

    /// A body that is not a request at all (not JSON, not an object, binary).
    static func invalidRequest(_ problem: String) -> Self {
        .init(code: "invalidRequest", message: problem)
    }

    /// A message over the configured size limit.
    static func messageTooLarge(size: Int, limit: Int) -> Self {
        .init(
            code: "messageTooLarge", field: "message",
            message: "The message is \(size) bytes; the limit is \(limit) bytes. Split it or send less.",
            limit: limit)
    }

    /// The target of a direct message is no longer connected.
    static func gone(_ connectionID: String) -> Self {
        .init(code: "gone", field: "connectionId", message: "Connection \(connectionID) is no longer connected.")
    }

    /// Posting failed for another reason than the target being gone.
    static func deliveryFailed(_ connectionID: String, _ reason: String) -> Self {
        .init(code: "deliveryFailed", field: "connectionId", message: "Could not deliver to \(connectionID): \(reason)")
    }

    /// The connection store failed.
    static func storeUnavailable(_ reason: String) -> Self {
        .init(code: "storeUnavailable", message: "The chat cannot reach its connection store right now (\(reason)). Try again.")
    }

    /// The reply that carries this error.
    var reply: ChatReply {
        var reply = ChatReply(type: "error")
        reply.error = code
        reply.field = field
        reply.message = message
        reply.limit = limit
        reply.knownActions = knownActions
        return reply
    }
}
