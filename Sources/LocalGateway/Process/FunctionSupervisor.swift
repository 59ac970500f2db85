import Foundation
import NIOConcurrencyHelpers

/// Runs a function binary as one or more child processes against a Runtime API, and restarts any that exit
/// (a crash, an init failure, a timeout kill), as Lambda starts a fresh execution environment.
///
/// Each process gets the parent's environment, Lambda's function variables (`AWS_LAMBDA_FUNCTION_NAME`,
/// `_VERSION`, `_MEMORY_SIZE`, `AWS_REGION`, `_HANDLER`, `LAMBDA_TASK_ROOT`, log group and stream), the
/// configured extra variables, and `AWS_LAMBDA_RUNTIME_API`; it starts with a clean signal state (see
/// ``ChildProcess``). A process that keeps failing at once is restarted after a growing pause (up to 5 s),
/// never in a tight loop.
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
        /// A file that receives the processes' standard output and error (appended to); `nil` forwards them
        /// to this process's own.
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
        var processes: [Int: ChildProcess] = [:]
        var stopping = false
        var exits: [Int32] = []
        var launches = 0
        /// Consecutive quick failures per slot, for the restart pause.
        var quickFailures: [Int: Int] = [:]
    }

    /// A process that lived less than this counts as failing at once.
    static let quickFailure: Duration = .seconds(1)

    public let configuration: Configuration
    private let runtimeAPI: String
    private let state = NIOLockedValueBox(State())
    private let onExit: @Sendable (Exit) -> Void

    /// A process that ended by itself.
    public struct Exit: Sendable {
        /// Its process id.
        public var pid: Int32
        /// Its exit status, or 128 + the signal number for a process killed by a signal, as shells report it.
        public var status: Int32
    }

    /// - Parameters:
    ///   - runtimeAPI: `host:port` of the Runtime API, given to each process as `AWS_LAMBDA_RUNTIME_API`.
    ///   - onExit: called each time a process ends by itself (a crash, a ``terminate(process:)``), whether or
    ///     not it is restarted; not called for processes that ``stop(grace:)`` ends.
    public init(configuration: Configuration, runtimeAPI: String, onExit: @escaping @Sendable (Exit) -> Void = { _ in }) {
        self.configuration = configuration
        self.runtimeAPI = runtimeAPI
        self.onExit = onExit
    }

    /// Starts every instance.
    /// - Throws: ``SupervisorError`` when the executable is missing or cannot be started.
    public func start() throws {
        guard FileManager.default.isExecutableFile(atPath: configuration.executable) else {
            throw SupervisorError(message: "\(configuration.executable) is not an executable file (build it first)")
        }
        for slot in 0..<max(1, configuration.instances) { try launch(slot: slot) }
    }

    /// Exit statuses of processes that ended, oldest first (128 + the signal number for a killed process).
    public var exitStatuses: [Int32] { state.withLockedValue { $0.exits } }

    /// How many processes were started so far, restarts included (not counting one that ``stop(grace:)``
    /// overtook while it was starting).
    public var launchCount: Int { state.withLockedValue { $0.launches } }

    /// Whether `slot`'s process is running.
    public func isRunning(slot: Int = 0) -> Bool { state.withLockedValue { $0.processes[slot]?.isRunning ?? false } }

    /// The process id of `slot`'s current process.
    public func processIdentifier(slot: Int = 0) -> Int32? {
        state.withLockedValue { $0.processes[slot]?.pid }
    }

    /// Stops every process (SIGTERM, then SIGKILL after `grace`) and starts no more.
    public func stop(grace: Duration = .seconds(2)) {
        let processes = state.withLockedValue { state -> [ChildProcess] in
            state.stopping = true
            return Array(state.processes.values)
        }
        for process in processes { process.send(SIGTERM) }
        let deadline = ContinuousClock.now + grace
        for process in processes {
            while process.isRunning && ContinuousClock.now < deadline { usleep(5_000) }
            process.send(SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Stops (SIGKILL) the process whose end of a TCP connection is local port `port`, as Lambda stops an
    /// execution environment whose function ran past its timeout; it is then restarted like a crashed one.
    /// Returns the process id, or `nil` when no supervised process owns that port (or `/proc` is not there).
    @discardableResult
    public func terminateProcess(usingLocalPort port: Int) -> Int32? {
        guard let pid = process(owningLocalPort: port), terminate(process: pid) else { return nil }
        return pid
    }

    /// Stops (SIGKILL) supervised process `pid` and what it started, if it still runs; it is then restarted
    /// like a crashed one. Returns whether it did.
    @discardableResult
    public func terminate(process pid: Int32) -> Bool {
        guard let process = state.withLockedValue({ $0.processes.values.first { $0.pid == pid && $0.isRunning } })
        else { return false }
        process.sendToGroup(SIGKILL)
        return true
    }

    /// The supervised process whose end of a TCP connection is local port `port`: the process itself, or one
    /// it started (each supervised process leads its own process group, so a shell runtime's `curl` counts as
    /// the shell). `nil` when no running one has it (or `/proc` is not there).
    public func process(owningLocalPort port: Int) -> Int32? {
        let running = state.withLockedValue { $0.processes.values.filter(\.isRunning).map(\.pid) }
        if let pid = SocketOwner.process(usingLocalPort: port, among: running) { return pid }
        let members = SocketOwner.members(ofProcessGroups: Set(running)).filter { !running.contains($0.key) }
        return SocketOwner.process(usingLocalPort: port, among: Array(members.keys)).flatMap { members[$0] }
    }

    /// The environment of a function process.
    func environment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        let name = environment["AWS_LAMBDA_FUNCTION_NAME"] ?? URL(fileURLWithPath: configuration.executable).lastPathComponent
        let defaults = [
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/\(name)",
            "AWS_LAMBDA_LOG_STREAM_NAME": "local/[$LATEST]local",
            "AWS_REGION": "us-east-1",
            "_HANDLER": URL(fileURLWithPath: configuration.executable).lastPathComponent,
            "LAMBDA_TASK_ROOT": URL(fileURLWithPath: configuration.executable).deletingLastPathComponent().path,
        ]
        for (key, value) in defaults where environment[key] == nil { environment[key] = value }
        for (key, value) in configuration.environment { environment[key] = value }
        environment["AWS_LAMBDA_RUNTIME_API"] = runtimeAPI
        return environment
    }

    private func launch(slot: Int) throws {
        let started = ContinuousClock.now
        let process = try ChildProcess.spawn(
            executable: configuration.executable, arguments: configuration.arguments, environment: environment(),
            outputPath: configuration.outputPath
        ) { [weak self] process, termination in
            self?.ended(slot: slot, pid: process.pid, status: termination.shellStatus, lived: ContinuousClock.now - started)
        }
        // `stop()` may have run while this process was starting: then it is not one `stop()` knows about.
        let orphaned = state.withLockedValue { state -> Bool in
            guard !state.stopping else { return true }
            state.launches += 1
            state.processes[slot] = process
            return false
        }
        if orphaned {
            process.send(SIGKILL)
            process.waitUntilExit()
        }
    }

    private func ended(slot: Int, pid: Int32, status: Int32, lived: Duration) {
        let pause = state.withLockedValue { state -> Duration? in
            state.exits.append(status)
            guard !state.stopping else { return nil }
            let failures = lived < Self.quickFailure ? state.quickFailures[slot, default: 0] + 1 : 0
            state.quickFailures[slot] = failures
            return Self.restartPause(afterQuickFailures: failures)
        }
        guard let pause else { return }
        onExit(Exit(pid: pid, status: status))
        guard configuration.restartOnExit else { return }
        Thread.sleep(forTimeInterval: Double(Self.milliseconds(pause)) / 1000)
        guard state.withLockedValue({ !$0.stopping }) else { return }
        do {
            try launch(slot: slot)
        } catch {
            FileHandle.standardError.write(Data("lambda-local: \(error)\n".utf8))
        }
    }

    /// 200 ms after a process that ran a while; doubling for each consecutive quick failure, up to 5 s.
    static func restartPause(afterQuickFailures failures: Int) -> Duration {
        guard failures > 1 else { return .milliseconds(200) }
        return min(.milliseconds(200) * (1 << min(failures - 1, 5)), .seconds(5))
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}

/// A function process could not be started.
public struct SupervisorError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
