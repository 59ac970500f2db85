import Foundation
import LocalGateway
import Testing

/// A function process impersonated over one keep-alive connection: it speaks the Runtime API by hand, so a
/// test decides exactly what is sent and when.
struct FakeRuntime: Sendable {
    static let nextPath = "/2018-06-01/runtime/invocation/next"

    let connection: RawHTTPConnection

    static func connect(to mock: RuntimeAPIMock) async throws -> FakeRuntime {
        let port = try boundPort(mock)
        return FakeRuntime(connection: try await onThread { try RawHTTPConnection(port: port) })
    }

    /// `GET /next`; returns when an event (or an error status) arrives.
    func next() async throws -> RawHTTPResponse {
        try await onThread { [connection] in try connection.request("GET", Self.nextPath) }
    }

    /// `POST /invocation/{id}/response`.
    func respond(_ requestID: String, _ body: String) async throws -> RawHTTPResponse {
        try await post("/2018-06-01/runtime/invocation/\(requestID)/response", body: Array(body.utf8))
    }

    /// `POST /invocation/{id}/error` with `Lambda-Runtime-Function-Error-Type: type`.
    func fail(_ requestID: String, type: String, _ body: String) async throws -> RawHTTPResponse {
        try await post("/2018-06-01/runtime/invocation/\(requestID)/error", body: Array(body.utf8),
                       headers: [("Lambda-Runtime-Function-Error-Type", type)])
    }

    /// `POST /init/error`.
    func initError(type: String, _ body: String) async throws -> RawHTTPResponse {
        try await post("/2018-06-01/runtime/init/error", body: Array(body.utf8),
                       headers: [("Lambda-Runtime-Function-Error-Type", type)])
    }

    func post(_ path: String, body: [UInt8], headers: [(String, String)] = []) async throws -> RawHTTPResponse {
        try await onThread { [connection] in try connection.request("POST", path, headers: headers, body: body) }
    }

    /// Any request, as raw as the test wants it.
    func request(_ method: String, _ path: String, body: [UInt8] = []) async throws -> RawHTTPResponse {
        try await onThread { [connection] in try connection.request(method, path, body: body) }
    }
}

/// A runtime that opens one connection per request, as a shell runtime running `curl` does.
enum OneShotRuntime {
    /// `GET /next` on a connection of its own, closed once the event is in; returns the event's request id.
    static func takeEvent(port: Int) async throws -> String {
        try await onThread {
            let connection = try RawHTTPConnection(port: port)
            let event = try connection.request("GET", FakeRuntime.nextPath)
            connection.hangUp()
            return try #require(event.header("Lambda-Runtime-Aws-Request-Id"))
        }
    }

    /// `POST /invocation/{id}/response` on a connection of its own.
    static func respond(port: Int, _ requestID: String, _ body: String) async throws -> RawHTTPResponse {
        try await onThread {
            try RawHTTPConnection(port: port).request(
                "POST", "/2018-06-01/runtime/invocation/\(requestID)/response", body: Array(body.utf8))
        }
    }
}

/// The bound port of a started mock.
func boundPort(_ mock: RuntimeAPIMock) throws -> Int {
    guard let port = mock.port else { throw RawHTTPConnection.Failure(description: "the mock is not started") }
    return port
}

extension RuntimeAPIMock {
    /// A mock on an ephemeral loopback port, started.
    static func started(timeout: Duration = .seconds(30), payloadLimit: Int = RuntimeAPIMock.maxResponseBytes) async throws -> RuntimeAPIMock {
        let mock = RuntimeAPIMock(configuration: .init(port: 0, timeout: timeout, payloadLimit: payloadLimit))
        try await mock.start()
        return mock
    }
}
