// Measures decode → route → encode of one recorded message event through a WebSocketRouter, in-process, the
// way the runtime calls it: the event's bytes in, the response's bytes out.
//
//   swift build -c release --product bench-decode-route
//   .build/release/bench-decode-route [--event FILE] [--iterations N] [--json]
//       prints CPU and wall-clock µs per operation for the whole path and each phase, and allocations per
//       operation when Benchmarks/alloc-counter is preloaded (LD_PRELOAD); --json prints one JSON line instead.
//   .build/release/bench-decode-route [--event FILE] --run N [--body-routed]
//       runs the whole path N times after a fixed warm-up (200 runs) and prints nothing: for instruction counts under
//       callgrind (the difference of two runs cancels start-up). --body-routed sends the event as routed to
//       `$default`, so the router selects the route from the body itself.
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

struct Options {
    var eventPath = "Benchmarks/events/message-1kb.json"
    var iterations = 100_000
    var json = false
    var runOnly: Int?
    var bodyRouted = false

    init(_ arguments: ArraySlice<String>) {
        var arguments = arguments
        while let argument = arguments.popFirst() {
            switch argument {
            case "--event": eventPath = arguments.popFirst() ?? eventPath
            case "--iterations": iterations = arguments.popFirst().flatMap { Int($0) } ?? iterations
            case "--run": runOnly = arguments.popFirst().flatMap { Int($0) }
            case "--json": json = true
            case "--body-routed": bodyRouted = true
            default: eventPath = argument  // the original positional form: [event.json] [iterations]
                if let count = arguments.first.flatMap({ Int($0) }) {
                    iterations = count
                    arguments.removeFirst()
                }
            }
        }
    }
}

/// The allocation counter of Benchmarks/alloc-counter, when it is preloaded.
let allocationCount: (@convention(c) () -> UInt64)? = {
    let defaultScope = UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT
    guard let symbol = dlsym(defaultScope, "lambdasockets_allocation_count") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) () -> UInt64).self)
}()

/// The process's CPU time in microseconds: on a machine shared with other work, wall-clock time measures the
/// neighbours as much as this code.
func cpuMicroseconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) * 1e6 + Double(time.tv_nsec) / 1e3
}

struct Measurement {
    var cpuMicroseconds: Double
    var wallMicroseconds: Double
    var allocations: Double?

    var json: String {
        let allocations = self.allocations.map { "\($0)" } ?? "null"
        return #"{"cpu_us": \#(cpuMicroseconds), "wall_us": \#(wallMicroseconds), "allocations": \#(allocations)}"#
    }
}

/// Runs `body` `iterations` times after a warm-up; CPU and wall-clock microseconds and allocations per run.
func measure(iterations: Int, _ body: () async throws -> Void) async throws -> Measurement {
    for _ in 0..<max(iterations / 10, 100) { try await body() }
    let clock = ContinuousClock()
    let allocationsBefore = allocationCount?()
    let cpuStart = cpuMicroseconds()
    let elapsed = try await clock.measure {
        for _ in 0..<iterations { try await body() }
    }
    let cpu = (cpuMicroseconds() - cpuStart) / Double(iterations)
    let allocations = allocationsBefore.map { Double(allocationCount!() - $0) / Double(iterations) }
    let (seconds, attoseconds) = elapsed.components
    let wall = (Double(seconds) * 1e6 + Double(attoseconds) / 1e12) / Double(iterations)
    return Measurement(cpuMicroseconds: cpu, wallMicroseconds: wall, allocations: allocations)
}

/// Everything runs here, off the main actor, as the runtime's loop calls its handler: no executor hops.
func run(_ options: Options) async throws {
    let input = try Data(contentsOf: URL(fileURLWithPath: options.eventPath))
    let router = WebSocketRouter()
    router.on("sendMessage") { _ in .ok }
    router.onDefault { _ in .status(400) }
    let handler = router.buildHandler()
    let context = LambdaContext.testing()

    let event = try WebSocketEvent.decode(from: input)
    guard handler.route(for: event) == "sendMessage" else {
        print("the event does not route to sendMessage")
        exit(1)
    }
    // The same event as a gateway that selected `$default` sends it: the router selects the route itself by
    // evaluating $request.body.action on the body.
    var defaultEvent = event
    defaultEvent.requestContext.routeKey = "$default"
    let defaultInput = try JSONEncoder().encode(defaultEvent)
    guard handler.route(for: defaultEvent) == "sendMessage" else {
        print("the body does not select sendMessage")
        exit(1)
    }
    var sink = 0
    if let count = options.runOnly {
        let runInput = options.bodyRouted ? defaultInput : input
        for _ in 0..<200 { sink &+= try await handler.handle(runInput, context: context).count }
        for _ in 0..<count { sink &+= try await handler.handle(runInput, context: context).count }
        if sink == 42 { print("") }
        return
    }
    let iterations = options.iterations
    let phases: [(name: String, key: String, measurement: Measurement)] = [
        ("decode + route + encode (RawLambdaHandler.handle)", "full", try await measure(iterations: iterations) {
            sink &+= try await handler.handle(input, context: context).count
        }),
        (
            "decode + route by body + encode ($default event)", "full_body_routed",
            try await measure(iterations: iterations) {
                sink &+= try await handler.handle(defaultInput, context: context).count
            }
        ),
        ("  decode WebSocketEvent", "decode", try await measure(iterations: iterations) {
            sink &+= try WebSocketEvent.decode(from: input).body?.utf8.count ?? 0
        }),
        ("  route (route selection expression on the body)", "route", try await measure(iterations: iterations) {
            sink &+= handler.route(for: defaultEvent)?.rawValue.utf8.count ?? 0
        }),
        ("  encode WebSocketResponse", "encode", try await measure(iterations: iterations) {
            sink &+= WebSocketResponse.ok.encodedJSON().count
        }),
    ]
    if sink == 42 { print("") }
    if options.json {
        let members = phases.map { #""\#($0.key)": \#($0.measurement.json)"# }.joined(separator: ", ")
        print(#"{"event_bytes": \#(input.count), "iterations": \#(iterations), \#(members)}"#)
        return
    }
    print("event: \(options.eventPath) (\(input.count) bytes), \(iterations) iterations")
    for (name, _, measurement) in phases {
        let cpu = rounded(measurement.cpuMicroseconds)
        var line = "\(name): \(cpu) µs/op CPU, \(rounded(measurement.wallMicroseconds)) µs/op wall"
        if let allocations = measurement.allocations { line += ", \(rounded(allocations)) allocations/op" }
        print(line)
    }
    if allocationCount == nil {
        print("(allocations: run with LD_PRELOAD=<alloc-counter.so>, see Benchmarks/alloc-counter)")
    }
}

func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }

do {
    try await run(Options(CommandLine.arguments.dropFirst()))
} catch {
    print("benchmark failed: \(error)")
    exit(1)
}
