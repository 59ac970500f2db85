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
///
/// Routes:
/// - `GET /2018-06-01/runtime/invocation/next`: the next event (waits for one), with
///   `Lambda-Runtime-Aws-Request-Id`, `-Deadline-Ms`, `-Invoked-Function-Arn` and `-Trace-Id`;
/// - `POST /2018-06-01/runtime/invocation/{id}/response`: `202 {"status":"OK"}`; 413 over
///   ``Configuration/payloadLimit``; 400 for an unknown or already answered id;
/// - `POST /2018-06-01/runtime/invocation/{id}/error`: the same, recording
///   `Lambda-Runtime-Function-Error-Type` and the body;
/// - `POST /2018-06-01/runtime/init/error`: `202`; waiting invocations fail with it;
/// - `POST /2015-03-31/functions/{name}/invocations`: one invocation, answered as Lambda's Invoke API does
///   (200 with the response, or 200 with the error JSON and `X-Amz-Function-Error: Unhandled`).
///
/// Other paths answer 404, other methods 405, malformed HTTP 400; connections are kept alive.
public final class RuntimeAPIMock: Sendable {
    /// Settings of a mock.
    public struct Configuration: Sendable {
        /// The address to bind; loopback by default.
        public var host: String
        /// The port; `0` picks a free one (read ``RuntimeAPIMock/port`` after ``RuntimeAPIMock/start()``).
        /// 9001 by default, the local gateway's Runtime API port.
        public var port: Int
        /// How long a function has to answer an invocation, counted from ``RuntimeAPIMock/invoke(_:)``;
        /// it sets `Lambda-Runtime-Deadline-Ms`. 29 s by default, API Gateway's integration timeout.
        public var timeout: Duration
        /// `Lambda-Runtime-Invoked-Function-Arn`.
        public var functionARN: String
        /// The largest request body accepted (responses, error reports, invoke payloads); larger ones get 413.
        /// Lambda's limit for synchronous invocations, 6 MB, by default.
        public var payloadLimit: Int
        /// Called when a function runs past the deadline, with the function's end of the connection it
        /// polled on and the process ``connectionOwner`` found for it (Lambda stops such an environment: see
        /// ``FunctionSupervisor/terminate(process:)``).
        public var onTimeout: (@Sendable (SocketAddress, Int32?) -> Void)?
        /// Which function process opened a connection, from the function's end of it, asked as the connection
        /// is accepted (``FunctionSupervisor/process(owningLocalPort:)``): an invocation is then that
        /// process's, and ``RuntimeAPIMock/processExited(pid:reason:)`` fails exactly the ones it held.
        public var connectionOwner: (@Sendable (SocketAddress) -> Int32?)?

        public init(
            host: String = "127.0.0.1",
            port: Int = 9001,
            timeout: Duration = .seconds(29),
            functionARN: String = "arn:aws:lambda:us-east-1:000000000000:function:local",
            payloadLimit: Int = RuntimeAPIMock.maxResponseBytes,
            onTimeout: (@Sendable (SocketAddress, Int32?) -> Void)? = nil,
            connectionOwner: (@Sendable (SocketAddress) -> Int32?)? = nil
        ) {
            self.host = host
            self.port = port
            self.timeout = timeout
            self.functionARN = functionARN
            self.payloadLimit = payloadLimit
            self.onTimeout = onTimeout
            self.connectionOwner = connectionOwner
        }
    }

    /// The largest response the Lambda Runtime API accepts: 6 MiB and 100 bytes (6,291,556), the figure
    /// Lambda's own error names.
    public static let maxResponseBytes = 6_291_556

    /// The largest payload the invoke endpoint accepts, as Lambda's Invoke API: 6 MiB ("Request must be
    /// smaller than 6291456 bytes for the InvokeFunction operation").
    public static let maxInvokeRequestBytes = 6_291_456

    public let configuration: Configuration
    let state = NIOLockedValueBox(RuntimeAPIMockState())
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)
    /// Open client connections, closed on shutdown so that the API really goes away.
    private let connections = NIOLockedValueBox(ConnectionRegistry())
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
                self.connections.withLockedValue { $0.add(channel, key: key) }
                channel.closeFuture.whenComplete { _ in self.connections.withLockedValue { $0.remove(key) } }
                return channel.eventLoop.makeCompletedFuture {
                    // NIO's request decoder, then the handler that answers, orders and writes responses itself.
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
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

    /// How many `/next` polls are waiting for an event: function processes ready to take one.
    public var pollersWaiting: Int { state.withLockedValue { $0.pollers.count } }

    /// How many TCP connections clients have opened so far; with keep-alive, one per function process.
    public var connectionsAccepted: Int { connections.withLockedValue { $0.accepted } }

    /// How many client connections are open now (a connection counts until the mock is done with it).
    public var connectionsOpen: Int { connections.withLockedValue { $0.open.count } }

    /// Sends one event to the function and waits for its answer, an init failure, the process's exit, or
    /// the deadline.
    ///
    /// When the function's last initialisation failed (or ``functionExited(reason:)`` was called) and no
    /// runtime has polled since, the invocation fails at once with that outcome instead of waiting.
    public func invoke(_ event: QueuedEvent) async -> InvocationResult {
        await withCheckedContinuation { continuation in
            invoke(event) { continuation.resume(returning: $0) }
        }
    }

    /// Sends one event to the function and gives the outcome to `completion`, as ``invoke(_:)`` does, without
    /// a task: `completion` runs on the thread that learns the outcome (usually the event loop of the
    /// function's response), so a caller on an event loop never crosses into the concurrency pool.
    public func invoke(_ event: QueuedEvent, completion: @escaping @Sendable (InvocationResult) -> Void) {
        let requestID = GatewayRandom.uuidString()
        let timeout = configuration.timeout
        let deadline = Self.nowMilliseconds() + Self.milliseconds(timeout)
        let state = self.state
        let onTimeout = configuration.onTimeout
        let pending = RuntimeAPIMockState.Pending(
            requestID: requestID, event: event, deadlineMilliseconds: deadline, completion: completion)
        switch state.withLockedValue({ $0.enqueue(pending) }) {
        case .failed(let result):
            completion(result)
            return
        case .deliver(let poller, let served):
            poller.promise.succeed(.event(served))
        case .queued:
            break
        }
        // `any()` is the caller's loop when it is one of this group's: scheduling there wakes no other thread.
        let timer = group.any().scheduleTask(in: .milliseconds(Self.milliseconds(timeout))) {
            guard let expired = state.withLockedValue({ $0.expire(requestID) }) else { return }
            expired.perform()
            if let address = expired.functionAddress { onTimeout?(address, expired.functionProcess) }
        }
        if !state.withLockedValue({ $0.attach(timer: timer, to: requestID) }) {
            timer.cancel()
        }
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

    /// Tells the mock that one of the function's processes exited (others may run, or it is restarted): the
    /// invocations it was serving fail with `Runtime.ExitError` and `reason`, as Lambda fails an invocation
    /// whose runtime exits. Invocations served to other processes, and queued ones, are not affected.
    ///
    /// An invocation is `pid`'s when ``Configuration/connectionOwner`` named `pid` for the connection it was
    /// served on. One whose connection had no known owner is failed by any exit once that connection has
    /// closed unanswered. The mock never fails an invocation only because its connection closed: runtimes
    /// may answer on a new connection, as a shell runtime running one `curl` per request does.
    public func processExited(pid: Int32? = nil, reason: String) {
        for resolution in state.withLockedValue({ $0.processExited(pid: pid, reason: reason) }) {
            resolution.perform()
        }
    }

    /// How Lambda words the exit of a runtime that ended mid-invocation, for a process's shell status.
    public static func exitReason(status: Int32) -> String {
        "Runtime exited with error: exit status \(status)"
    }

    /// Tells the mock that no function process is left to serve invocations (the only one exited and will
    /// not be restarted): waiting invocations fail with `Runtime.ExitError` and `reason`, and so do new
    /// ones until a runtime polls again.
    public func functionExited(reason: String) {
        for resolution in state.withLockedValue({ $0.functionExited(reason: reason) }) { resolution.perform() }
    }

    /// The init errors functions reported, oldest first.
    public var initErrors: [(type: String, body: Data)] { state.withLockedValue { $0.initErrors } }

    /// Stops serving; invocations still waiting, and any made afterwards, resolve as timed out.
    public func shutdown() async throws {
        let (resolutions, pollers) = state.withLockedValue { $0.drain() }
        for resolution in resolutions { resolution.perform() }
        for poller in pollers { poller.promise.fail(ChannelError.ioOnClosedChannel) }
        let bound = channel.withLockedValue { value -> (any Channel)? in
            defer { value = nil }
            return value
        }
        try await bound?.close()
        for connection in connections.withLockedValue({ Array($0.open.values) }) {
            try? await connection.close()
        }
    }

    static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

/// The mock's open connections and how many were ever accepted.
struct ConnectionRegistry {
    var open: [ObjectIdentifier: any Channel] = [:]
    var accepted = 0

    mutating func add(_ channel: any Channel, key: ObjectIdentifier) {
        open[key] = channel
        accepted += 1
    }

    mutating func remove(_ key: ObjectIdentifier) {
        open.removeValue(forKey: key)
    }
}
