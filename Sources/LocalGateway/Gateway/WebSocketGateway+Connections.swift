import Foundation
import HandlerKit
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// Open connections: messages in, frames out, closes, and `$disconnect`.
extension WebSocketGateway {
    func connection(_ id: String) -> GatewayConnection? { state.withLockedValue { $0.connection(id) } }

    func touch(_ id: String) {
        let now = GatewayClock.nowMilliseconds()
        state.withLockedValue { $0.touch(id, at: now) }
    }

    /// A complete message from connection `id`: the route comes from the route selection expression (binary
    /// messages take `$default`); the function's route response goes back as a frame, and a failed
    /// invocation answers the client with API Gateway's error frame. The connection stays open either way.
    func deliver(_ body: ByteBuffer, isBinary: Bool, from id: String) {
        touch(id)
        guard let connection = connection(id) else { return }
        let bytes = Data(body.readableBytesView)
        let routeKey = route(for: bytes, isBinary: isBinary)
        let requestID = GatewayClock.newID()
        let event = eventFactory.message(connection, body: bytes, isBinary: isBinary, routeKey: routeKey, requestID: requestID)
        // Answered on the event loop that receives the function's answer: no task, no hop through the
        // concurrency pool (two thread wake-ups a message on a loaded machine).
        invokeFunction(event, routeKey: routeKey) { [self] result in
            switch result {
            case .response(let data):
                if let frame = IntegrationResponse(data).frame { send(frame, to: id) }
            case .error, .initFailed, .timedOut:
                logger.error(
                    "route failed", metadata: ["route": "\(routeKey)", "connectionId": "\(id)", "requestId": "\(requestID)", "result": "\(result)"])
                send(.text(Self.internalServerErrorFrame(connectionID: id, requestID: requestID)), to: id)
            }
        }
    }

    /// The route of a message: the route selection expression's value when it names a route, else `$default`
    /// (binary messages, bodies that are not JSON, no value, or a value that is not one of the API's routes).
    /// Keys starting with `$` are API Gateway's own: `$connect` and `$disconnect` belong to the connection's
    /// life, never to a message, so a body naming one goes to `$default` too.
    func route(for body: Data, isBinary: Bool) -> String {
        guard !isBinary, let selected = routeSelection.selectedValue(inBody: String(decoding: body, as: UTF8.self)),
            !selected.hasPrefix("$")
        else {
            return WebSocketRouteKey.default.rawValue
        }
        guard let routes = configuration.routeKeys else { return selected }
        return routes.contains(selected) ? selected : WebSocketRouteKey.default.rawValue
    }

    /// The frame API Gateway sends when an integration fails, byte for byte.
    static func internalServerErrorFrame(connectionID: String, requestID: String) -> String {
        #"{"message": "Internal server error", "connectionId":"\#(connectionID)", "requestId":"\#(requestID)"}"#
    }

    /// Sends `frame` to connection `id`; `false` if it is not open.
    @discardableResult
    func send(_ frame: OutgoingFrame, to id: String) -> Bool {
        guard let connection = connection(id), connection.channel.isActive else { return false }
        let channel = connection.channel
        let webSocketFrame: WebSocketFrame
        switch frame {
        case .text(let text):
            webSocketFrame = WebSocketFrame(fin: true, opcode: .text, data: channel.allocator.buffer(string: text))
        case .binary(let bytes):
            webSocketFrame = WebSocketFrame(fin: true, opcode: .binary, data: channel.allocator.buffer(bytes: bytes))
        }
        channel.writeAndFlush(webSocketFrame, promise: nil)
        touch(id)
        return true
    }

    /// Closes connection `id` with a close frame carrying `closure`, which its `$disconnect` then reports. The
    /// TCP connection ends when the client answers the close, or after two seconds. `false` if it is not open.
    @discardableResult
    func close(_ id: String, _ closure: ConnectionClosure) -> Bool {
        guard let connection = state.withLockedValue({ $0.closing(id, closure) }) else { return false }
        let channel = connection.channel
        channel.eventLoop.execute {
            guard let handler = try? channel.pipeline.syncOperations.handler(type: WebSocketConnectionHandler.self) else {
                channel.close(promise: nil)
                return
            }
            handler.startClosing(closure)
        }
        return true
    }

    /// Connection `id`'s socket closed (`client` says how the client closed it): forget it and send `$disconnect`.
    func closed(_ id: String, client: ConnectionClosure) {
        guard let (connection, closure) = state.withLockedValue({ $0.closed(id, client: client) }) else { return }
        sendDisconnect(connection, closure)
    }

    func sendDisconnect(_ connection: GatewayConnection, _ closure: ConnectionClosure) {
        let requestID = GatewayClock.newID()
        let event = eventFactory.disconnect(connection, closure: closure, requestID: requestID)
        let outcome = connection.channel.eventLoop.makePromise(of: InvocationResult.self)
        invokeFunction(event, routeKey: "$disconnect") { outcome.succeed($0) }
        // A task that shutdown can wait for; registered under the lock before it can finish, so that it also
        // leaves under the lock.
        state.withLockedValue { state in
            let task = Task {
                // The promise is only ever succeeded; `.timedOut` stands for a failure that cannot happen.
                let result = (try? await outcome.futureResult.get()) ?? .timedOut
                if !result.isSuccess {
                    self.logger.error(
                        "$disconnect failed", metadata: ["connectionId": "\(connection.id)", "result": "\(result)"])
                }
                self.state.withLockedValue { $0.disconnectFinished(requestID) }
            }
            state.disconnectStarted(requestID, task)
        }
    }
}
