import ArgumentParser
import Foundation
import LocalGateway

/// `lambda-local invoke`: one event through a function binary, printing its answer.
struct InvokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Run a function binary against a local Runtime API, send it one event, print the response.",
        discussion: """
            Starts a Runtime API on an ephemeral loopback port, runs the function with AWS_LAMBDA_RUNTIME_API \
            pointing at it, sends the event and stops the function once it has answered.
            Prints the response body on standard output and exits 0; for a function error, an initialisation \
            failure, a crash or a time-out, prints the error JSON on standard output, a summary on standard \
            error, and exits 1.
            Example: lambda-local invoke --function .build/debug/Handlers --event Tests/e2e/events/connect.json
            """
    )

    @Option(name: .long, help: "The function executable.")
    var function: String

    @Option(name: .long, help: "A JSON file with the event ('-' reads standard input).")
    var event: String

    @Option(name: .customLong("env"), help: "KEY=VALUE set in the function's environment (repeatable).")
    var environment: [EnvironmentAssignment] = []

    @Option(name: .long, help: "Seconds the function has to answer.")
    var timeout: Int = 29

    func validate() throws {
        try TimeoutLimits.check(timeout, option: "--timeout")
    }

    func run() async throws {
        let payload: Data
        do {
            payload = event == "-"
                ? FileHandle.standardInput.readDataToEndOfFile()
                : try Data(contentsOf: URL(fileURLWithPath: event))
        } catch {
            throw ValidationError("cannot read the event file \(event): \(error.localizedDescription)")
        }
        let mock = RuntimeAPIMock(configuration: .init(port: 0, timeout: .seconds(timeout)))
        try await mock.start()
        // One process, not restarted: once it is gone, nothing will answer, so the invocation fails at once.
        let supervisor = FunctionSupervisor(
            configuration: .init(executable: function, environment: environment.dictionary, restartOnExit: false),
            runtimeAPI: mock.runtimeAPIAddress,
            onExit: { exit in mock.functionExited(reason: RuntimeAPIMock.exitReason(status: exit.status)) })
        do {
            try supervisor.start()
        } catch {
            try await mock.shutdown()
            throw ValidationError("\(error)")
        }
        let result = await mock.invoke(payload)
        supervisor.stop()
        try await mock.shutdown()

        FileHandle.standardOutput.write(result.payload)
        FileHandle.standardOutput.write(Data("\n".utf8))
        let summary: String
        switch result {
        case .response: return
        case .error(let type, _): summary = "function error: \(type)"
        case .initFailed(let type, _): summary = "initialisation failed: \(type)"
        case .timedOut: summary = "no answer within \(timeout) s"
        }
        FileHandle.standardError.write(Data("lambda-local: \(summary)\n".utf8))
        throw ExitCode(1)
    }
}
