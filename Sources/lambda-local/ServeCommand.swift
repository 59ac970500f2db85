import ArgumentParser
import Foundation
import LocalGateway

/// `lambda-local serve`: a Runtime API and the emulator's invoke endpoint, with the function running.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a function on the Runtime Interface Emulator's invoke endpoint.",
        discussion: """
            curl -d @event.json http://127.0.0.1:9000/2015-03-31/functions/function/invocations
            returns the function's response (function errors: the error JSON and X-Amz-Function-Error).
            Crashed functions are restarted. Stop with Ctrl-C.
            """
    )

    @Option(name: .long, help: "The function executable.")
    var function: String

    @Option(name: .long, help: "Port of the Runtime API and the invoke endpoint.")
    var port: Int = 9000

    @Option(name: .long, help: "Function processes polling at once.")
    var instances: Int = 1

    @Option(name: .customLong("env"), help: "KEY=VALUE set in the function's environment (repeatable).")
    var environment: [EnvironmentAssignment] = []

    @Option(name: .long, help: "Seconds the function has to answer.")
    var timeout: Int = 29

    func run() async throws {
        let mock = RuntimeAPIMock(configuration: .init(port: port, timeout: .seconds(timeout)))
        let bound = try await mock.start()
        let supervisor = FunctionSupervisor(
            configuration: .init(executable: function, environment: environment.dictionary, instances: instances),
            runtimeAPI: mock.runtimeAPIAddress,
            onExit: { status in
                FileHandle.standardError.write(Data("lambda-local: function exited with status \(status); restarting\n".utf8))
            })
        try supervisor.start()
        FileHandle.standardOutput.write(
            Data("Invoke: curl -d @event.json http://127.0.0.1:\(bound)/2015-03-31/functions/function/invocations\n".utf8))
        await SignalWaiter.waitForTermination()
        supervisor.stop()
        try await mock.shutdown()
    }
}
