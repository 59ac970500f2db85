// Times decode → route → encode of one recorded message event through a WebSocketRouter, in-process.
//
//   swift run -c release bench-decode-route [event.json] [iterations]
//
// Prints microseconds per operation (process CPU time and wall-clock) for the whole path and for each phase.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HandlerKit
import HandlerKitTesting
import Runtime

let arguments = CommandLine.arguments
let path = arguments.count > 1 ? arguments[1] : "Benchmarks/events/message-1kb.json"
let iterations = arguments.count > 2 ? Int(arguments[2]) ?? 100_000 : 100_000

let input: Data
do {
    input = try Data(contentsOf: URL(fileURLWithPath: path))
} catch {
    print("cannot read \(path): \(error)")
    exit(1)
}

let router = WebSocketRouter()
router.on("sendMessage") { _ in .ok }
router.onDefault { _ in .status(400) }
let handler = router.buildHandler()
let context = LambdaContext.testing()
let decoder = JSONDecoder()
let encoder = JSONEncoder()

/// The process's CPU time in microseconds: on a machine shared with other work, wall-clock time measures the
/// neighbours as much as this code.
func cpuMicroseconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) * 1e6 + Double(time.tv_nsec) / 1e3
}

/// Runs `body` `iterations` times after a warm-up and prints CPU and wall-clock microseconds per run.
func measure(_ name: String, _ body: () async throws -> Void) async throws {
    for _ in 0..<max(iterations / 10, 100) { try await body() }
    let clock = ContinuousClock()
    let cpuStart = cpuMicroseconds()
    let elapsed = try await clock.measure {
        for _ in 0..<iterations { try await body() }
    }
    let cpu = (cpuMicroseconds() - cpuStart) / Double(iterations)
    let (seconds, attoseconds) = elapsed.components
    let wall = (Double(seconds) * 1e6 + Double(attoseconds) / 1e12) / Double(iterations)
    print("\(name): \((cpu * 100).rounded() / 100) µs/op CPU, \((wall * 100).rounded() / 100) µs/op wall")
}

do {
    print("event: \(path) (\(input.count) bytes), \(iterations) iterations")
    let event = try WebSocketEvent.decode(from: input, decoder: decoder)
    guard handler.route(for: event) == "sendMessage" else {
        print("the event does not route to sendMessage")
        exit(1)
    }
    var sink = 0
    try await measure("decode + route + encode (RawLambdaHandler.handle)") {
        sink &+= try await handler.handle(input, context: context).count
    }
    try await measure("  decode WebSocketEvent") {
        sink &+= try WebSocketEvent.decode(from: input, decoder: decoder).body?.utf8.count ?? 0
    }
    try await measure("  route (route selection expression on the body)") {
        sink &+= RouteSelectionExpression.default.selectedValue(inBody: event.body)?.utf8.count ?? 0
    }
    try await measure("  encode WebSocketResponse") {
        sink &+= try encoder.encode(WebSocketResponse.ok).count
    }
    if sink == 42 { print("") }
} catch {
    print("benchmark failed: \(error)")
    exit(1)
}
