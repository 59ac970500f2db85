public import Foundation
public import NIOCore
import NIOConcurrencyHelpers
import NIOHTTP1
public import NIOPosix

/// A local Lambda Runtime API (version 2018-06-01) for running functions without AWS.
///
/// It serves queued events to one or more polling function processes (each event goes to exactly one
/// poller), records their responses and errors, and resolves ``invoke(_:)`` with the outcome. The same port
/// also serves the invoke endpoint of the AWS Runtime Interface Emulator,
/// `POST /2015-03-31/functions/function/invocations`, so `curl -d @event.json` works against it.
public final class RuntimeAPIMock: Sendable {
    /// Settings of a mock.
    public struct Configuration: Sendable {
        /// The address to bind; loopback by default.
        public var host: String
        /// The port; `0` picks a free one (read ``port`` after ``start()``).
        public var port: Int
        /// How long a function has to answer an invocation.
        public var timeout: Duration
        /// `Lambda-Runtime-Invoked-Function-Arn`.
        public var functionARN: String
        /// Called when a function runs past the deadline, with the function's end of the connection it
        /// polled on (Lambda stops such an environment: see ``FunctionSupervisor/terminateProcess(connectedFrom:)``).
        public var onTimeout: (@Sendable (SocketAddress) -> Void)?

        public init(
            host: String = "127.0.0.1",
            port: Int = 9001,
            timeout: Duration = .seconds(29),
            functionARN: String = "arn:aws:lambda:us-east-1:000000000000:function:local",
            onTimeout: (@Sendable (SocketAddress) -> Void)? = nil
        ) {
            self.host = host
            self.port = port
            self.timeout = timeout
            self.functionARN = functionARN
            self.onTimeout = onTimeout
        }
    }

    /// The largest response the Runtime API accepts (6 MB); larger ones get 413.
    public static let maxResponseBytes = 6 * 1024 * 1024

    public let configuration: Configuration
    let state = NIOLockedValueBox(RuntimeAPIMockState())
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)
    /// Open client connections, closed on shutdown so that the API really goes away.
    private let connections = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
    private let group: any EventLoopGroup

    public init(configuration: Configuration = Configuration(), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    /// Binds and starts serving. Returns the bound port.
    @discardableResult
    public func start() async throws -> Int {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let key = ObjectIdentifier(channel)
                self.connections.withLockedValue { $0[key] = channel }
                channel.closeFuture.whenComplete { _ in _ = self.connections.withLockedValue { $0.removeValue(forKey: key) } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(RuntimeAPIHTTPHandler(mock: self))
                }
            }
        let bound = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        channel.withLockedValue { $0 = bound }
        return bound.localAddress?.port ?? configuration.port
    }

    /// The bound port, once started.
    public var port: Int? { channel.withLockedValue { $0?.localAddress?.port } }

    /// `host:port`, the value for `AWS_LAMBDA_RUNTIME_API`.
    public var runtimeAPIAddress: String { "\(configuration.host):\(port ?? configuration.port)" }

    /// Sends one event to the function and waits for its answer, an init failure, or the deadline.
    public func invoke(_ event: QueuedEvent) async -> InvocationResult {
        let requestID = UUID().uuidString.lowercased()
        let timeoutMilliseconds = Int64(configuration.timeout.components.seconds) * 1000
            + Int64(configuration.timeout.components.attoseconds / 1_000_000_000_000_000)
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + timeoutMilliseconds
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<InvocationResult, Never>) in
            let pending = RuntimeAPIMockState.Pending(
                requestID: requestID, event: event, deadlineMilliseconds: deadline, continuation: continuation)
            let delivery = state.withLockedValue { $0.enqueue(pending) }
            if let (poller, served) = delivery {
                poller.promise.succeed(.event(served))
            }
            group.any().scheduleTask(in: .milliseconds(timeoutMilliseconds)) { [state, configuration] in
                if let (continuation, functionAddress) = state.withLockedValue({ $0.expire(requestID) }) {
                    continuation.resume(returning: .timedOut)
                    if let functionAddress { configuration.onTimeout?(functionAddress) }
                }
            }
        }
        return result
    }

    /// Convenience for ``invoke(_:)`` with a body and the default headers.
    public func invoke(_ body: Data) async -> InvocationResult {
        await invoke(QueuedEvent(body: body))
    }

    /// Makes the next `count` polls of `/next` answer `status` (fault injection for tests).
    /// Polls already waiting are answered at once.
    public func failNextPolls(status: Int, count: Int = 1) {
        let waiting = state.withLockedValue { $0.injectPollFailures(status: status, count: count) }
        for poller in waiting { poller.promise.succeed(.failure(status: status)) }
    }

    /// The init errors functions reported, oldest first.
    public var initErrors: [(type: String, body: Data)] { state.withLockedValue { $0.initErrors } }

    /// Stops serving; invocations still waiting resolve as timed out.
    public func shutdown() async throws {
        let (continuations, pollers) = state.withLockedValue { $0.drain() }
        for continuation in continuations { continuation.resume(returning: .timedOut) }
        for poller in pollers { poller.promise.fail(ChannelError.ioOnClosedChannel) }
        let bound = channel.withLockedValue { value -> (any Channel)? in
            defer { value = nil }
            return value
        }
        try await bound?.close()
        for connection in connections.withLockedValue({ Array($0.values) }) {
            try? await connection.close()
        }
    }
}
