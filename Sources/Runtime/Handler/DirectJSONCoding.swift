#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// An event type that reads itself from JSON bytes directly, faster than `JSONDecoder` and with the same
/// outcome. ``CodableLambdaAdapter`` uses it when it was given no decoder of its own.
public protocol DirectJSONDecodable: Decodable, SendableMetatype {
    /// Decodes a value from the JSON bytes of an event.
    /// - Throws: ``EventDecodingError`` naming the field.
    static func decode(directlyFrom data: Data) throws(EventDecodingError) -> Self
}

/// An output type that writes its JSON directly, faster than `JSONEncoder`; `JSONDecoder` reads back the same
/// value. ``CodableLambdaAdapter`` uses it when it was given no encoder of its own.
public protocol DirectJSONEncodable: Encodable, SendableMetatype {
    /// The value's JSON.
    func encodedDirectly() -> Data
}
