import Foundation
import LocalGateway
import NIOConcurrencyHelpers
import Testing

/// The supervisor with small shell scripts as "functions": environment, output capture, exit detection,
/// restarts and stopping.
@Suite("Function supervisor")
struct FunctionSupervisorTests {
    /// A temporary directory holding one executable script.
    struct Script {
        let directory: URL
        let path: String
        let outputPath: String

        init(name: String = "fn", _ body: String) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("supervisor-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            path = directory.appendingPathComponent(name).path
            outputPath = directory.appendingPathComponent("output.log").path
            try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }

        var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    @Test("a process gets the Runtime API address, Lambda's variables and its own; its output is captured; its exit is seen")
    func environmentOutputAndExit() async throws {
        let script = try Script(name: "greeter", "env | sort\necho to-stderr >&2\necho pid=$$\nexit 3")
        defer { script.remove() }
        let exits = NIOLockedValueBox<[FunctionSupervisor.Exit]>([])
        let supervisor = FunctionSupervisor(
            configuration: .init(executable: script.path, environment: ["GREETING": "hello=world"], restartOnExit: false,
                                 outputPath: script.outputPath),
            runtimeAPI: "127.0.0.1:1234",
            onExit: { exit in exits.withLockedValue { $0.append(exit) } })
        try supervisor.start()
        try await waitUntil { !supervisor.exitStatuses.isEmpty }
        try await waitUntil { !exits.withLockedValue { $0 }.isEmpty }

        #expect(supervisor.exitStatuses == [3])
        #expect(exits.withLockedValue { $0.map(\.status) } == [3])
        #expect(supervisor.launchCount == 1)
        let lines = Set(script.output.split(separator: "\n").map(String.init))
        // The exit names the process that ended.
        #expect(lines.contains("pid=\(exits.withLockedValue { $0.first?.pid ?? 0 })"))
        #expect(lines.contains("AWS_LAMBDA_RUNTIME_API=127.0.0.1:1234"))
        #expect(lines.contains("GREETING=hello=world"))
        #expect(lines.contains("AWS_LAMBDA_FUNCTION_VERSION=$LATEST"))
        #expect(lines.contains("_HANDLER=greeter"))
        #expect(lines.contains("LAMBDA_TASK_ROOT=\(script.directory.path)"))
        #expect(lines.contains { $0.hasPrefix("AWS_LAMBDA_FUNCTION_NAME=") })
        #expect(lines.contains { $0.hasPrefix("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=") })
        #expect(lines.contains { $0.hasPrefix("AWS_REGION=") })
        #expect(lines.contains("to-stderr"))
    }

    @Test("a process starts with no signal blocked or ignored, so SIGTERM reaches it; death by signal reports 128 + its number")
    func cleanSignalState() async throws {
        let script = try Script("grep -E '^Sig(Blk|Ign)' /proc/self/status\nkill -TERM $$\necho still alive")
        defer { script.remove() }
        let supervisor = FunctionSupervisor(
            configuration: .init(executable: script.path, restartOnExit: false, outputPath: script.outputPath),
            runtimeAPI: "127.0.0.1:1")
        // Started from a Swift concurrency thread, which blocks most signals, in a process where SwiftNIO
        // ignores SIGPIPE: none of that may reach the function.
        try supervisor.start()
        try await waitUntil { !supervisor.exitStatuses.isEmpty }
        #expect(supervisor.exitStatuses == [128 + SIGTERM])
        #expect(!script.output.contains("still alive"))
        var masks: [String: UInt64] = [:]
        for line in script.output.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            if parts.count == 2 { masks[String(parts[0])] = UInt64(parts[1], radix: 16) }
        }
        #expect(masks["SigBlk:"] == 0)
        // Signals 1–31; glibc keeps its two internal real-time signals (32, 33) to itself.
        #expect(masks["SigIgn:"].map { $0 & 0x7FFF_FFFF } == 0)
    }

    @Test("a process that exits is restarted, each instance in its own slot; stop ends them and starts no more")
    func restartsAndStop() async throws {
        let script = try Script("echo started\nsleep 0.2\nexit 1")
        defer { script.remove() }
        let supervisor = FunctionSupervisor(
            configuration: .init(executable: script.path, instances: 2, outputPath: script.outputPath),
            runtimeAPI: "127.0.0.1:1")
        try supervisor.start()
        try await waitUntil { supervisor.launchCount >= 5 }
        #expect(supervisor.launchCount >= 5)
        supervisor.stop()
        let launched = supervisor.launchCount
        try await Task.sleep(for: .seconds(1))
        #expect(supervisor.launchCount == launched)
        #expect(!supervisor.isRunning(slot: 0) && !supervisor.isRunning(slot: 1))
        #expect(script.output.contains("started"))
    }

    @Test("stop terminates a running process, and kills one that ignores SIGTERM after the grace period")
    func stopTerminatesAndKills() async throws {
        let polite = try Script("exec sleep 600")
        let stubborn = try Script("trap '' TERM\nwhile :; do sleep 0.1; done")
        defer { polite.remove(); stubborn.remove() }
        let exits = NIOLockedValueBox(0)
        for script in [polite, stubborn] {
            let supervisor = FunctionSupervisor(
                configuration: .init(executable: script.path), runtimeAPI: "127.0.0.1:1",
                onExit: { _ in exits.withLockedValue { $0 += 1 } })
            try supervisor.start()
            try await waitUntil { supervisor.isRunning() }
            let pid = try #require(supervisor.processIdentifier())
            supervisor.stop(grace: .milliseconds(300))
            #expect(!supervisor.isRunning())
            #expect(kill(pid, 0) != 0)
            #expect(supervisor.launchCount == 1)
        }
        #expect(exits.withLockedValue { $0 } == 0)
    }

    @Test("a path that is not an executable is refused with a clear error")
    func notExecutable() throws {
        let supervisor = FunctionSupervisor(
            configuration: .init(executable: "/nonexistent/function"), runtimeAPI: "127.0.0.1:1")
        #expect(throws: SupervisorError.self) { try supervisor.start() }
        #expect(supervisor.launchCount == 0)
    }
}
