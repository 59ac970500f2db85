import ArgumentParser
import Foundation
import LocalGateway

/// `lambda-local invoke`: one event through a function binary, printing its answer.
struct InvokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Run a function binary against a local Runtime API, send it one event, print the response.",
        discussion: """
            Prints the response body on standard output and exits 0, or prints the error report and exits 1.
            Example: lambda-local invoke --function .build/debug/Handlers --event Tests/HandlerKitTests/Fixtures/connect.json
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
        let supervisor = FunctionSupervisor(
            configuration: .init(executable: function, environment: environment.dictionary, restartOnExit: false),
            runtimeAPI: mock.runtimeAPIAddress)
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
        switch result {
        case .response: return
        case .error(let type, _): FileHandle.standardError.write(Data("function error: \(type)\n".utf8))
        case .initFailed(let type, _): FileHandle.standardError.write(Data("initialisation failed: \(type)\n".utf8))
        case .timedOut: FileHandle.standardError.write(Data("no answer within \(timeout) s\n".utf8))
        }
        throw ExitCode(1)
    }
}
