import ChatApp
import DynamoKit
import Foundation
import HandlerKit
import Synchronization
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

    /// The two lookups the chat makes are one `Query` each, on the table itself (no index, no scan):
    /// subscribers of a channel in the channel's partition, channels of a connection in the connection's.
    /// Disconnecting is that query plus batch deletes.
    @Test func eachLookupIsOneQuery() async throws {
        let dynamo = try await LocalDynamoDB.shared.value
        let tableName = LocalDynamoDB.uniqueTableName()
        _ = try await dynamo.client.createTable(ChatTableLayout.createTableInput(tableName: tableName))
        try await dynamo.client.waitUntilActive(tableName: tableName)
        let transport = ForwardingRecorder()
        let store = DynamoDBConnectionStore(
            client: try DynamoDBClient(environment: dynamo.environment, transport: transport), tableName: tableName)
        try await store.addConnection(ConnectionRecord(connectionID: "A=", connectedAt: 1))
        for channel in ["General", "swift", "random"] { try await store.subscribe("A=", to: channel) }
        try await store.subscribe("B=", to: "swift")
        #expect(transport.operations.allSatisfy { $0.target == "PutItem" }, "writes are PutItems: \(transport.operations)")

        transport.reset()
        #expect(try await store.subscribers(of: "swift") == ["A=", "B="])
        let subscribers = try #require(transport.operations.only)
        #expect(subscribers.target == "Query")
        #expect(subscribers.body["IndexName"] == nil)
        #expect(subscribers.body["KeyConditionExpression"] as? String == "#pk = :pk")
        #expect(subscribers.value(":pk") == "CHAN#swift")

        transport.reset()
        #expect(try await store.channels(of: "A=") == ["General", "random", "swift"])
        let channels = try #require(transport.operations.only)
        #expect(channels.target == "Query")
        #expect(channels.body["IndexName"] == nil)
        #expect(channels.body["KeyConditionExpression"] as? String == "#pk = :pk AND begins_with(#sk, :prefix)")
        #expect(channels.value(":pk") == "CONN#A=")
        #expect(channels.value(":prefix") == "CHAN#")

        transport.reset()
        #expect(try await store.unsubscribe("B=", from: "swift"))
        #expect(transport.operations.map(\.target) == ["DeleteItem", "DeleteItem"])

        transport.reset()
        #expect(try await store.removeConnection("A=") == ["General", "random", "swift"])
        #expect(transport.operations.map(\.target) == ["Query", "BatchWriteItem"], "1 + 3 × 2 deletes fit one batch")
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

/// Sends requests to the real server over libcurl and remembers each operation and its JSON body.
private final class ForwardingRecorder: HTTPTransport {
    struct Operation: Sendable, CustomStringConvertible {
        var target: String
        var json: Data
        var body: [String: Any] { (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] ?? [:] }
        /// A string expression attribute value, `":pk"` → `"CHAN#swift"`.
        func value(_ name: String) -> String? {
            ((body["ExpressionAttributeValues"] as? [String: Any])?[name] as? [String: Any])?["S"] as? String
        }
        var description: String { target }
    }

    private let recorded = Mutex<[Operation]>([])
    var operations: [Operation] { recorded.withLock { $0 } }
    func reset() { recorded.withLock { $0 = [] } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let target = request.header("X-Amz-Target").map { String($0.split(separator: ".").last ?? "") } ?? "?"
        recorded.withLock { $0.append(Operation(target: target, json: request.body)) }
        return try await CurlHTTPTransport.shared.send(request)
    }
}

extension Array {
    /// The single element, or `nil` when there are none or several.
    fileprivate var only: Element? { count == 1 ? first : nil }
}
