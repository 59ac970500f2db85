#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import HandlerKit

/// The management client reaches connections for the chat: `410 Gone` becomes ``DeliveryOutcome/gone``,
/// so the chat can drop the connection from its store.
extension ManagementClient: ChatMessenger {
    public func post(_ payload: Data, to connectionID: String) async -> DeliveryOutcome {
        do throws(ManagementError) {
            try await postToConnection(connectionID, data: payload)
            return .delivered
        } catch {
            return error.kind == .gone ? .gone : .failed(error.description)
        }
    }

    public func broadcast(_ payload: Data, to connectionIDs: [String]) async -> BroadcastSummary {
        let result: BroadcastResult = await broadcast(payload, to: connectionIDs)
        var failed: [String: String] = [:]
        for failure in result.failures {
            failed[failure.connectionID] = failure.error.description
        }
        return BroadcastSummary(delivered: result.deliveredCount, gone: result.goneConnectionIDs, failed: failed)
    }
}
