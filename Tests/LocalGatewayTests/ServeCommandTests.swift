import Foundation
import Testing

/// `lambda-local serve`, run as a user runs it, reached the way the Runtime Interface Emulator is.
@Suite("lambda-local serve")
struct ServeCommandTests {
    /// This package's built products: the directory that holds the test bundle.
    static func product(_ name: String) -> String {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" && !FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent(name).path
    }

    @Test("curl-style invocations return responses and function errors; a crashed function is restarted; SIGTERM stops everything")
    func serve() async throws {
        let serve = Process()
        serve.executableURL = URL(fileURLWithPath: Self.product("lambda-local"))
        serve.arguments = ["serve", "--function", Self.product("FaultyFunction"), "--port", "0"]
        let output = Pipe()
        serve.standardOutput = output
        serve.standardError = FileHandle.nullDevice
        try serve.run()
        defer { if serve.isRunning { kill(serve.processIdentifier, SIGKILL) } }

        let banner = try await onThread { () -> String in
            var text = ""
            while !text.contains("\n") {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            return text
        }
        let port = try #require(banner.firstMatch(of: /127\.0\.0\.1:(\d+)\/2015-03-31\/functions\/function\/invocations/).flatMap { Int($0.1) })
        let path = "/2015-03-31/functions/function/invocations"
        let invoke: @Sendable (String) async throws -> RawHTTPResponse = { body in
            try await onThread { try RawHTTPConnection(port: port).request("POST", path, body: Array(body.utf8)) }
        }

        let echo = try await invoke(#"{"op":"echo","message":"over curl"}"#)
        #expect(echo.status == 200)
        #expect(echo.header("X-Amz-Function-Error") == nil)
        #expect(echo.json?["message"] as? String == "over curl")

        let thrown = try await invoke(#"{"op":"throw","message":"no"}"#)
        #expect(thrown.status == 200)
        #expect(thrown.header("X-Amz-Function-Error") == "Unhandled")
        #expect(thrown.json?["errorType"] as? String == "FaultyError")

        let crashed = try await invoke(#"{"op":"crash"}"#)
        #expect(crashed.header("X-Amz-Function-Error") == "Unhandled")
        #expect(crashed.json?["errorType"] as? String == "Runtime.ExitError")

        let afterRestart = try await invoke(#"{"op":"echo","message":"again"}"#)
        #expect(afterRestart.json?["message"] as? String == "again")
        let functionPID = try #require(afterRestart.json?["processID"] as? Int32)

        serve.terminate()
        try await onThread { serve.waitUntilExit() }
        #expect(serve.terminationStatus == 0)
        #expect(kill(functionPID, 0) != 0)
    }
}
