import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The opening handshake: `$connect` runs before the upgrade completes, and its answer decides it.
extension WebSocketGateway {
    /// NIO asks whether to upgrade: only on the stage path, and only when `$connect` answers 2xx. A refusal is
    /// remembered so that ``GatewayHTTPHandler`` answers the handshake with its status.
    func shouldUpgrade(_ channel: any Channel, _ head: HTTPRequestHead) -> EventLoopFuture<HTTPHeaders?> {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let stagePath = "/" + configuration.stage
        guard path == stagePath || path == stagePath + "/" else { return channel.eventLoop.makeSucceededFuture(nil) }
        let now = GatewayClock.nowMilliseconds()
        let connection = GatewayConnection(
            id: GatewayClock.newID(), channel: channel, connectedAtMilliseconds: now, lastActiveMilliseconds: now,
            sourceIP: channel.remoteAddress?.ipAddress ?? configuration.host,
            userAgent: head.headers.first(name: "User-Agent"))
        let requestID = GatewayClock.newID()
        let event = eventFactory.connect(connection, head: head, requestID: requestID)
        let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
        invokeFunction(event, routeKey: "$connect") { result in
            if !result.isSuccess {
                self.logger.error(
                    "$connect failed",
                    metadata: ["connectionId": "\(connection.id)", "requestId": "\(requestID)", "result": "\(result)"])
            }
            let outcome = Self.handshakeOutcome(result)
            if channel.eventLoop.inEventLoop {
                self.decideHandshake(outcome, for: connection, promise: promise)
            } else {
                channel.eventLoop.execute { self.decideHandshake(outcome, for: connection, promise: promise) }
            }
        }
        return promise.futureResult
    }

    /// Applies `$connect`'s outcome on the channel's event loop, where the channel closes: either the channel
    /// is still open, and its close will find what is recorded here (see ``channelClosedBeforeUpgrade(_:)``),
    /// or the client left while `$connect` ran. Then nothing is recorded, and a connection the function
    /// accepted gets its `$disconnect` at once, so that what `$connect` stored for it can be cleaned up.
    private func decideHandshake(
        _ outcome: HandshakeOutcome, for connection: GatewayConnection, promise: EventLoopPromise<HTTPHeaders?>
    ) {
        let channel = connection.channel
        guard channel.isActive else {
            if case .accept = outcome { sendDisconnect(connection, ConnectionClosure.abnormal) }
            promise.succeed(nil)
            return
        }
        switch outcome {
        case .accept(let headers):
            state.withLockedValue { $0.accept(connection) }
            promise.succeed(headers)
        case .reject(let rejection):
            state.withLockedValue { $0.reject(channel, with: rejection) }
            promise.succeed(nil)
        }
    }

    enum HandshakeOutcome: Equatable {
        /// Upgrade, adding these headers to the 101 answer.
        case accept(HTTPHeaders)
        case reject(HandshakeRejection)
    }

    /// What the handshake answers for `$connect`'s result: a 2xx response accepts (passing on the
    /// `Sec-WebSocket-Protocol` the function chose); any other status refuses with that status; a function
    /// error or crash refuses with 502 and a time-out with 504, as API Gateway answers a failed integration.
    static func handshakeOutcome(_ result: InvocationResult) -> HandshakeOutcome {
        switch result {
        case .response(let data):
            let response = IntegrationResponse(data)
            if response.isSuccess {
                var headers = HTTPHeaders()
                if let subprotocol = response.headers.first(where: { $0.key.lowercased() == "sec-websocket-protocol" }) {
                    headers.add(name: "Sec-WebSocket-Protocol", value: subprotocol.value)
                }
                return .accept(headers)
            }
            // An informational status (1xx) is no answer to a handshake: like any other impossible status, 502.
            let status = (200...599).contains(response.statusCode) ? response.statusCode : 502
            let reason = HTTPResponseStatus(statusCode: status).reasonPhrase
            return .reject(HandshakeRejection(
                status: status, body: response.body ?? #"{"message":"\#(reason)"}"#,
                headers: response.headers.filter { !["content-length", "connection", "transfer-encoding"].contains($0.key.lowercased()) }))
        case .error, .initFailed:
            return .reject(HandshakeRejection(status: 502, body: #"{"message": "Internal server error"}"#, headers: [:]))
        case .timedOut:
            return .reject(HandshakeRejection(status: 504, body: #"{"message": "Endpoint request timed out"}"#, headers: [:]))
        }
    }

    /// The upgrade finished: the connection is open; quotas and the frame handler go in.
    func upgraded(_ channel: any Channel) throws {
        guard let connection = state.withLockedValue({ $0.open(channel) }) else {
            channel.close(promise: nil)
            return
        }
        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: TimeAmount(configuration.idleTimeout)))
        try channel.pipeline.syncOperations.addHandler(
            WebSocketConnectionHandler(gateway: self, connectionID: connection.id))
    }

    /// A channel closed: if `$connect` had accepted it but the upgrade never finished, the function still
    /// hears `$disconnect` for the connection it accepted.
    func channelClosedBeforeUpgrade(_ channel: any Channel) {
        guard let connection = state.withLockedValue({ $0.abandonHandshake(channel) }) else { return }
        sendDisconnect(connection, ConnectionClosure.abnormal)
    }

    var eventFactory: GatewayEventFactory {
        GatewayEventFactory(configuration: configuration, domainName: domainName, port: port)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
