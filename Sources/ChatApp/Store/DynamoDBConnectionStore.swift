#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import DynamoKit

/// A ``ConnectionStore`` in one DynamoDB table, shared by every function instance.
///
/// The key design is ``ChatTableLayout``: a subscription is two items, so "subscribers of a channel" and
/// "channels of a connection" are each one strongly consistent `Query`.
public struct DynamoDBConnectionStore: ConnectionStore {
    private typealias Layout = ChatTableLayout

    /// The client every call goes through.
    public let client: DynamoDBClient
    /// The table's name.
    public let tableName: String
    private let nowSeconds: @Sendable () -> Int64

    /// - Parameters:
    ///   - client: a DynamoDB client (endpoint, region and credentials).
    ///   - tableName: a table with the ``ChatTableLayout`` key schema.
    ///   - nowSeconds: the clock that dates `expiresAt`; the system clock by default.
    public init(
        client: DynamoDBClient, tableName: String,
        nowSeconds: (@Sendable () -> Int64)? = nil
    ) {
        self.client = client
        self.tableName = tableName
        self.nowSeconds = nowSeconds ?? { Int64(Date().timeIntervalSince1970) }
    }

    public func addConnection(_ connection: ConnectionRecord) async throws {
        var item = Layout.connectionItemKey(connection.connectionID)
        item["connectionId"] = .string(connection.connectionID)
        item["connectedAt"] = .number(connection.connectedAt)
        item["sourceIp"] = connection.sourceIP.map(AttributeValue.string)
        item["userAgent"] = connection.userAgent.map(AttributeValue.string)
        item[Layout.expiresAt] = .number(expiry())
        _ = try await client.putItem(PutItemInput(tableName: tableName, item: item))
    }

    public func connection(_ connectionID: String) async throws -> ConnectionRecord? {
        let output = try await client.getItem(
            GetItemInput(tableName: tableName, key: Layout.connectionItemKey(connectionID), consistentRead: true))
        guard let item = output.item else { return nil }
        return ConnectionRecord(
            connectionID: item["connectionId"]?.stringValue ?? connectionID,
            connectedAt: item["connectedAt"]?.int64Value ?? 0,
            sourceIP: item["sourceIp"]?.stringValue,
            userAgent: item["userAgent"]?.stringValue)
    }

    @discardableResult
    public func removeConnection(_ connectionID: String) async throws -> [String] {
        // One query returns the connection item and its side of every subscription.
        let items = try await client.queryAll(
            QueryInput(
                tableName: tableName,
                keyConditionExpression: "#pk = :pk",
                expressionAttributeNames: ["#pk": Layout.partitionKey],
                expressionAttributeValues: [":pk": .string(Layout.connectionKey(connectionID))],
                consistentRead: true))
        let channels = items.compactMap(channelName(ofConnectionSideItem:)).sorted()
        var deletes: [WriteRequest] = [.delete(key: Layout.connectionItemKey(connectionID))]
        for channel in channels {
            let keys = Layout.membershipKeys(connectionID, channel)
            deletes.append(.delete(key: keys.channelSide))
            deletes.append(.delete(key: keys.connectionSide))
        }
        try await client.batchWriteAll(deletes, tableName: tableName)
        return channels
    }

    @discardableResult
    public func subscribe(_ connectionID: String, to channel: String) async throws -> Bool {
        let keys = Layout.membershipKeys(connectionID, channel)
        var attributes: Item = ["connectionId": .string(connectionID), "channel": .string(channel)]
        attributes[Layout.expiresAt] = .number(expiry())
        async let connectionSide = client.putItem(
            PutItemInput(tableName: tableName, item: keys.connectionSide.merging(attributes) { current, _ in current }))
        let channelSide = try await client.putItem(
            PutItemInput(
                tableName: tableName, item: keys.channelSide.merging(attributes) { current, _ in current },
                returnValues: "ALL_OLD"))
        _ = try await connectionSide
        return channelSide.attributes == nil
    }

    @discardableResult
    public func unsubscribe(_ connectionID: String, from channel: String) async throws -> Bool {
        let keys = Layout.membershipKeys(connectionID, channel)
        async let connectionSide = client.deleteItem(DeleteItemInput(tableName: tableName, key: keys.connectionSide))
        let channelSide = try await client.deleteItem(
            DeleteItemInput(tableName: tableName, key: keys.channelSide, returnValues: "ALL_OLD"))
        _ = try await connectionSide
        return channelSide.attributes != nil
    }

    public func subscribers(of channel: String) async throws -> [String] {
        let items = try await client.queryAll(
            QueryInput(
                tableName: tableName,
                keyConditionExpression: "#pk = :pk",
                expressionAttributeNames: ["#pk": Layout.partitionKey, "#sk": Layout.sortKey],
                expressionAttributeValues: [":pk": .string(Layout.channelKey(channel))],
                projectionExpression: "#sk",
                consistentRead: true))
        return items.compactMap { item in
            item[Layout.sortKey]?.stringValue.flatMap { $0.dropPrefix(Layout.connectionPrefix) }
        }.sorted()
    }

    public func channels(of connectionID: String) async throws -> [String] {
        let items = try await client.queryAll(
            QueryInput(
                tableName: tableName,
                keyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
                expressionAttributeNames: ["#pk": Layout.partitionKey, "#sk": Layout.sortKey],
                expressionAttributeValues: [
                    ":pk": .string(Layout.connectionKey(connectionID)), ":prefix": .string(Layout.channelPrefix),
                ],
                projectionExpression: "#sk",
                consistentRead: true))
        return items.compactMap(channelName(ofConnectionSideItem:)).sorted()
    }

    /// The channel of a `CONN#…`/`CHAN#…` item; `nil` for the connection item.
    private func channelName(ofConnectionSideItem item: Item) -> String? {
        item[Layout.sortKey]?.stringValue.flatMap { $0.dropPrefix(Layout.channelPrefix) }
    }

    private func expiry() -> Int64 { nowSeconds() + Layout.timeToLiveSeconds }
}

extension String {
    /// The rest of the string after `prefix`, or `nil` when it does not start with it.
    /// Compared byte by byte: a name that starts with a combining mark must not merge with the `#`.
    fileprivate func dropPrefix(_ prefix: String) -> String? {
        guard utf8.starts(with: prefix.utf8) else { return nil }
        return String(decoding: utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
    }
}
