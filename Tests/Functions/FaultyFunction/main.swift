#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Runtime

// A function for the runtime's own tests: each event names the behaviour to show.
//   {"op": "echo", "message": "..."}     → {"message": "...", ...context fields}
//   {"op": "throw", "message": "..."}    → throws FaultyError.requested(message)
//   {"op": "big", "size": N}             → a response of N bytes
//   {"op": "crash"}                      → the process dies
//   {"op": "sleep", "size": N}           → answers after Task.sleep for N ms
//   {"op": "mainActor"}                  → answers from @MainActor code (message: "main thread" where it ran there)
//   {"op": "actor"}                      → answers after a call into an actor
//   {"op": "elsewhere"}                  → answers after a continuation resumed on a thread of its own
//   {"op": "arguments"}                  → answers with CommandLine.arguments
// Every reply says whether the handler ran on the main thread and how many threads the process has.
// FAULTY_INIT_FAIL=1 makes initialisation throw; FAULTY_INIT_SLEEP=N makes it sleep N ms first.

struct Command: Decodable {
    var op: String
    var message: String?
    var size: Int?
}

struct Reply: Encodable {
    var message: String?
    var requestID: String
    var invokedFunctionARN: String
    var traceID: String?
    var traceEnvironment: String?
    var remainingMilliseconds: Int64
    var clientContextCustom: [String: String]?
    var cognitoIdentityId: String?
    var functionName: String
    var processID: Int32
    var padding: String?
    var arguments: [String]?
    var onMainThread: Bool
    var threadCount: Int
}

/// The thread top-level code starts on.
nonisolated(unsafe) let mainThread = pthread_self()

/// The number of threads in this process.
func threadCount() -> Int {
    guard let directory = opendir("/proc/self/task") else { return -1 }
    defer { closedir(directory) }
    var count = 0
    while let entry = readdir(directory) {
        if entry.pointee.d_name.0 != UInt8(ascii: ".") { count += 1 }
    }
    return count
}

func onMainThread() -> Bool { pthread_equal(pthread_self(), mainThread) != 0 }

actor Counter {
    private var value = 0
    func next() -> Int {
        value += 1
        return value
    }
}

let counter = Counter()

/// Resumes a continuation from a thread of its own, as a callback-based client library would.
func resumeElsewhere() async -> String {
    await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
        final class Box: @unchecked Sendable {
            let continuation: CheckedContinuation<String, Never>
            init(_ continuation: CheckedContinuation<String, Never>) { self.continuation = continuation }
        }
        let box = Unmanaged.passRetained(Box(continuation)).toOpaque()
        var thread = pthread_t()
        pthread_create(&thread, nil, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            box.continuation.resume(returning: "resumed elsewhere")
            return nil
        }, box)
        pthread_detach(thread)
    }
}

enum FaultyError: Error {
    case requested(String)
    case unknownOperation(String)
}

struct InitFailure: Error, CustomStringConvertible {
    var description: String { "FAULTY_INIT_FAIL is set" }
}

struct FaultyHandler: LambdaHandler {
    init() throws {
        if LambdaEnvironment().variables["FAULTY_INIT_FAIL"] == "1" { throw InitFailure() }
    }

    func handle(_ command: Command, context: LambdaContext) async throws -> Reply {
        context.logger.info("op \(command.op)")
        var reply = Reply(
            message: command.message,
            requestID: context.requestID,
            invokedFunctionARN: context.invokedFunctionARN,
            traceID: context.traceID,
            traceEnvironment: getenv("_X_AMZN_TRACE_ID").map { String(cString: $0) },
            remainingMilliseconds: context.remainingTime.components.seconds * 1000,
            clientContextCustom: context.clientContext?.custom,
            cognitoIdentityId: context.cognitoIdentity?.cognitoIdentityId,
            functionName: context.functionName,
            processID: getpid(),
            onMainThread: onMainThread(),
            threadCount: threadCount()
        )
        switch command.op {
        case "echo":
            return reply
        case "throw":
            throw FaultyError.requested(command.message ?? "")
        case "big":
            reply.padding = String(repeating: "x", count: command.size ?? 0)
            return reply
        case "crash":
            fatalError("crash requested")
        case "sleep":
            try await Task.sleep(for: .milliseconds(command.size ?? 100))
            return reply
        case "mainActor":
            reply.message = await MainActor.run { onMainThread() ? "main thread" : "another thread" }
            return reply
        case "actor":
            reply.message = "count \(await counter.next())"
            return reply
        case "elsewhere":
            reply.message = await resumeElsewhere()
            return reply
        case "arguments":
            reply.arguments = CommandLine.arguments
            return reply
        default:
            throw FaultyError.unknownOperation(command.op)
        }
    }
}

await LambdaRuntime.start {
    // FAULTY_INIT_SLEEP=N: initialisation suspends for N ms first (the runtime must stay on the main thread).
    if let milliseconds = LambdaEnvironment().variables["FAULTY_INIT_SLEEP"].flatMap({ Int($0) }) {
        try await Task.sleep(for: .milliseconds(milliseconds))
    }
    return CodableLambdaAdapter(try FaultyHandler())
}
