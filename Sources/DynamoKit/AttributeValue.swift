#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One DynamoDB attribute value in the JSON protocol's tagged form: `{"S": "text"}`, `{"N": "42"}`,
/// `{"BOOL": true}`, `{"M": {...}}`…
///
/// Numbers travel as strings (DynamoDB keeps up to 38 digits of precision); binary values travel as base64.
public indirect enum AttributeValue: Sendable, Hashable {
    case string(String)
    case number(String)
    case binary(Data)
    case bool(Bool)
    case null
    case stringSet([String])
    case numberSet([String])
    case binarySet([Data])
    case list([AttributeValue])
    case map([String: AttributeValue])

    /// A number attribute from an integer.
    public static func number(_ value: some BinaryInteger) -> AttributeValue { .number(String(value)) }

    /// The text of a string attribute, else `nil`.
    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// The value of a number attribute that fits an `Int64`, else `nil`.
    public var int64Value: Int64? {
        if case .number(let value) = self { Int64(value) } else { nil }
    }

    /// The value of a boolean attribute, else `nil`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }
}

/// A DynamoDB item or key: attribute names to values.
public typealias Item = [String: AttributeValue]

extension AttributeValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension AttributeValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .number(String(value)) }
}

extension AttributeValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension AttributeValue: Codable {
    private enum Tag: String, CodingKey, CaseIterable {
        case S, N, B, BOOL, NULL, SS, NS, BS, L, M
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Tag.self)
        guard container.allKeys.count == 1, let tag = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "an attribute value has exactly one type tag (S, N, B, BOOL, NULL, SS, NS, BS, L, M); found \(container.allKeys.map(\.stringValue))"))
        }
        switch tag {
        case .S: self = .string(try container.decode(String.self, forKey: tag))
        case .N: self = .number(try container.decode(String.self, forKey: tag))
        case .B: self = .binary(try Self.decodeBase64(try container.decode(String.self, forKey: tag), in: container, tag))
        case .BOOL: self = .bool(try container.decode(Bool.self, forKey: tag))
        case .NULL: self = .null
        case .SS: self = .stringSet(try container.decode([String].self, forKey: tag))
        case .NS: self = .numberSet(try container.decode([String].self, forKey: tag))
        case .BS:
            let texts = try container.decode([String].self, forKey: tag)
            self = .binarySet(try texts.map { try Self.decodeBase64($0, in: container, tag) })
        case .L: self = .list(try container.decode([AttributeValue].self, forKey: tag))
        case .M: self = .map(try container.decode([String: AttributeValue].self, forKey: tag))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Tag.self)
        switch self {
        case .string(let value): try container.encode(value, forKey: .S)
        case .number(let value): try container.encode(value, forKey: .N)
        case .binary(let value): try container.encode(value.base64EncodedString(), forKey: .B)
        case .bool(let value): try container.encode(value, forKey: .BOOL)
        case .null: try container.encode(true, forKey: .NULL)
        case .stringSet(let values): try container.encode(values, forKey: .SS)
        case .numberSet(let values): try container.encode(values, forKey: .NS)
        case .binarySet(let values): try container.encode(values.map { $0.base64EncodedString() }, forKey: .BS)
        case .list(let values): try container.encode(values, forKey: .L)
        case .map(let values): try container.encode(values, forKey: .M)
        }
    }

    private static func decodeBase64(
        _ text: String, in container: KeyedDecodingContainer<Tag>, _ tag: Tag
    ) throws -> Data {
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(forKey: tag, in: container, debugDescription: "not valid base64")
        }
        return data
    }
}
