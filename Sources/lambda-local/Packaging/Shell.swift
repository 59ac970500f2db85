import ArgumentParser
import Foundation

/// Runs the build tools packaging needs (`swift`, `strip`, `ldd`, `zip`), failing loudly.
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
    static func run(_ tool: String, _ arguments: [String], directory: URL? = nil) throws {
        let process = try start(tool, arguments, directory: directory, stdout: FileHandle.standardError)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(tool) \(arguments.joined(separator: " ")) failed with status \(process.terminationStatus)")
        }
    }

    /// Runs `tool` and returns what it printed on standard output; a failure's message carries its standard error.
    static func output(_ tool: String, _ arguments: [String]) throws -> String {
        let pipe = Pipe()
        let errors = Pipe()
        let process = try start(tool, arguments, stdout: pipe, stderr: errors)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let detail = (String(decoding: errorData, as: UTF8.self) + text).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ValidationError(
                "\(tool) \(arguments.joined(separator: " ")) failed with status \(process.terminationStatus)"
                    + (detail.isEmpty ? "" : ": \(detail)"))
        }
        return text
    }

    private static func isOnPath(_ tool: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { directory in
            FileManager.default.isExecutableFile(atPath: "\(directory)/\(tool)")
        }
    }

    private static func start(
        _ tool: String, _ arguments: [String], directory: URL? = nil, stdout: Any? = nil, stderr: Any? = nil
    ) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        if let directory { process.currentDirectoryURL = directory }
        if let stdout { process.standardOutput = stdout }
        if let stderr { process.standardError = stderr }
        try process.run()
        return process
    }
}
