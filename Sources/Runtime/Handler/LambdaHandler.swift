#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A typed handler: a `Decodable` event in, an `Encodable` output out, both JSON.
///
/// An event that does not decode is reported as an ``EventDecodingError`` naming the field path.
public protocol LambdaHandler: Sendable {
    associatedtype Event: Decodable
    associatedtype Output: Encodable

    /// Handles one decoded event.
    func handle(_ event: Event, context: LambdaContext) async throws -> Output
}

/// Adapts a ``LambdaHandler`` onto ``RawLambdaHandler`` with one reused JSON decoder and encoder.
///
/// Without a decoder (or encoder) of its own, an event type that is ``DirectJSONDecodable`` (an output type
/// that is ``DirectJSONEncodable``) is read (written) directly, without `JSONDecoder` (`JSONEncoder`).
public struct CodableLambdaAdapter<Handler: LambdaHandler>: RawLambdaHandler {
    private let handler: Handler
    private let decode: @Sendable (Data) throws -> Handler.Event
    private let encode: @Sendable (Handler.Output) throws -> Data

    public init(_ handler: Handler, decoder: JSONDecoder? = nil, encoder: JSONEncoder? = nil) {
        self.handler = handler
        if decoder == nil, let direct = Handler.Event.self as? any DirectJSONDecodable.Type {
            decode = Self.directDecoder(direct)
        } else {
            let decoder = decoder ?? JSONDecoder()
            decode = { data in
                do {
                    return try decoder.decode(Handler.Event.self, from: data)
                } catch let error as DecodingError {
                    throw EventDecodingError(error)
                }
            }
        }
        if encoder == nil, let direct = Handler.Output.self as? any DirectJSONEncodable.Type {
            encode = Self.directEncoder(direct)
        } else {
            let encoder = encoder ?? JSONEncoder()
            encode = { output in try encoder.encode(output) }
        }
    }

    public func handle(_ event: Data, context: LambdaContext) async throws -> Data {
        let output = try await handler.handle(try decode(event), context: context)
        return try encode(output)
    }

    /// `Direct` is `Handler.Event` (the caller checked); the casts only restate that, without boxing.
    private static func directDecoder<Direct: DirectJSONDecodable>(
        _ type: Direct.Type
    ) -> @Sendable (Data) throws -> Handler.Event {
        { data in try Direct.decode(directlyFrom: data) as! Handler.Event }
    }

    /// `Direct` is `Handler.Output` (the caller checked).
    private static func directEncoder<Direct: DirectJSONEncodable>(
        _ type: Direct.Type
    ) -> @Sendable (Handler.Output) -> Data {
        { output in (output as! Direct).encodedDirectly() }
    }
}

/// A ``LambdaHandler`` made of a closure.
public struct ClosureHandler<Event: Decodable, Output: Encodable>: LambdaHandler {
    private let body: @Sendable (Event, LambdaContext) async throws -> Output

    public init(_ body: @escaping @Sendable (Event, LambdaContext) async throws -> Output) {
        self.body = body
    }

    public func handle(_ event: Event, context: LambdaContext) async throws -> Output {
        try await body(event, context)
    }
}
