import Foundation
import NIOConcurrencyHelpers

/// Runs a function binary as one or more child processes against a Runtime API, and restarts any that exit
/// (a crash, an init failure, a timeout kill), as Lambda starts a fresh execution environment.
public final class FunctionSupervisor: Sendable {
    /// What to run.
    public struct Configuration: Sendable {
        /// The function executable.
        public var executable: String
        /// Extra arguments.
        public var arguments: [String]
        /// Environment added to the parent's (the Runtime API address is added by the supervisor).
        public var environment: [String: String]
        /// How many processes poll at once.
        public var instances: Int
        /// Whether a process that exits is started again.
        public var restartOnExit: Bool
        /// A file that receives the processes' standard output and error; `nil` shares this process's.
        public var outputPath: String?

        public init(
            executable: String, arguments: [String] = [], environment: [String: String] = [:],
            instances: Int = 1, restartOnExit: Bool = true, outputPath: String? = nil
        ) {
            self.outputPath = outputPath
            self.executable = executable
            self.arguments = arguments
            self.environment = environment
            self.instances = instances
            self.restartOnExit = restartOnExit
        }
    }

    private struct State {
        var processes: [Int: Process] = [:]
        var stopping = false
        var exits: [Int32] = []
    }

    public let configuration: Configuration
    private let runtimeAPI: String
    private let state = NIOLockedValueBox(State())
    private let onExit: @Sendable (Int32) -> Void

    /// - Parameters:
    ///   - runtimeAPI: `host:port` of the Runtime API, given to each process as `AWS_LAMBDA_RUNTIME_API`.
    ///   - onExit: called with the exit status each time a process ends unexpectedly.
    public init(configuration: Configuration, runtimeAPI: String, onExit: @escaping @Sendable (Int32) -> Void = { _ in }) {
        self.configuration = configuration
        self.runtimeAPI = runtimeAPI
        self.onExit = onExit
    }

    /// Starts every instance.
    public func start() throws {
        guard FileManager.default.isExecutableFile(atPath: configuration.executable) else {
            throw SupervisorError(message: "\(configuration.executable) is not an executable file (build it first)")
        }
        for slot in 0..<max(1, configuration.instances) { try launch(slot: slot) }
    }

    /// Exit statuses of processes that ended, oldest first.
    public var exitStatuses: [Int32] { state.withLockedValue { $0.exits } }

    /// Whether `slot`'s process is running.
    public func isRunning(slot: Int = 0) -> Bool { state.withLockedValue { $0.processes[slot]?.isRunning ?? false } }

    /// Stops every process (SIGTERM, then SIGKILL after `grace`) and starts no more.
    public func stop(grace: Duration = .seconds(2)) {
        let processes = state.withLockedValue { state -> [Process] in
            state.stopping = true
            return Array(state.processes.values)
        }
        for process in processes where process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + grace
        for process in processes {
            while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
    }

    /// Stops (SIGKILL) the process whose end of a TCP connection is local port `port`, as Lambda stops an
    /// execution environment whose function ran past its timeout; it is then restarted like a crashed one.
    /// Returns the process id, or `nil` when no supervised process owns that port (or `/proc` is not there).
    @discardableResult
    public func terminateProcess(usingLocalPort port: Int) -> Int32? {
        let running = state.withLockedValue { $0.processes.values.filter(\.isRunning).map(\.processIdentifier) }
        guard let pid = SocketOwner.process(usingLocalPort: port, among: running) else { return nil }
        kill(pid, SIGKILL)
        return pid
    }

    private func launch(slot: Int) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: configuration.executable)
        process.arguments = configuration.arguments
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_LAMBDA_FUNCTION_NAME"] = environment["AWS_LAMBDA_FUNCTION_NAME"]
            ?? URL(fileURLWithPath: configuration.executable).lastPathComponent
        environment["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"
        environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] ?? "128"
        environment["AWS_REGION"] = environment["AWS_REGION"] ?? "us-east-1"
        for (key, value) in configuration.environment { environment[key] = value }
        environment["AWS_LAMBDA_RUNTIME_API"] = runtimeAPI
        process.environment = environment
        if let outputPath = configuration.outputPath {
            if !FileManager.default.fileExists(atPath: outputPath) {
                _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
            }
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
            output.seekToEndOfFile()
            process.standardOutput = output
            process.standardError = output
        }
        process.terminationHandler = { [weak self] ended in
            self?.ended(ended, slot: slot)
        }
        try process.run()
        state.withLockedValue { $0.processes[slot] = process }
    }

    private func ended(_ process: Process, slot: Int) {
        let status = process.terminationStatus
        let restart = state.withLockedValue { state -> Bool in
            state.exits.append(status)
            return !state.stopping && configuration.restartOnExit
        }
        guard restart else { return }
        onExit(status)
        // A short pause so a function that fails at once does not spin.
        usleep(200_000)
        if state.withLockedValue({ !$0.stopping }) {
            try? launch(slot: slot)
        }
    }
}

/// A function process could not be started.
public struct SupervisorError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
