public import Foundation
public import NIOCore
import NIOConcurrencyHelpers
import NIOHTTP1
public import NIOPosix
import NIOWebSocket

/// A local emulation of an API Gateway WebSocket API: WebSocket clients connect to
/// `ws://host:port/<stage>`, each open/message/close becomes the event API Gateway would send, delivered to
/// the function through a ``RuntimeAPIMock``, and the `@connections` management API is served on the same port.
public final class WebSocketGateway: Sendable {
    public let configuration: GatewayConfiguration
    /// The Runtime API the function polls.
    public let runtime: RuntimeAPIMock
    /// Decides whether a `@connections` request is authorised (SigV4 verification); `nil` accepts all.
    public let authorizer: (@Sendable (ManagementRequest) -> Bool)?

    let routeSelection: RouteSelectionExpression
    private let group: any EventLoopGroup
    private let serverChannel = NIOLockedValueBox<(any Channel)?>(nil)
    private let state = NIOLockedValueBox(GatewayState())

    struct GatewayState {
        var connections: [String: GatewayConnection] = [:]
        /// Connections whose `$connect` succeeded, waiting for the upgrade to finish, by channel.
        var accepted: [ObjectIdentifier: GatewayConnection] = [:]
        /// Handshakes `$connect` refused, with the status to answer, by channel.
        var rejected: [ObjectIdentifier: Int] = [:]
        /// Close codes to report in `$disconnect`, by connection id (set when the gateway closes a socket).
        var closeReasons: [String: (Int, String)] = [:]
    }

    /// - Throws: when the route selection expression is not `$request.body.<path>`.
    public init(
        configuration: GatewayConfiguration = GatewayConfiguration(),
        runtime: RuntimeAPIMock,
        authorizer: (@Sendable (ManagementRequest) -> Bool)? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws {
        guard let expression = RouteSelectionExpression(configuration.routeSelectionExpression) else {
            throw SupervisorError(message: "route selection expression must look like $request.body.action, not \(configuration.routeSelectionExpression)")
        }
        self.configuration = configuration
        self.runtime = runtime
        self.authorizer = authorizer
        self.routeSelection = expression
        self.group = group
    }

    /// Binds and starts serving; returns the bound port.
    @discardableResult
    public func start() async throws -> Int {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.configurePipeline(channel)
                }
            }
        let bound = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        serverChannel.withLockedValue { $0 = bound }
        return bound.localAddress?.port ?? configuration.port
    }

    /// The bound port, once started.
    public var port: Int { serverChannel.withLockedValue { $0?.localAddress?.port } ?? configuration.port }

    /// `ws://host:port/stage`.
    public var webSocketURL: String { "ws://\(configuration.host):\(port)/\(configuration.stage)" }

    /// The base URL of the management API, without the stage; `AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI` is
    /// this plus `/<stage>`, as API Gateway's own endpoint is `https://{domainName}/{stage}`.
    public var managementEndpoint: String { "http://\(configuration.host):\(port)" }

    /// Ids of the open connections.
    public var connectionIDs: [String] { state.withLockedValue { Array($0.connections.keys) } }

    /// Closes every socket with 1001 (going away), delivers their `$disconnect`, and stops listening.
    public func shutdown() async throws {
        let open = state.withLockedValue { Array($0.connections.values) }
        for connection in open { close(connection.id, code: 1001, reason: "Going away") }
        for connection in open { try? await connection.channel.closeFuture.get() }
        let bound = serverChannel.withLockedValue { value -> (any Channel)? in
            defer { value = nil }
            return value
        }
        try await bound?.close()
    }

    private func configurePipeline(_ channel: any Channel) throws {
        let stagePath = "/" + configuration.stage
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: configuration.maxFrameBytes,
            automaticErrorHandling: true,
            shouldUpgrade: { channel, head in self.shouldUpgrade(channel, head, stagePath: stagePath) },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture { try self.upgraded(channel) }
            }
        )
        let httpHandler = GatewayHTTPHandler(gateway: self)
        let bound = NIOLoopBound(httpHandler, eventLoop: channel.eventLoop)
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                context.pipeline.syncOperations.removeHandler(bound.value, promise: nil)
            }),
            withErrorHandling: true)
        try channel.pipeline.syncOperations.addHandler(httpHandler)
    }

    private func shouldUpgrade(_ channel: any Channel, _ head: HTTPRequestHead, stagePath: String) -> EventLoopFuture<HTTPHeaders?> {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        guard path == stagePath || path == stagePath + "/" else { return channel.eventLoop.makeSucceededFuture(nil) }
        let now = GatewayClock.nowMilliseconds()
        let connection = GatewayConnection(
            id: GatewayClock.newID(), channel: channel, connectedAtMilliseconds: now, lastActiveMilliseconds: now,
            sourceIP: channel.remoteAddress?.ipAddress ?? "127.0.0.1", userAgent: head.headers.first(name: "User-Agent"))
        let requestID = GatewayClock.newID()
        let event = factory.connect(connection, head: head, requestID: requestID)
        let key = ObjectIdentifier(channel)
        let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
        promise.completeWithTask {
            let result = await self.runtime.invoke(QueuedEvent(body: event))
            var status = 500
            if case .response(let data) = result {
                let response = IntegrationResponse(data)
                if response.isSuccess {
                    self.state.withLockedValue { $0.accepted[key] = connection }
                    var headers = HTTPHeaders()
                    if let subprotocol = response.headers.first(where: { $0.key.lowercased() == "sec-websocket-protocol" })?.value {
                        headers.add(name: "Sec-WebSocket-Protocol", value: subprotocol)
                    }
                    return headers
                }
                status = response.statusCode
            } else {
                self.log("$connect of \(connection.id) failed: \(result)")
            }
            self.state.withLockedValue { $0.rejected[key] = status }
            return nil
        }
        return promise.futureResult
    }

    private func upgraded(_ channel: any Channel) throws {
        guard let connection = state.withLockedValue({ $0.accepted.removeValue(forKey: ObjectIdentifier(channel)) }) else {
            channel.close(promise: nil)
            return
        }
        state.withLockedValue { $0.connections[connection.id] = connection }
        let idle = TimeAmount.nanoseconds(Int64(configuration.idleTimeout.components.seconds) * 1_000_000_000)
        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: idle))
        try channel.pipeline.syncOperations.addHandler(WebSocketConnectionHandler(gateway: self, connectionID: connection.id))
        let lifetime = TimeAmount.nanoseconds(Int64(configuration.maxConnectionDuration.components.seconds) * 1_000_000_000)
        channel.eventLoop.scheduleTask(in: lifetime) { [id = connection.id] in
            self.close(id, code: 1001, reason: "Going away")
        }
    }

    var factory: GatewayEventFactory {
        GatewayEventFactory(configuration: configuration, domainName: "\(configuration.host):\(port)")
    }

    /// The status `$connect` refused a handshake on `channel` with, if it did.
    func takeRejection(for channel: any Channel) -> Int? {
        state.withLockedValue { $0.rejected.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    func connection(_ id: String) -> GatewayConnection? { state.withLockedValue { $0.connections[id] } }

    func touch(_ id: String) {
        state.withLockedValue { $0.connections[id]?.lastActiveMilliseconds = GatewayClock.nowMilliseconds() }
    }

    /// Sends `data` to connection `id` (a text frame when it is UTF-8, else binary); `false` if it is gone.
    @discardableResult
    func send(_ data: Data, to id: String) -> Bool {
        guard let connection = connection(id), connection.channel.isActive else { return false }
        let isText = String(data: data, encoding: .utf8) != nil
        let buffer = connection.channel.allocator.buffer(bytes: data)
        connection.channel.writeAndFlush(WebSocketFrame(fin: true, opcode: isText ? .text : .binary, data: buffer), promise: nil)
        touch(id)
        return true
    }

    /// Closes connection `id` with a close frame; its `$disconnect` carries `code` and `reason`.
    @discardableResult
    func close(_ id: String, code: Int, reason: String) -> Bool {
        guard let connection = connection(id) else { return false }
        state.withLockedValue { $0.closeReasons[id] = (code, reason) }
        var buffer = connection.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        buffer.writeInteger(UInt16(code))
        buffer.writeString(reason)
        let channel = connection.channel
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: buffer)).whenComplete { _ in
            // Give the client a moment to answer the close, then drop the connection.
            channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        }
        return true
    }

    /// A socket closed: forget it and send `$disconnect`.
    func closed(_ id: String, clientCode: Int?, clientReason: String?) {
        let (connection, gatewayReason) = state.withLockedValue { state in
            (state.connections.removeValue(forKey: id), state.closeReasons.removeValue(forKey: id))
        }
        guard let connection else { return }
        let code = gatewayReason?.0 ?? clientCode ?? 1006
        let reason = gatewayReason?.1 ?? clientReason ?? ""
        let event = factory.disconnect(connection, statusCode: code, reason: reason, requestID: GatewayClock.newID())
        Task {
            let result = await self.runtime.invoke(QueuedEvent(body: event))
            if !result.isSuccess { self.log("$disconnect of \(id) failed: \(result)") }
        }
    }

    func log(_ message: String) {
        FileHandle.standardError.write(Data("lambda-local gateway: \(message)\n".utf8))
    }
}

/// A `@connections` request as the authoriser sees it.
public struct ManagementRequest: Sendable {
    public var method: String
    /// The path as sent (percent-encoded).
    public var path: String
    /// The query string, without `?`.
    public var query: String
    public var headers: [(name: String, value: String)]
    public var body: Data
}
