/// The rules request fields must follow. Each check returns what is wrong, or `nil`.
enum ChatValidation {
    /// The longest channel name, in UTF-8 bytes (DynamoDB keys allow far more; people need less).
    static let maxChannelBytes = 128
    /// The longest connection id accepted as a target (API Gateway's are 16 characters).
    static let maxConnectionIDBytes = 256

    /// Channel names: 1 to 128 bytes, not only spaces, no control characters. Any other name is fine: the
    /// first subscription creates the channel.
    static func channelProblem(_ channel: String) -> String? {
        if channel.trimmingWhitespace().isEmpty { return "must not be empty" }
        if channel.utf8.count > maxChannelBytes { return "must be at most \(maxChannelBytes) bytes long" }
        if channel.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "must not contain control characters"
        }
        return nil
    }

    /// Connection ids: non-empty, at most 256 bytes, no control characters or spaces.
    static func connectionIDProblem(_ connectionID: String) -> String? {
        if connectionID.isEmpty { return "must not be empty" }
        if connectionID.utf8.count > maxConnectionIDBytes { return "must be at most \(maxConnectionIDBytes) bytes long" }
        // Ids are printable ASCII as a rule: a byte scan clears them; any other byte gets the Unicode check.
        if connectionID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return nil }
        if connectionID.unicodeScalars.contains(where: {
            $0.properties.generalCategory == .control || $0.properties.isWhitespace
        }) {
            return "must not contain spaces or control characters"
        }
        return nil
    }

    /// Messages: not empty, and within the configured size.
    static func checkMessage(_ message: String, limit: Int) throws(ChatError) {
        if message.isEmpty { throw .invalidField("message", "must not be empty") }
        let size = message.utf8.count
        if size > limit { throw .messageTooLarge(size: size, limit: limit) }
    }
}
