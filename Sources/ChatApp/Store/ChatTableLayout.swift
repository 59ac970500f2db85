public import DynamoKit

/// The single-table key design of ``DynamoDBConnectionStore``.
///
/// One table with a string partition key `pk` and a string sort key `sk`, holding three kinds of item:
///
/// | item | `pk` | `sk` | other attributes |
/// |---|---|---|---|
/// | connection | `CONN#<connectionId>` | `META` | `connectionId`, `connectedAt`, `sourceIp`, `userAgent`, `expiresAt` |
/// | membership, seen from the connection | `CONN#<connectionId>` | `CHAN#<channel>` | `connectionId`, `channel`, `expiresAt` |
/// | membership, seen from the channel | `CHAN#<channel>` | `CONN#<connectionId>` | `connectionId`, `channel`, `expiresAt` |
///
/// Each subscription is written twice, once in each partition, so both questions the chat asks are one
/// strongly consistent `Query` on the table, with no index:
/// - all subscribers of a channel: `pk = CHAN#<channel>`;
/// - all channels of a connection: `pk = CONN#<id> AND begins_with(sk, "CHAN#")`; without the sort-key
///   condition the same query also returns the connection item, which is what `$disconnect` deletes.
///
/// `expiresAt` (epoch seconds) lies beyond API Gateway's two-hour connection limit: with DynamoDB's time to
/// live enabled on it, items that a crash or a race left behind disappear by themselves.
public enum ChatTableLayout {
    /// The partition key attribute.
    public static let partitionKey = "pk"
    /// The sort key attribute.
    public static let sortKey = "sk"
    /// The time-to-live attribute (epoch seconds).
    public static let expiresAt = "expiresAt"
    /// The sort key of connection items.
    public static let connectionSortKey = "META"
    /// Prefix of partition or sort keys that name a connection.
    public static let connectionPrefix = "CONN#"
    /// Prefix of partition or sort keys that name a channel.
    public static let channelPrefix = "CHAN#"
    /// How long items outlive their last write: API Gateway closes connections after two hours.
    public static let timeToLiveSeconds: Int64 = 3 * 60 * 60

    /// The `CreateTable` request for a table with this layout (on-demand billing).
    public static func createTableInput(tableName: String) -> CreateTableInput {
        CreateTableInput(
            tableName: tableName,
            keySchema: [
                KeySchemaElement(name: partitionKey, keyType: "HASH"),
                KeySchemaElement(name: sortKey, keyType: "RANGE"),
            ],
            attributeDefinitions: [
                AttributeDefinition(name: partitionKey, type: "S"),
                AttributeDefinition(name: sortKey, type: "S"),
            ])
    }

    static func connectionKey(_ connectionID: String) -> String { connectionPrefix + connectionID }
    static func channelKey(_ channel: String) -> String { channelPrefix + channel }

    /// The key of a connection's item.
    static func connectionItemKey(_ connectionID: String) -> Item {
        [partitionKey: .string(connectionKey(connectionID)), sortKey: .string(connectionSortKey)]
    }

    /// The keys of both items of a subscription: the channel's side first, then the connection's.
    static func membershipKeys(_ connectionID: String, _ channel: String) -> (channelSide: Item, connectionSide: Item) {
        (
            [partitionKey: .string(channelKey(channel)), sortKey: .string(connectionKey(connectionID))],
            [partitionKey: .string(connectionKey(connectionID)), sortKey: .string(channelKey(channel))]
        )
    }
}
