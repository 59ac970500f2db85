import ChatApp
import Testing

/// The behaviour every ``ConnectionStore`` must show, run against each implementation.
enum ConnectionStoreContract {
    static func connectionsAreRecordedAndForgotten(_ store: some ConnectionStore) async throws {
        let record = ConnectionRecord(
            connectionID: "Kx2w9fQ0IAMCJpQ=", connectedAt: 1_735_000_000_123, sourceIP: "203.0.113.9",
            userAgent: "websocat/1.13")
        try await store.addConnection(record)
        #expect(try await store.connection("Kx2w9fQ0IAMCJpQ=") == record)
        #expect(try await store.connection("unknown=") == nil)

        try await store.removeConnection("Kx2w9fQ0IAMCJpQ=")
        #expect(try await store.connection("Kx2w9fQ0IAMCJpQ=") == nil)
    }

    static func subscriptionsAreVisibleFromBothSides(_ store: some ConnectionStore) async throws {
        for id in ["a=", "b=", "c="] {
            try await store.addConnection(ConnectionRecord(connectionID: id, connectedAt: 1))
        }
        #expect(try await store.subscribe("b=", to: "General"))
        #expect(try await store.subscribe("a=", to: "General"))
        #expect(try await store.subscribe("a=", to: "swift"))
        #expect(try await store.subscribe("a=", to: "General") == false, "a second subscribe changes nothing")

        #expect(try await store.subscribers(of: "General") == ["a=", "b="])
        #expect(try await store.subscribers(of: "swift") == ["a="])
        #expect(try await store.subscribers(of: "nobody-here") == [])
        #expect(try await store.channels(of: "a=") == ["General", "swift"])
        #expect(try await store.channels(of: "c=") == [])

        #expect(try await store.unsubscribe("a=", from: "General"))
        #expect(try await store.unsubscribe("a=", from: "General") == false, "already left")
        #expect(try await store.unsubscribe("c=", from: "never-joined") == false)
        #expect(try await store.subscribers(of: "General") == ["b="])
        #expect(try await store.channels(of: "a=") == ["swift"])
    }

    static func removingAConnectionRemovesItsSubscriptions(_ store: some ConnectionStore) async throws {
        try await store.addConnection(ConnectionRecord(connectionID: "leaver=", connectedAt: 1))
        try await store.addConnection(ConnectionRecord(connectionID: "stayer=", connectedAt: 1))
        for channel in ["General", "random", "ünïcødé 🎉", "with#hash"] {
            try await store.subscribe("leaver=", to: channel)
        }
        try await store.subscribe("stayer=", to: "random")

        let left = try await store.removeConnection("leaver=")
        #expect(left == ["General", "random", "with#hash", "ünïcødé 🎉"].sorted())
        #expect(try await store.channels(of: "leaver=") == [])
        #expect(try await store.subscribers(of: "random") == ["stayer="])
        #expect(try await store.subscribers(of: "General") == [])
        #expect(try await store.subscribers(of: "ünïcødé 🎉") == [])
        #expect(try await store.removeConnection("leaver=") == [], "removing twice is harmless")
    }

    /// Subscriptions without a connection record (the record was lost, or written by another instance that
    /// crashed) are still listed and still removed.
    static func subscriptionsDoNotNeedAConnectionRecord(_ store: some ConnectionStore) async throws {
        try await store.subscribe("orphan=", to: "General")
        #expect(try await store.subscribers(of: "General").contains("orphan="))
        #expect(try await store.removeConnection("orphan=") == ["General"])
        #expect(try await store.subscribers(of: "General").contains("orphan=") == false)
    }

    /// Enough subscribers and channels to need several query pages and several batch writes.
    static func largeChannelsAndManyMemberships(_ store: some ConnectionStore, subscribers: Int, channels: Int)
        async throws
    {
        let ids = (0..<subscribers).map { "conn-\($0)=" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask { try await store.subscribe(id, to: "crowded") }
            }
            try await group.waitForAll()
        }
        #expect(try await store.subscribers(of: "crowded") == ids.sorted())

        let names = (0..<channels).map { "channel-\($0)" }
        for name in names {
            try await store.subscribe("busy=", to: name)
        }
        #expect(try await store.channels(of: "busy=") == names.sorted())
        #expect(try await store.removeConnection("busy=") == names.sorted())
        for name in names.prefix(3) {
            #expect(try await store.subscribers(of: name) == [])
        }
    }
}
