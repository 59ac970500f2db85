#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import HandlerKit
public import Runtime

extension WebSocketRouterHandler {
    /// Runs `event` in-process the way the runtime would: encodes it to JSON, hands the bytes to the handler,
    /// and decodes the response bytes. A handler's error is rethrown, as the runtime would report it.
    public func invoke(_ event: WebSocketEvent, context: LambdaContext = .testing()) async throws -> WebSocketResponse {
        let input = try JSONEncoder().encode(event)
        let output = try await handle(input, context: context)
        return try JSONDecoder().decode(WebSocketResponse.self, from: output)
    }

    /// Runs the event built by `builder`.
    public func invoke(_ builder: WebSocketEventBuilder, context: LambdaContext = .testing()) async throws
        -> WebSocketResponse
    {
        try await invoke(builder.build(), context: context)
    }

    /// Runs the recorded event in the JSON file at `path`, as its bytes (no re-encoding).
    public func invoke(recordedAt path: String, context: LambdaContext = .testing()) async throws -> WebSocketResponse {
        _ = try WebSocketEvent(recordedAt: path)
        let input = try Data(contentsOf: URL(fileURLWithPath: path))
        let output = try await handle(input, context: context)
        return try JSONDecoder().decode(WebSocketResponse.self, from: output)
    }
}

extension WebSocketRouter {
    /// Builds the handler and runs `event` through it (see ``WebSocketRouterHandler/invoke(_:context:)-(WebSocketEvent,_)``).
    public func invoke(_ event: WebSocketEvent, context: LambdaContext = .testing()) async throws -> WebSocketResponse {
        try await buildHandler().invoke(event, context: context)
    }

    /// Builds the handler and runs the event built by `builder`.
    public func invoke(_ builder: WebSocketEventBuilder, context: LambdaContext = .testing()) async throws
        -> WebSocketResponse
    {
        try await buildHandler().invoke(builder.build(), context: context)
    }
}
