import ArgumentParser
import Foundation
import LocalGateway

/// `lambda-local serve`: a Runtime API and the emulator's invoke endpoint, with the function running.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a function on the Runtime Interface Emulator's invoke endpoint.",
        discussion: """
            One loopback port (9000 by default, as the emulator uses; 0 picks a free one) serves both the \
            invoke endpoint and the Runtime API the function polls (AWS_LAMBDA_RUNTIME_API=127.0.0.1:<port>).
            curl -d @event.json http://127.0.0.1:9000/2015-03-31/functions/function/invocations
            returns the function's response with 200; a function error, init failure or time-out returns 200 \
            with the error JSON and X-Amz-Function-Error: Unhandled, as Lambda's Invoke API does.
            Functions that exit are restarted; one that runs past --timeout is stopped and restarted. Stop with Ctrl-C.
            """
    )

    @Option(name: .long, help: "The function executable.")
    var function: String

    @Option(name: .long, help: "Port of the invoke endpoint and the Runtime API (0: any free port).")
    var port: Int = 9000

    @Option(name: .long, help: "Function processes polling at once.")
    var instances: Int = 1

    @Option(name: .customLong("env"), help: "KEY=VALUE set in the function's environment (repeatable).")
    var environment: [EnvironmentAssignment] = []

    @Option(name: .long, help: "Seconds the function has to answer.")
    var timeout: Int = 29

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard instances > 0 else { throw ValidationError("--instances must be at least 1") }
        try TimeoutLimits.check(timeout, option: "--timeout")
    }

    func run() async throws {
        let link = SupervisorLink()
        let mock = RuntimeAPIMock(configuration: .init(
            port: port, timeout: .seconds(timeout),
            onTimeout: { address, process in
                guard let pid = link.stopTimedOut(address: address, process: process) else { return }
                FileHandle.standardError.write(Data("lambda-local: function timed out; stopped process \(pid)\n".utf8))
            },
            connectionOwner: { link.owner(of: $0) }))
        let bound = try await mock.start()
        let supervisor = FunctionSupervisor(
            configuration: .init(executable: function, environment: environment.dictionary, instances: instances),
            runtimeAPI: mock.runtimeAPIAddress,
            onExit: { exit in
                FileHandle.standardError.write(Data("lambda-local: function exited with status \(exit.status); restarting\n".utf8))
                mock.processExited(pid: exit.pid, reason: RuntimeAPIMock.exitReason(status: exit.status))
            })
        link.attach(supervisor)
        do {
            try supervisor.start()
        } catch {
            try await mock.shutdown()
            throw ValidationError("\(error)")
        }
        FileHandle.standardOutput.write(
            Data("Invoke: curl -d @event.json http://127.0.0.1:\(bound)/2015-03-31/functions/function/invocations\n".utf8))
        await SignalWaiter.waitForTermination()
        supervisor.stop()
        try await mock.shutdown()
    }
}
