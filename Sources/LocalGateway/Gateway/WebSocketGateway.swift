import Foundation
import HandlerKit
public import Logging
public import NIOCore
import NIOConcurrencyHelpers
import NIOHTTP1
public import NIOPosix
import NIOWebSocket

/// A local emulation of an API Gateway WebSocket API.
///
/// WebSocket clients connect to `ws://host:port/<stage>`; each open, message and close becomes the event API
/// Gateway would send, delivered to the function through a ``RuntimeAPIMock``, and the `@connections`
/// management API is served on the same port. One connection's faults (oversized messages, protocol errors, a
/// failed invocation) never affect another.
public final class WebSocketGateway: Sendable {
    public let configuration: GatewayConfiguration
    /// The Runtime API the function polls.
    public let runtime: RuntimeAPIMock
    /// Decides whether a `@connections` request may proceed (SigV4 verification); `nil` allows every request.
    public let authorizer: (@Sendable (ManagementRequest) -> ManagementAuthorization)?
    let logger: Logger

    let routeSelection: RouteSelectionExpression
    let recorder: EventRecorder?
    let state = NIOLockedValueBox(GatewayState())
    private let group: any EventLoopGroup
    private let serverChannel = NIOLockedValueBox<(any Channel)?>(nil)

    /// - Throws: ``GatewayConfigurationError`` when the route selection expression is not `$request.body.<path>`,
    ///   or when the record directory cannot be created.
    public init(
        configuration: GatewayConfiguration = GatewayConfiguration(),
        runtime: RuntimeAPIMock,
        authorizer: (@Sendable (ManagementRequest) -> ManagementAuthorization)? = nil,
        logger: Logger = Logger(label: "lambda-local.gateway"),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws {
        let expression: RouteSelectionExpression
        do {
            expression = try RouteSelectionExpression(configuration.routeSelectionExpression)
        } catch {
            throw GatewayConfigurationError("\(error) (expected the form $request.body.action)")
        }
        self.configuration = configuration
        self.runtime = runtime
        self.authorizer = authorizer
        self.logger = logger
        self.routeSelection = expression
        self.group = group
        do {
            self.recorder = try configuration.recordDirectory.map { try EventRecorder(directory: $0, logger: logger) }
        } catch {
            throw GatewayConfigurationError("cannot record events in \(configuration.recordDirectory ?? ""): \(error)")
        }
    }

    /// Sends `event` (for `routeKey`) to the function, recording it first when asked to, and gives the outcome
    /// to `completion` on the thread that learns it. Called where the event arises, on the event loop, so that
    /// recorded files keep the order of events and no task is started per event.
    func invokeFunction(_ event: Data, routeKey: String, completion: @escaping @Sendable (InvocationResult) -> Void) {
        recorder?.record(event, routeKey: routeKey)
        runtime.invoke(QueuedEvent(body: event), completion: completion)
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

    /// `ws://host:port/stage`, where clients connect.
    public var webSocketURL: String { "ws://\(configuration.host):\(port)/\(configuration.stage)" }

    /// The base URL of the management API, without the stage; `AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI` is
    /// this plus `/<stage>`, as API Gateway's own endpoint is `https://{domainName}/{stage}`.
    public var managementEndpoint: String { "http://\(configuration.host):\(port)" }

    /// The events' `domainName` (and the `Host` clients use): `host:port`.
    public var domainName: String { "\(configuration.host):\(port)" }

    /// Ids of the open connections.
    public var connectionIDs: [String] { state.withLockedValue { Array($0.connections.keys) } }

    /// Stops accepting connections, closes every socket with 1001 (going away), and waits (up to `grace`) for
    /// the clients to answer and for the `$disconnect` invocations to finish.
    public func shutdown(grace: Duration = .seconds(5)) async throws {
        let bound = serverChannel.withLockedValue { value -> (any Channel)? in
            defer { value = nil }
            return value
        }
        try? await bound?.close()
        let open = state.withLockedValue { Array($0.connections.values) }
        for connection in open { close(connection.id, .goingAway) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for connection in open { try? await connection.channel.closeFuture.get() }
                // The channels are closed; their $disconnect invocations have started.
                let disconnects = self.state.withLockedValue { Array($0.disconnects.values) }
                for task in disconnects { await task.value }
            }
            group.addTask { try? await Task.sleep(for: grace) }
            await group.next()
            group.cancelAll()
        }
        recorder?.flush()
    }

    private func configurePipeline(_ channel: any Channel) throws {
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: configuration.maxFrameBytes,
            automaticErrorHandling: false,
            shouldUpgrade: { channel, head in self.shouldUpgrade(channel, head) },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture { try self.upgraded(channel) }
            }
        )
        let httpHandler = GatewayHTTPHandler(gateway: self)
        let bound = NIOLoopBound(httpHandler, eventLoop: channel.eventLoop)
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withServerUpgrade: (
                upgraders: [upgrader],
                completionHandler: { context in
                    context.pipeline.syncOperations.removeHandler(bound.value, promise: nil)
                }
            ),
            withErrorHandling: true)
        try channel.pipeline.syncOperations.addHandler(httpHandler)
        channel.closeFuture.whenComplete { _ in self.channelClosedBeforeUpgrade(channel) }
    }
}

/// The gateway cannot start with these settings.
public struct GatewayConfigurationError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
