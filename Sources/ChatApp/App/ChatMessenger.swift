#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// How the chat reaches connections other than the caller: the `@connections` management API in
/// production (see `ManagementClient`'s conformance), anything that records posts in tests.
public protocol ChatMessenger: Sendable {
    /// Posts `payload` to one connection.
    func post(_ payload: Data, to connectionID: String) async -> DeliveryOutcome

    /// Posts `payload` to every connection in `connectionIDs`, concurrently.
    func broadcast(_ payload: Data, to connectionIDs: [String]) async -> BroadcastSummary
}

/// What became of one post.
public enum DeliveryOutcome: Sendable, Equatable {
    /// The connection received it.
    case delivered
    /// The connection no longer exists (`410 Gone`): it should leave the store.
    case gone
    /// Anything else (throttling after retries, a server error, a refused payload), explained.
    case failed(String)
}

/// What became of a broadcast.
public struct BroadcastSummary: Sendable, Equatable {
    /// Connections that received the payload.
    public var delivered: Int
    /// Connections that answered `410 Gone`.
    public var gone: [String]
    /// Connections that could not be reached for another reason, with the reason.
    public var failed: [String: String]

    public init(delivered: Int = 0, gone: [String] = [], failed: [String: String] = [:]) {
        self.delivered = delivered
        self.gone = gone
        self.failed = failed
    }
}
