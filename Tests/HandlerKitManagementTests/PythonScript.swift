import Foundation

/// Runs the Python helpers committed next to these tests.
enum PythonScript {
    /// `Tests/HandlerKitManagementTests/Support/<name>`.
    static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support/\(name)").path
    }

    /// Runs `python3 <script>` with `input` on stdin and returns its stdout; throws when it fails.
    static func run(_ name: String, input: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path(name)]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Write on another thread so a large answer cannot deadlock against a full input pipe.
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ScriptFailure(script: name, status: process.terminationStatus, stderr: String(decoding: errors, as: UTF8.self))
        }
        return output
    }

    struct ScriptFailure: Error, CustomStringConvertible {
        var script: String
        var status: Int32
        var stderr: String
        var description: String { "\(script) exited with \(status): \(stderr)" }
    }
}
