import ArgumentParser
import Dispatch
import Foundation

/// Runs the build tools packaging needs (`swift`, `strip`, `ldd`, `zip`, and for the minimal libcurl `apt-get`,
/// `dpkg-source`, `make`), failing loudly.
enum Shell {
    /// Fails with an installation hint when one of `tools` is not on `PATH`.
    static func requireTools(_ tools: [(name: String, package: String)]) throws {
        let missing = tools.filter { !isOnPath($0.name) }
        guard missing.isEmpty else {
            let names = missing.map(\.name).joined(separator: ", ")
            let packages = Set(missing.map(\.package)).sorted().joined(separator: " ")
            throw ValidationError("packaging needs \(names), which is not installed (Debian/Ubuntu: apt-get install \(packages))")
        }
    }

    /// Runs `tool`; its output goes to standard error, keeping standard output for the command's result.
    /// `environment` adds to (or replaces) the process's variables.
    static func run(_ tool: String, _ arguments: [String], directory: URL? = nil, environment: [String: String] = [:]) throws {
        let process = try start(tool, arguments, directory: directory, environment: environment, stdout: FileHandle.standardError)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(tool) \(arguments.joined(separator: " ")) failed with status \(process.terminationStatus)")
        }
    }

    /// Runs `tool` and returns what it printed on standard output; a failure's message carries its standard error.
    /// `environment` adds to (or replaces) the process's variables.
    static func output(_ tool: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        try capture(tool, arguments, environment: environment).output
    }

    /// Runs `tool` and returns both of its output streams; fails when it exits with a non-zero status.
    static func capture(
        _ tool: String, _ arguments: [String], environment: [String: String] = [:]
    ) throws -> (output: String, errors: String) {
        let pipe = Pipe()
        let errors = Pipe()
        let process = try start(tool, arguments, environment: environment, stdout: pipe, stderr: errors)
        // Standard error is drained on its own thread: a tool that fills that pipe must not block while we read
        // standard output to its end.
        let errorData = LockedData()
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            errorData.set(errors.fileHandleForReading.readDataToEndOfFile())
            drained.signal()
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let errorText = String(decoding: errorData.get(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let detail = (errorText + text).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ValidationError(
                "\(tool) \(arguments.joined(separator: " ")) failed with status \(process.terminationStatus)"
                    + (detail.isEmpty ? "" : ": \(detail)"))
        }
        return (text, errorText)
    }

    /// Runs `tool` in `directory` with its output (both streams) appended to `log`; a failure's message names the
    /// log and carries its last lines. For long, chatty builds (`configure`, `make`).
    static func run(
        _ tool: String, _ arguments: [String], directory: URL, log: URL, environment: [String: String] = [:]
    ) throws {
        if !FileManager.default.fileExists(atPath: log.path) {
            // A failure shows as FileHandle(forWritingTo:) throwing below.
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data("$ \(tool) \(arguments.joined(separator: " "))\n".utf8))
        let process = try start(tool, arguments, directory: directory, environment: environment, stdout: handle, stderr: handle)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let lines = (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").suffix(25) ?? []
            throw ValidationError(
                "\(tool) \(arguments.prefix(3).joined(separator: " ")) failed with status \(process.terminationStatus) "
                    + "(full output in \(log.path)):\n" + lines.joined(separator: "\n"))
        }
    }

    /// Whether `tool` is an executable on `PATH`.
    static func isOnPath(_ tool: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { directory in
            FileManager.default.isExecutableFile(atPath: "\(directory)/\(tool)")
        }
    }

    private static func start(
        _ tool: String, _ arguments: [String], directory: URL? = nil, environment: [String: String] = [:],
        stdout: Any? = nil, stderr: Any? = nil
    ) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // The variables are `env`'s arguments, not its environment: loader variables (`LD_TRACE_LOADED_OBJECTS`,
        // `LD_LIBRARY_PATH`) must reach the tool only, not `env` itself.
        process.arguments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + [tool] + arguments
        if let directory { process.currentDirectoryURL = directory }
        if let stdout { process.standardOutput = stdout }
        if let stderr { process.standardError = stderr }
        try process.run()
        return process
    }
}

/// Bytes handed from one thread to another.
private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}
