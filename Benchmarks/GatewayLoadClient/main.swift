// bench-gateway-client: the closed-loop WebSocket load of Benchmarks/gateway-load/load.py, in one compiled
// process on one event-loop thread, so that the load generator takes a small share of the machine it measures.
//
// Each client opens a connection, asks for its connection id (`whoAmI`, sendMessage mode), then sends
// `{"action":"sendMessage","connectionId":<itself>,"message":"load <n>"}` (or `{"action":"echo",…}`), waits for
// the frame `load <n>`, and sends the next: one message in flight per client. Other frames are skipped and
// counted. A message not answered within the answer timeout counts as lost and the client goes on.
//
//     bench-gateway-client --url ws://127.0.0.1:3001/dev --clients 200 --duration 10 [--mode echo] [--wait]
//
// With --wait it prints `ready` once every connection is open and starts when a line arrives on standard
// input (load.py reads the processes' CPU times in between). The result is one JSON object on standard output.

import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

struct Options {
    var host = "127.0.0.1"
    var port = 3001
    var path = "/dev"
    var clients = 200
    var duration = 10.0
    var answerTimeout = 10.0
    var echo = false
    var wait = false

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            let value = { () -> String in
                guard let value = iterator.next() else { Self.fail("\(argument) needs a value") }
                return value
            }
            switch argument {
            case "--url": parse(url: value())
            case "--clients": clients = Int(value()) ?? clients
            case "--duration": duration = Double(value()) ?? duration
            case "--answer-timeout": answerTimeout = Double(value()) ?? answerTimeout
            case "--mode": echo = value() == "echo"
            case "--wait": wait = true
            default: Self.fail("unknown argument \(argument)")
            }
        }
    }

    private mutating func parse(url: String) {
        guard url.hasPrefix("ws://") else { Self.fail("only ws:// URLs: \(url)") }
        let rest = url.dropFirst(5)
        let authority = rest.prefix { $0 != "/" }
        path = rest.count > authority.count ? String(rest.dropFirst(authority.count)) : "/"
        let parts = authority.split(separator: ":")
        host = String(parts[0])
        if parts.count > 1 { port = Int(parts[1]) ?? port }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("bench-gateway-client: \(message)\n".utf8))
        exit(2)
    }
}

/// What one client measured; touched only on its channel's event loop until the run is over.
final class ClientStats: @unchecked Sendable {
    var sent = 0
    var received = 0
    var skipped = 0
    var roundTripsNanoseconds: [Int64] = []
    var error: String?
}

/// One client's closed loop, on its channel's event loop.
final class LoadClientHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let options: Options
    let stats = ClientStats()
    /// Succeeds once the client is ready to start (connection id known).
    let ready: EventLoopPromise<Void>
    /// Succeeds once the run is over for this client.
    let finished: EventLoopPromise<Void>
    private var context: ChannelHandlerContext?
    private var connectionID: String?
    private var sequence = 0
    private var expected: [UInt8] = []
    private var sentAt: NIODeadline?
    private var stopAt: NIODeadline?
    private var watchdog: RepeatedTask?

    init(options: Options, eventLoop: any EventLoop) {
        self.options = options
        ready = eventLoop.makePromise()
        finished = eventLoop.makePromise()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if options.echo {
            ready.succeed(())
        } else {
            send(#"{"action":"whoAmI"}"#, context: context)
        }
    }

    /// Starts the loop, to run until `stopAt`; call on the channel's event loop.
    func start(until stopAt: NIODeadline) {
        guard let context else { return finish() }
        self.stopAt = stopAt
        let timeout = TimeAmount.nanoseconds(Int64(options.answerTimeout * 1e9))
        watchdog = context.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(200), delay: .milliseconds(200)) { [weak self] _ in
            guard let self, let sentAt = self.sentAt, let context = self.context else { return }
            if NIODeadline.now() - sentAt > timeout { self.next(context: context) }  // lost; the next one
        }
        next(context: context)
    }

    private func next(context: ChannelHandlerContext) {
        sentAt = nil
        guard let stopAt, NIODeadline.now() < stopAt else { return finish() }
        sequence += 1
        let text = "load \(sequence)"
        expected = Array(text.utf8)
        let message = options.echo
            ? #"{"action":"echo","message":"\#(text)"}"#
            : #"{"action":"sendMessage","connectionId":"\#(connectionID ?? "")","message":"\#(text)"}"#
        stats.sent += 1
        sentAt = NIODeadline.now()
        send(message, context: context)
    }

    private func finish() {
        watchdog?.cancel()
        watchdog = nil
        finished.succeed(())
    }

    private func send(_ text: String, context: ChannelHandlerContext) {
        let buffer = context.channel.allocator.buffer(string: text)
        let mask = WebSocketMaskingKey.random()
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, maskKey: mask, data: buffer)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        FramesReceived.count += 1
        switch frame.opcode {
        case .text, .binary:
            var data = frame.unmaskedData
            let bytes = data.readBytes(length: data.readableBytes) ?? []
            if connectionID == nil && !options.echo {
                if let reply = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
                    reply["type"] as? String == "whoAmI", let id = reply["connectionId"] as? String
                {
                    connectionID = id
                    ready.succeed(())
                }
                return
            }
            if let sentAt, bytes == expected {
                stats.roundTripsNanoseconds.append((NIODeadline.now() - sentAt).nanoseconds)
                stats.received += 1
                next(context: context)
            } else if stopAt != nil {
                stats.skipped += 1  // other frames during the run
            }
        case .connectionClose:
            fail("closed by the gateway", context: context)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail("connection closed", context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail("\(error)", context: context)
        context.close(promise: nil)
    }

    private func fail(_ reason: String, context: ChannelHandlerContext) {
        if stats.error == nil, stopAt == nil || sentAt != nil { stats.error = reason }
        ready.fail(ClientFailure(reason))
        self.context = nil
        finish()
    }
}

/// Frames received by all clients; every client runs on the one event-loop thread.
enum FramesReceived {
    nonisolated(unsafe) static var count = 0
}

struct ClientFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Writes the upgrade request once the TCP connection is up.
final class UpgradeRequestHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let host: String
    let path: String

    init(host: String, path: String) {
        self.host = host
        self.path = path
    }

    func channelActive(context: ChannelHandlerContext) {
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: host)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Only a refused upgrade gets here.
        if case .head(let head) = unwrapInboundIn(data) {
            context.fireErrorCaught(ClientFailure("upgrade refused: \(head.status.code)"))
        }
    }
}

func connect(_ options: Options, group: any EventLoopGroup) -> EventLoopFuture<LoadClientHandler> {
    let eventLoop = group.next()
    let handler = LoadClientHandler(options: options, eventLoop: eventLoop)
    let bootstrap = ClientBootstrap(group: eventLoop)
        .channelOption(.socketOption(.tcp_nodelay), value: 1)
        .channelInitializer { channel in
            let requestHandler = UpgradeRequestHandler(host: "\(options.host):\(options.port)", path: options.path)
            let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: 1 << 20) { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            let configuration: NIOHTTPClientUpgradeSendableConfiguration = (
                upgraders: [upgrader],
                completionHandler: { context in
                    context.pipeline.syncOperations.removeHandler(requestHandler, promise: nil)
                }
            )
            return channel.pipeline.addHTTPClientHandlers(withClientUpgrade: configuration).flatMapThrowing {
                try channel.pipeline.syncOperations.addHandler(requestHandler)
            }
        }
    return bootstrap.connect(host: options.host, port: options.port).flatMap { _ in handler.ready.futureResult }
        .map { handler }
}

let options = Options(CommandLine.arguments)
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let eventLoop = group.next()

// Open every connection (each runs $connect), a few dozen at a time.
var handlers: [LoadClientHandler] = []
var failures: [String] = []
var pending: [EventLoopFuture<LoadClientHandler>] = []
for index in 0..<options.clients {
    pending.append(connect(options, group: group))
    if pending.count == 50 || index == options.clients - 1 {
        for future in pending {
            do { handlers.append(try future.wait()) } catch { failures.append("\(error)") }
        }
        pending.removeAll()
    }
}
let clients = handlers
let setupFailures = failures

// The chat application tells every open connection of each new one (channel notices): let those deliveries
// end before the clock starts, so that the run measures the closed loop alone.
var quietSince = NIODeadline.now()
var lastCount = -1
let settleLimit = NIODeadline.now() + .seconds(60)
while NIODeadline.now() < settleLimit {
    let count = try eventLoop.submit { FramesReceived.count }.wait()
    if count != lastCount {
        lastCount = count
        quietSince = NIODeadline.now()
    } else if NIODeadline.now() - quietSince > .milliseconds(500) {
        break
    }
    usleep(100_000)
}
if options.wait {
    FileHandle.standardOutput.write(Data("ready \(clients.count)\n".utf8))
    _ = readLine()
}

let began = NIODeadline.now()
let stopAt = began + .nanoseconds(Int64(options.duration * 1e9))
try eventLoop.submit {
    for client in clients { client.start(until: stopAt) }
}.wait()
for client in clients { try? client.finished.futureResult.wait() }
let elapsed = Double((NIODeadline.now() - began).nanoseconds) / 1e9

struct Totals: Sendable {
    var sent = 0
    var received = 0
    var skipped = 0
    var trips: [Int64] = []
    var errors: [String] = []
}
let totals = try eventLoop.submit { () -> Totals in
    var totals = Totals()
    for stats in clients.map(\.stats) {
        totals.sent += stats.sent
        totals.received += stats.received
        totals.skipped += stats.skipped
        totals.trips += stats.roundTripsNanoseconds
        if let error = stats.error { totals.errors.append(error) }
    }
    totals.trips.sort()
    return totals
}.wait()

func milliseconds(_ nanoseconds: Int64) -> Double { (Double(nanoseconds) / 1e4).rounded() / 100 }
var result: [String: Any] = [
    "clients": options.clients,
    "opened": clients.count,
    "duration_s": (elapsed * 100).rounded() / 100,
    "messages": totals.received,
    "messages_per_s": (Double(totals.received) / elapsed * 10).rounded() / 10,
    "sent": totals.sent,
    "lost": totals.sent - totals.received,
    "other_frames": totals.skipped,
    "client_errors": Array((setupFailures + totals.errors).prefix(5)),
]
if let last = totals.trips.last {
    result["p50_ms"] = milliseconds(totals.trips[totals.trips.count / 2])
    result["p99_ms"] = milliseconds(totals.trips[min(totals.trips.count - 1, Int(Double(totals.trips.count) * 0.99))])
    result["max_ms"] = milliseconds(last)
}
let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
FileHandle.standardOutput.write(json + Data("\n".utf8))
try? group.syncShutdownGracefully()
