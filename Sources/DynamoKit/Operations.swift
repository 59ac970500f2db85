/// Inputs and outputs of the DynamoDB operations the client speaks, shaped exactly like the JSON protocol's
/// bodies (field names are the API's PascalCase).
///
/// Only the fields this package needs are modelled; DynamoDB ignores absent optional fields, and unknown
/// fields in answers are skipped when decoding.

/// `PutItem`: writes a whole item, replacing any item with the same key.
public struct PutItemInput: Encodable, Sendable {
    public var tableName: String
    public var item: Item
    public var conditionExpression: String?
    public var expressionAttributeNames: [String: String]?
    public var expressionAttributeValues: Item?
    /// `ALL_OLD` returns the replaced item's attributes in ``PutItemOutput/attributes``.
    public var returnValues: String?

    public init(
        tableName: String, item: Item, conditionExpression: String? = nil,
        expressionAttributeNames: [String: String]? = nil, expressionAttributeValues: Item? = nil,
        returnValues: String? = nil
    ) {
        self.tableName = tableName
        self.item = item
        self.conditionExpression = conditionExpression
        self.expressionAttributeNames = expressionAttributeNames
        self.expressionAttributeValues = expressionAttributeValues
        self.returnValues = returnValues
    }

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName"
        case item = "Item"
        case conditionExpression = "ConditionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames"
        case expressionAttributeValues = "ExpressionAttributeValues"
        case returnValues = "ReturnValues"
    }
}

/// The answer to `PutItem`.
public struct PutItemOutput: Decodable, Sendable {
    /// The replaced item, when ``PutItemInput/returnValues`` was `ALL_OLD` and an item existed.
    public var attributes: Item?

    private enum CodingKeys: String, CodingKey {
        case attributes = "Attributes"
    }
}

/// `DeleteItem`: deletes the item with a key (absent items are not an error).
public struct DeleteItemInput: Encodable, Sendable {
    public var tableName: String
    public var key: Item
    /// `ALL_OLD` returns the deleted item's attributes in ``DeleteItemOutput/attributes``.
    public var returnValues: String?

    public init(tableName: String, key: Item, returnValues: String? = nil) {
        self.tableName = tableName
        self.key = key
        self.returnValues = returnValues
    }

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName"
        case key = "Key"
        case returnValues = "ReturnValues"
    }
}

/// The answer to `DeleteItem`.
public struct DeleteItemOutput: Decodable, Sendable {
    /// The deleted item, when ``DeleteItemInput/returnValues`` was `ALL_OLD` and an item existed.
    public var attributes: Item?

    private enum CodingKeys: String, CodingKey {
        case attributes = "Attributes"
    }
}

/// `GetItem`: reads one item by its key.
public struct GetItemInput: Encodable, Sendable {
    public var tableName: String
    public var key: Item
    public var consistentRead: Bool?

    public init(tableName: String, key: Item, consistentRead: Bool? = nil) {
        self.tableName = tableName
        self.key = key
        self.consistentRead = consistentRead
    }

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName"
        case key = "Key"
        case consistentRead = "ConsistentRead"
    }
}

/// The answer to `GetItem`.
public struct GetItemOutput: Decodable, Sendable {
    /// The item, or `nil` when none has the key.
    public var item: Item?

    private enum CodingKeys: String, CodingKey {
        case item = "Item"
    }
}

/// `Query`: the items of one partition (of the table or of an index), optionally narrowed by sort key.
public struct QueryInput: Encodable, Sendable {
    public var tableName: String
    public var indexName: String?
    public var keyConditionExpression: String
    public var expressionAttributeNames: [String: String]?
    public var expressionAttributeValues: Item?
    public var projectionExpression: String?
    public var consistentRead: Bool?
    public var limit: Int?
    public var exclusiveStartKey: Item?

    public init(
        tableName: String, indexName: String? = nil, keyConditionExpression: String,
        expressionAttributeNames: [String: String]? = nil, expressionAttributeValues: Item? = nil,
        projectionExpression: String? = nil, consistentRead: Bool? = nil, limit: Int? = nil,
        exclusiveStartKey: Item? = nil
    ) {
        self.tableName = tableName
        self.indexName = indexName
        self.keyConditionExpression = keyConditionExpression
        self.expressionAttributeNames = expressionAttributeNames
        self.expressionAttributeValues = expressionAttributeValues
        self.projectionExpression = projectionExpression
        self.consistentRead = consistentRead
        self.limit = limit
        self.exclusiveStartKey = exclusiveStartKey
    }

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName"
        case indexName = "IndexName"
        case keyConditionExpression = "KeyConditionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames"
        case expressionAttributeValues = "ExpressionAttributeValues"
        case projectionExpression = "ProjectionExpression"
        case consistentRead = "ConsistentRead"
        case limit = "Limit"
        case exclusiveStartKey = "ExclusiveStartKey"
    }
}

/// One page of a `Query`.
public struct QueryOutput: Decodable, Sendable {
    public var items: [Item]?
    public var count: Int?
    /// Where the next page starts; `nil` on the last page.
    public var lastEvaluatedKey: Item?

    private enum CodingKeys: String, CodingKey {
        case items = "Items"
        case count = "Count"
        case lastEvaluatedKey = "LastEvaluatedKey"
    }
}

/// One put or delete of a `BatchWriteItem`.
public enum WriteRequest: Codable, Sendable, Hashable {
    case put(Item)
    case delete(key: Item)

    private enum CodingKeys: String, CodingKey {
        case put = "PutRequest"
        case delete = "DeleteRequest"
    }

    private struct Put: Codable {
        var item: Item
        enum CodingKeys: String, CodingKey { case item = "Item" }
    }

    private struct Delete: Codable {
        var key: Item
        enum CodingKeys: String, CodingKey { case key = "Key" }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let put = try container.decodeIfPresent(Put.self, forKey: .put) {
            self = .put(put.item)
        } else {
            self = .delete(key: try container.decode(Delete.self, forKey: .delete).key)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .put(let item): try container.encode(Put(item: item), forKey: .put)
        case .delete(let key): try container.encode(Delete(key: key), forKey: .delete)
        }
    }
}

/// `BatchWriteItem`: up to 25 puts and deletes, by table.
public struct BatchWriteItemInput: Encodable, Sendable {
    public var requestItems: [String: [WriteRequest]]

    public init(requestItems: [String: [WriteRequest]]) { self.requestItems = requestItems }

    private enum CodingKeys: String, CodingKey {
        case requestItems = "RequestItems"
    }
}

/// The answer to `BatchWriteItem`: what DynamoDB did not get to (throttling) and must be sent again.
public struct BatchWriteItemOutput: Decodable, Sendable {
    public var unprocessedItems: [String: [WriteRequest]]?

    private enum CodingKeys: String, CodingKey {
        case unprocessedItems = "UnprocessedItems"
    }
}

/// An attribute of a key schema and its type (`S`, `N` or `B`).
public struct AttributeDefinition: Codable, Sendable, Equatable {
    public var attributeName: String
    public var attributeType: String

    public init(name: String, type: String) {
        self.attributeName = name
        self.attributeType = type
    }

    private enum CodingKeys: String, CodingKey {
        case attributeName = "AttributeName"
        case attributeType = "AttributeType"
    }
}

/// One element of a key schema: the attribute and its role, `HASH` (partition) or `RANGE` (sort).
public struct KeySchemaElement: Codable, Sendable, Equatable {
    public var attributeName: String
    public var keyType: String

    public init(name: String, keyType: String) {
        self.attributeName = name
        self.keyType = keyType
    }

    private enum CodingKeys: String, CodingKey {
        case attributeName = "AttributeName"
        case keyType = "KeyType"
    }
}

/// `CreateTable`, on-demand billing.
public struct CreateTableInput: Encodable, Sendable {
    public var tableName: String
    public var keySchema: [KeySchemaElement]
    public var attributeDefinitions: [AttributeDefinition]
    public var billingMode: String

    public init(
        tableName: String, keySchema: [KeySchemaElement], attributeDefinitions: [AttributeDefinition],
        billingMode: String = "PAY_PER_REQUEST"
    ) {
        self.tableName = tableName
        self.keySchema = keySchema
        self.attributeDefinitions = attributeDefinitions
        self.billingMode = billingMode
    }

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName"
        case keySchema = "KeySchema"
        case attributeDefinitions = "AttributeDefinitions"
        case billingMode = "BillingMode"
    }
}

/// `DescribeTable` and `DeleteTable` take only the table's name.
public struct TableNameInput: Encodable, Sendable {
    public var tableName: String

    public init(tableName: String) { self.tableName = tableName }

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName"
    }
}

/// What `CreateTable`, `DescribeTable` and `DeleteTable` say about a table.
public struct TableDescription: Decodable, Sendable {
    public var tableName: String?
    /// `CREATING`, `ACTIVE`, `DELETING`, `UPDATING`…
    public var tableStatus: String?
    public var keySchema: [KeySchemaElement]?
    public var itemCount: Int?

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName"
        case tableStatus = "TableStatus"
        case keySchema = "KeySchema"
        case itemCount = "ItemCount"
    }
}

/// The answer to `DescribeTable` (`Table`) or `CreateTable`/`DeleteTable` (`TableDescription`).
public struct TableDescriptionOutput: Decodable, Sendable {
    public var table: TableDescription?
    public var tableDescription: TableDescription?

    private enum CodingKeys: String, CodingKey {
        case table = "Table"
        case tableDescription = "TableDescription"
    }
}

/// `UpdateTimeToLive`: lets DynamoDB delete items whose epoch-seconds attribute has passed.
public struct UpdateTimeToLiveInput: Encodable, Sendable {
    public struct Specification: Encodable, Sendable {
        public var enabled: Bool
        public var attributeName: String

        private enum CodingKeys: String, CodingKey {
            case enabled = "Enabled"
            case attributeName = "AttributeName"
        }
    }

    public var tableName: String
    public var timeToLiveSpecification: Specification

    public init(tableName: String, attributeName: String, enabled: Bool = true) {
        self.tableName = tableName
        self.timeToLiveSpecification = Specification(enabled: enabled, attributeName: attributeName)
    }

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName"
        case timeToLiveSpecification = "TimeToLiveSpecification"
    }
}

/// An answer whose body this client does not need.
public struct EmptyOutput: Decodable, Sendable {}
