/// A route of a WebSocket API: `$connect`, `$disconnect`, `$default` or a custom key such as `sendMessage`.
///
/// Write custom keys as string literals: `router.on("sendMessage") { … }`.
public struct WebSocketRouteKey: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        rawValue = value
    }

    /// A client opened a connection; a non-2xx response rejects it.
    public static let connect = WebSocketRouteKey("$connect")
    /// A connection closed; the response is ignored.
    public static let disconnect = WebSocketRouteKey("$disconnect")
    /// Messages no other route matched (unknown action, non-JSON body, binary frames).
    public static let `default` = WebSocketRouteKey("$default")

    public var description: String { rawValue }
}
