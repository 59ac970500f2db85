import ChatApp
import Foundation
import HandlerKit
import HandlerKitTesting
import Runtime
import Synchronization

/// The chat's router, run in-process with an in-memory store and the real management client over a
/// recording transport: no sockets, every `@connections` call captured.
final class ChatHarness: Sendable {
    let store: any ConnectionStore
    let transport: RecordingTransport
    let handler: WebSocketRouterHandler
    /// How many requests ``clearPosts()`` has set aside.
    private let seen = Mutex(0)

    /// The endpoint the management client derives from the builder's events.
    static let managementEndpoint = "https://abcdef1234.execute-api.us-east-1.amazonaws.com/dev"

    /// - Parameters:
    ///   - gone: connections whose posts answer `410 GoneException`.
    ///   - forbidden: connections whose posts answer `403 ForbiddenException`.
    init(
        configuration: ChatConfiguration = ChatConfiguration(), store: any ConnectionStore = InMemoryConnectionStore(),
        gone: Set<String> = [], forbidden: Set<String> = []
    ) {
        let transport = RecordingTransport(fallback: { request in
            let id = ChatHarness.connectionID(of: request)
            if gone.contains(id) {
                return HTTPResponse(status: 410, headers: [("x-amzn-ErrorType", "GoneException")], body: Data(#"{"message":"Gone"}"#.utf8))
            }
            if forbidden.contains(id) {
                return HTTPResponse(status: 403, headers: [("x-amzn-ErrorType", "ForbiddenException")], body: Data(#"{"message":"Forbidden"}"#.utf8))
            }
            return HTTPResponse(status: 200)
        })
        let environment = ["AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "test-secret", "AWS_REGION": "us-east-1"]
        self.store = store
        self.transport = transport
        self.handler = ChatRouter.make(
            service: ChatService(store: store, configuration: configuration),
            messenger: ChatRouter.managementMessenger(environment: environment, transport: transport)
        ).buildHandler()
    }

    /// Runs one event through the router, as the runtime would (JSON bytes in and out).
    func invoke(_ event: WebSocketEventBuilder) async throws -> WebSocketResponse {
        try await handler.invoke(event)
    }

    /// Opens a connection through `$connect`.
    func connect(_ connectionID: String) async throws {
        try await invoke(.connect(connectionID: connectionID)).expectStatus(200)
    }

    /// Sends a text message and returns the reply's JSON object.
    func send(_ body: String, from connectionID: String) async throws -> [String: JSONValue] {
        let response = try await invoke(.message(body, connectionID: connectionID))
        try response.expectStatus(200)
        return try response.jsonBody(as: [String: JSONValue].self)
    }

    /// Every post so far, as (connection id, body text), in the order sent.
    var posts: [Post] {
        transport.requests.dropFirst(seen.withLock { $0 }).filter { $0.method == "POST" }.map {
            Post(to: Self.connectionID(of: $0), body: String(decoding: $0.body, as: UTF8.self))
        }
    }

    /// Posts so far, decoded as JSON notifications, sorted by recipient.
    func notifications() throws -> [Notification] {
        try posts.map { Notification(to: $0.to, json: try JSONDecoder().decode([String: JSONValue].self, from: Data($0.body.utf8))) }
            .sorted { $0.to < $1.to }
    }

    /// Forgets the posts made so far.
    func clearPosts() {
        let count = transport.requests.count
        seen.withLock { $0 = count }
    }

    static func connectionID(of request: HTTPRequest) -> String {
        let encoded = request.url.split(separator: "/").last.map(String.init) ?? ""
        return encoded.removingPercentEncoding ?? encoded
    }

    struct Post: Equatable, Sendable, CustomStringConvertible {
        var to: String
        var body: String
        var description: String { "\(to) ← \(body)" }
    }

    struct Notification: Equatable, Sendable {
        var to: String
        var json: [String: JSONValue]
    }
}
