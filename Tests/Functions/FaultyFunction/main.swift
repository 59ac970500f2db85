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
// FAULTY_INIT_FAIL=1 makes initialisation throw.

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
            processID: getpid()
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
        default:
            throw FaultyError.unknownOperation(command.op)
        }
    }
}

await LambdaRuntime.start { CodableLambdaAdapter(try FaultyHandler()) }
