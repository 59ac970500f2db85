#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import HandlerKit
import Runtime

/// A response that is not what a test expected; its description says what differs.
public struct ResponseExpectationError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

extension WebSocketResponse {
    /// Fails unless the status is `statusCode`.
    @discardableResult
    public func expectStatus(_ statusCode: Int) throws(ResponseExpectationError) -> WebSocketResponse {
        guard self.statusCode == statusCode else {
            throw ResponseExpectationError(
                description: "expected status \(statusCode), got \(self.statusCode) (body: \(body ?? "none"))")
        }
        return self
    }

    /// Fails unless the body is exactly `body`.
    @discardableResult
    public func expectBody(_ body: String?) throws(ResponseExpectationError) -> WebSocketResponse {
        guard self.body == body else {
            throw ResponseExpectationError(
                description: "expected body \(body.map { "'\($0)'" } ?? "none"), got \(self.body.map { "'\($0)'" } ?? "none")")
        }
        return self
    }

    /// Fails unless header `name` (case-insensitive) has `value`.
    @discardableResult
    public func expectHeader(_ name: String, _ value: String) throws(ResponseExpectationError) -> WebSocketResponse {
        let actual = headers?.first { $0.key.lowercased() == name.lowercased() }?.value
        guard actual == value else {
            throw ResponseExpectationError(description: "expected header \(name): \(value), got \(actual ?? "none")")
        }
        return self
    }

    /// The body decoded as JSON.
    public func jsonBody<Value: Decodable>(as type: Value.Type = Value.self) throws -> Value {
        guard let body else { throw ResponseExpectationError(description: "expected a JSON body, got none") }
        do {
            return try JSONDecoder().decode(Value.self, from: Data(body.utf8))
        } catch let error as DecodingError {
            throw ResponseExpectationError(description: "body is not the expected JSON: \(EventDecodingError(error)); body: \(body)")
        }
    }
}
