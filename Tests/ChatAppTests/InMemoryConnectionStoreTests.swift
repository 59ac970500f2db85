import ChatApp
import Testing

@Suite struct InMemoryConnectionStoreTests {
    @Test func connectionsAreRecordedAndForgotten() async throws {
        try await ConnectionStoreContract.connectionsAreRecordedAndForgotten(InMemoryConnectionStore())
    }

    @Test func subscriptionsAreVisibleFromBothSides() async throws {
        try await ConnectionStoreContract.subscriptionsAreVisibleFromBothSides(InMemoryConnectionStore())
    }

    @Test func removingAConnectionRemovesItsSubscriptions() async throws {
        try await ConnectionStoreContract.removingAConnectionRemovesItsSubscriptions(InMemoryConnectionStore())
    }

    @Test func subscriptionsDoNotNeedAConnectionRecord() async throws {
        try await ConnectionStoreContract.subscriptionsDoNotNeedAConnectionRecord(InMemoryConnectionStore())
    }

    @Test func largeChannelsAndManyMemberships() async throws {
        try await ConnectionStoreContract.largeChannelsAndManyMemberships(
            InMemoryConnectionStore(), subscribers: 500, channels: 60)
    }
}
