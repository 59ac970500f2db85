import Foundation
import LocalGateway

#if canImport(Glibc)
import Glibc
#endif

// Round trips through the Runtime API mock: `RuntimeAPIMock.invoke` → a function process polling `/next` →
// its `/response` → the awaiting caller. Shows how many invocations a second the mock sustains and how much
// CPU it takes to do so (it must not be what limits a benchmark of the runtime or the gateway).
//
//   bench-mock-roundtrip FUNCTION [--event FILE] [--count N] [--warmup W] [--instances K] [--concurrency C]
//
// Prints one JSON line: per_invocation_us (wall time / invocations), invocations_per_s, mock_cpu_share (this
// process's CPU time / wall time: the mock and its callers), errors.

struct Options {
    var function = ""
    var event = Data(#"{"requestContext":{"routeKey":"$default","eventType":"MESSAGE","connectionId":"abc="},"body":"hello"}"#.utf8)
    var count = 5000
    var warmup = 500
    var instances = 1
    var concurrency = 1

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            func value() throws -> String {
                guard let value = rest.popFirst() else { throw UsageError(message: "\(argument) needs a value") }
                return value
            }
            func number() throws -> Int {
                guard let number = Int(try value()), number > 0 else { throw UsageError(message: "\(argument) needs a positive number") }
                return number
            }
            switch argument {
            case "--event": event = try Data(contentsOf: URL(fileURLWithPath: try value()))
            case "--count": count = try number()
            case "--warmup": warmup = try number()
            case "--instances": instances = try number()
            case "--concurrency": concurrency = try number()
            case _ where !argument.hasPrefix("-") && function.isEmpty: function = argument
            default: throw UsageError(message: "unknown argument \(argument)")
            }
        }
        guard !function.isEmpty else { throw UsageError(message: "usage: bench-mock-roundtrip FUNCTION [--event FILE] [--count N] [--warmup W] [--instances K] [--concurrency C]") }
    }
}

struct UsageError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// Runs `total` invocations from `concurrency` callers; returns how many failed.
func run(_ mock: RuntimeAPIMock, event: Data, total: Int, concurrency: Int) async -> Int {
    await withTaskGroup(of: Int.self) { group in
        for caller in 0..<concurrency {
            let share = total / concurrency + (caller < total % concurrency ? 1 : 0)
            group.addTask {
                var failures = 0
                for _ in 0..<share where !(await mock.invoke(event)).isSuccess { failures += 1 }
                return failures
            }
        }
        return await group.reduce(0, +)
    }
}

do {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    let mock = RuntimeAPIMock(configuration: .init(port: 0, timeout: .seconds(60)))
    try await mock.start()
    let supervisor = FunctionSupervisor(
        configuration: .init(
            executable: options.function, environment: ["AWS_LAMBDA_LOG_LEVEL": "ERROR"],
            instances: options.instances, restartOnExit: false),
        runtimeAPI: mock.runtimeAPIAddress)
    try supervisor.start()

    let warmupErrors = await run(mock, event: options.event, total: options.warmup, concurrency: options.concurrency)
    let cpuBefore = cpuSeconds()
    let started = ContinuousClock.now
    let errors = await run(mock, event: options.event, total: options.count, concurrency: options.concurrency)
    let elapsed = ContinuousClock.now - started
    let cpu = cpuSeconds() - cpuBefore
    supervisor.stop()
    try await mock.shutdown()

    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let result: [String: Any] = [
        "per_invocation_us": seconds * 1e6 / Double(options.count),
        "invocations_per_s": Double(options.count) / seconds,
        "mock_cpu_share": cpu / seconds,
        "count": options.count,
        "instances": options.instances,
        "concurrency": options.concurrency,
        "connections": mock.connectionsAccepted,
        "errors": errors + warmupErrors,
    ]
    let line = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print(String(decoding: line, as: UTF8.self))
} catch {
    FileHandle.standardError.write(Data("bench-mock-roundtrip: \(error)\n".utf8))
    exit(2)
}
