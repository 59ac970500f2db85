import ChatApp
import DynamoKit
import Testing
import TestServices

/// The store contract against a real DynamoDB-compatible server (moto), one fresh table per test.
@Suite(.enabled(if: MotoServer.isAvailable, "\(MotoServer.unavailableReason ?? "")"))
struct DynamoDBConnectionStoreTests {
    /// Runs `body` with a store on a new table, deleting the table afterwards.
    private func withStore(_ body: (DynamoDBConnectionStore) async throws -> Void) async throws {
        let dynamo = try await LocalDynamoDB.shared.value
        let tableName = LocalDynamoDB.uniqueTableName()
        _ = try await dynamo.client.createTable(ChatTableLayout.createTableInput(tableName: tableName))
        try await dynamo.client.waitUntilActive(tableName: tableName)
        do {
            try await body(DynamoDBConnectionStore(client: dynamo.client, tableName: tableName))
        } catch {
            _ = try? await dynamo.client.deleteTable(tableName: tableName)
            throw error
        }
        _ = try await dynamo.client.deleteTable(tableName: tableName)
    }

    @Test func connectionsAreRecordedAndForgotten() async throws {
        try await withStore { try await ConnectionStoreContract.connectionsAreRecordedAndForgotten($0) }
    }

    @Test func subscriptionsAreVisibleFromBothSides() async throws {
        try await withStore { try await ConnectionStoreContract.subscriptionsAreVisibleFromBothSides($0) }
    }

    @Test func removingAConnectionRemovesItsSubscriptions() async throws {
        try await withStore { try await ConnectionStoreContract.removingAConnectionRemovesItsSubscriptions($0) }
    }

    @Test func subscriptionsDoNotNeedAConnectionRecord() async throws {
        try await withStore { try await ConnectionStoreContract.subscriptionsDoNotNeedAConnectionRecord($0) }
    }

    /// 60 channels make the disconnect's deletes span several `BatchWriteItem` calls (121 deletes);
    /// 150 subscribers exercise concurrent writes to one partition.
    @Test func largeChannelsAndManyMemberships() async throws {
        try await withStore {
            try await ConnectionStoreContract.largeChannelsAndManyMemberships($0, subscribers: 150, channels: 60)
        }
    }

    /// The items on the table are the documented ones: two per subscription, one per connection, with an
    /// expiry beyond API Gateway's two-hour connection limit.
    @Test func itemsFollowTheDocumentedKeyDesign() async throws {
        let dynamo = try await LocalDynamoDB.shared.value
        let tableName = LocalDynamoDB.uniqueTableName()
        _ = try await dynamo.client.createTable(ChatTableLayout.createTableInput(tableName: tableName))
        try await dynamo.client.waitUntilActive(tableName: tableName)
        let store = DynamoDBConnectionStore(client: dynamo.client, tableName: tableName, nowSeconds: { 1_000_000 })
        try await store.addConnection(ConnectionRecord(connectionID: "X1=", connectedAt: 5, sourceIP: "192.0.2.1"))
        try await store.subscribe("X1=", to: "General")

        let connectionSide = try await dynamo.client.queryAll(
            QueryInput(
                tableName: tableName, keyConditionExpression: "pk = :pk",
                expressionAttributeValues: [":pk": "CONN#X1="], consistentRead: true))
        #expect(connectionSide.map { $0["sk"] } == [.string("CHAN#General"), .string("META")])
        let meta = try #require(connectionSide.first { $0["sk"] == "META" })
        #expect(meta["connectionId"] == "X1=")
        #expect(meta["connectedAt"] == .number("5"))
        #expect(meta["sourceIp"] == "192.0.2.1")
        #expect(meta["expiresAt"] == .number(String(1_000_000 + 3 * 3600)))

        let channelSide = try await dynamo.client.queryAll(
            QueryInput(
                tableName: tableName, keyConditionExpression: "pk = :pk",
                expressionAttributeValues: [":pk": "CHAN#General"], consistentRead: true))
        #expect(channelSide.count == 1)
        #expect(channelSide.first?["sk"] == "CONN#X1=")
        #expect(channelSide.first?["channel"] == "General")

        try await store.removeConnection("X1=")
        for partition in ["CONN#X1=", "CHAN#General"] {
            let left = try await dynamo.client.queryAll(
                QueryInput(
                    tableName: tableName, keyConditionExpression: "pk = :pk",
                    expressionAttributeValues: [":pk": .string(partition)], consistentRead: true))
            #expect(left.isEmpty, "items left in \(partition): \(left)")
        }
        _ = try await dynamo.client.deleteTable(tableName: tableName)
    }

    /// A store whose table does not exist fails with a typed error, not a crash.
    @Test func aMissingTableIsAClearError() async throws {
        let dynamo = try await LocalDynamoDB.shared.value
        let store = DynamoDBConnectionStore(client: dynamo.client, tableName: "no-such-table")
        await #expect {
            try await store.subscribe("a=", to: "General")
        } throws: { error in
            (error as? DynamoDBError)?.kind == .resourceNotFound
        }
    }
}
