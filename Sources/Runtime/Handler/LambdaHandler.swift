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
public struct CodableLambdaAdapter<Handler: LambdaHandler>: RawLambdaHandler {
    private let handler: Handler
    private let decoder: JSONDecoder
    private let encoder: JSONEncoder

    public init(_ handler: Handler, decoder: JSONDecoder = JSONDecoder(), encoder: JSONEncoder = JSONEncoder()) {
        self.handler = handler
        self.decoder = decoder
        self.encoder = encoder
    }

    public func handle(_ event: Data, context: LambdaContext) async throws -> Data {
        let decoded: Handler.Event
        do {
            decoded = try decoder.decode(Handler.Event.self, from: event)
        } catch let error as DecodingError {
            throw EventDecodingError(error)
        }
        let output = try await handler.handle(decoded, context: context)
        return try encoder.encode(output)
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
