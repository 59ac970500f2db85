#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The core handler protocol: the event's bytes in, the response's bytes out.
///
/// Every other kind of handler (``LambdaHandler``, closures, HandlerKit's `WebSocketRouter`) is adapted onto
/// this one. A thrown error is reported to the Runtime API as an invocation error (see ``ErrorReport``) and
/// the runtime goes on to the next event.
public protocol RawLambdaHandler: Sendable {
    /// Handles one invocation.
    func handle(_ event: Data, context: LambdaContext) async throws -> Data
}

/// A ``RawLambdaHandler`` made of a closure.
public struct RawClosureHandler: RawLambdaHandler {
    private let body: @Sendable (Data, LambdaContext) async throws -> Data

    public init(_ body: @escaping @Sendable (Data, LambdaContext) async throws -> Data) {
        self.body = body
    }

    public func handle(_ event: Data, context: LambdaContext) async throws -> Data {
        try await body(event, context)
    }
}
