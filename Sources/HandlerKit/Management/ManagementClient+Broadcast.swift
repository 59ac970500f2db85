#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// What became of a broadcast: one outcome per connection id, in the order given.
public struct BroadcastResult: Sendable {
    /// Each connection id with its failure, or `nil` when the message was delivered.
    public var outcomes: [(connectionID: String, error: ManagementError?)]

    /// Creates a result.
    public init(outcomes: [(connectionID: String, error: ManagementError?)]) {
        self.outcomes = outcomes
    }

    /// How many connections received the message.
    public var deliveredCount: Int { outcomes.count { $0.error == nil } }

    /// Connections that answered `410 Gone`: remove them from your store.
    public var goneConnectionIDs: [String] {
        outcomes.compactMap { $0.error?.kind == .gone ? $0.connectionID : nil }
    }

    /// Connections that failed for any reason but gone, with the error.
    public var failures: [(connectionID: String, error: ManagementError)] {
        outcomes.compactMap { outcome in
            guard let error = outcome.error, error.kind != .gone else { return nil }
            return (outcome.connectionID, error)
        }
    }
}

extension ManagementClient {
    /// Posts `data` to every connection in `connectionIDs`, at most `maxConcurrency` at a time, each with
    /// the client's retries. Never throws: every connection gets an outcome.
    ///
    /// With ``CurlHTTPTransport``, concurrency above its `maxConnections` only queues.
    public func broadcast(_ data: Data, to connectionIDs: [String], maxConcurrency: Int = 16) async -> BroadcastResult {
        var errors = [ManagementError?](repeating: nil, count: connectionIDs.count)
        let width = max(1, min(maxConcurrency, connectionIDs.count))
        await withTaskGroup(of: (Int, ManagementError?).self) { group in
            var next = 0
            func addNext() {
                let index = next
                next += 1
                group.addTask {
                    do throws(ManagementError) {
                        try await postToConnection(connectionIDs[index], data: data)
                        return (index, nil)
                    } catch {
                        return (index, error)
                    }
                }
            }
            while next < width { addNext() }
            while let (index, error) = await group.next() {
                errors[index] = error
                if next < connectionIDs.count { addNext() }
            }
        }
        return BroadcastResult(outcomes: zip(connectionIDs, errors).map { ($0, $1) })
    }
}
