import Foundation
import LocalGateway
import Testing

/// Runs a built function binary of this package as a child process against a ``RuntimeAPIMock``.
struct FunctionHarness {
    let mock: RuntimeAPIMock
    let supervisor: FunctionSupervisor
    let outputPath: String

    /// The directory holding this package's built products (where the test bundle itself lives).
    static var productsDirectory: URL {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        // The test bundle may sit inside a .xctest directory.
        while directory.path != "/" && !FileManager.default.fileExists(atPath: directory.appendingPathComponent("FaultyFunction").path) {
            directory = directory.deletingLastPathComponent()
        }
        return directory
    }

    static func product(_ name: String) -> String { productsDirectory.appendingPathComponent(name).path }

    static func start(
        _ product: String = "FaultyFunction", environment: [String: String] = [:], instances: Int = 1,
        timeout: Duration = .seconds(20), payloadLimit: Int = RuntimeAPIMock.maxResponseBytes
    ) async throws -> FunctionHarness {
        // Connections are attributed to the process that opened them, as lambda-local does.
        let link = SupervisorLink()
        let mock = RuntimeAPIMock(configuration: .init(
            port: 0, timeout: timeout, payloadLimit: payloadLimit, connectionOwner: { link.owner(of: $0) }))
        try await mock.start()
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("function-\(UUID().uuidString).log").path
        let supervisor = FunctionSupervisor(
            configuration: .init(
                executable: Self.product(product), environment: environment, instances: instances,
                restartOnExit: false, outputPath: outputPath),
            runtimeAPI: mock.runtimeAPIAddress,
            onExit: { exit in mock.processExited(pid: exit.pid, reason: RuntimeAPIMock.exitReason(status: exit.status)) })
        link.attach(supervisor)
        try supervisor.start()
        return FunctionHarness(mock: mock, supervisor: supervisor, outputPath: outputPath)
    }

    func invoke(_ json: String, headers: [String: String?] = [:]) async -> InvocationResult {
        await mock.invoke(QueuedEvent(body: Data(json.utf8), headerOverrides: headers))
    }

    /// Waits until the process has exited and returns its status, or `nil` if it is still running.
    func exitStatus(within limit: Duration = .seconds(20)) async throws -> Int32? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let status = supervisor.exitStatuses.first { return status }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    func stop() async throws {
        supervisor.stop()
        try await mock.shutdown()
        try? FileManager.default.removeItem(atPath: outputPath)
    }
}

extension InvocationResult {
    /// The payload as a JSON object.
    var json: [String: Any]? { try? JSONSerialization.jsonObject(with: payload) as? [String: Any] }
}
