import Foundation
import Testing

/// `lambda-local invoke`, run as a user runs it.
@Suite("lambda-local invoke")
struct LambdaLocalCommandTests {
    private func run(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String) {
        let (status, output, _) = try runCapturingErrors(arguments, input: input)
        return (status, output)
    }

    private func runCapturingErrors(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FunctionHarness.product("lambda-local"))
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("lambda-local-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        process.standardError = try FileHandle(forWritingTo: errorFile)
        let inputPipe = Pipe()
        process.standardInput = inputPipe
        try process.run()
        if let input { inputPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inputPipe.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), errors)
    }

    @Test("prints the response and exits 0")
    func success() throws {
        let result = try run(["invoke", "--function", FunctionHarness.product("FaultyFunction"), "--event", "-"],
                             input: #"{"op":"echo","message":"from the command line"}"#)
        #expect(result.status == 0)
        #expect(result.output.contains(#""message":"from the command line""#))
    }

    @Test("prints the error report and exits 1 when the function fails")
    func failure() throws {
        let result = try run(["invoke", "--function", FunctionHarness.product("FaultyFunction"), "--event", "-",
                              "--env", "FAULTY_INIT_FAIL=1"], input: "{}")
        #expect(result.status == 1)
        #expect(result.output.contains(#""errorType":"InitFailure""#))
    }

    @Test("reads the event from a file and passes --env to the function")
    func eventFileAndEnvironment() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("event-\(UUID().uuidString).json")
        try Data(#"{"op":"echo","message":"from a file"}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try run(["invoke", "--function", FunctionHarness.product("FaultyFunction"), "--event", file.path,
                              "--env", "AWS_LAMBDA_FUNCTION_NAME=named-by-env"])
        #expect(result.status == 0)
        let reply = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(reply["message"] as? String == "from a file")
        #expect(reply["functionName"] as? String == "named-by-env")
    }

    @Test("a function that throws: the error report on standard output, its type on standard error, exit 1")
    func handlerError() throws {
        let result = try runCapturingErrors(["invoke", "--function", FunctionHarness.product("FaultyFunction"), "--event", "-"],
                                            input: #"{"op":"throw","message":"refused"}"#)
        #expect(result.status == 1)
        #expect(result.output.contains(#""errorType":"FaultyError""#))
        #expect(result.errors.contains("function error: FaultyError"))
    }

    @Test("a binary that exits without serving fails the invocation with Runtime.ExitError instead of waiting")
    func functionExitsAtOnce() throws {
        // 600 s to answer: a time-out would show as Sandbox.Timedout after ten minutes, not as this error.
        let result = try run(["invoke", "--function", "/bin/false", "--event", "-", "--timeout", "600"], input: "{}")
        #expect(result.status == 1)
        #expect(result.output.contains("Runtime.ExitError"))
        #expect(result.output.contains("exit status 1"))
    }

    @Test("a function that does not answer in time is stopped and reported as timed out")
    func timeout() throws {
        let result = try runCapturingErrors(["invoke", "--function", FunctionHarness.product("FaultyFunction"), "--event", "-",
                                             "--timeout", "1"], input: #"{"op":"sleep","size":60000}"#)
        #expect(result.status == 1)
        #expect(result.output.contains("Sandbox.Timedout"))
        #expect(result.errors.contains("no answer within 1 s"))
    }

    @Test("a missing event file is a usage error, not a crash")
    func missingEvent() throws {
        let result = try run(["invoke", "--function", FunctionHarness.product("FaultyFunction"), "--event", "/nonexistent.json"])
        #expect(result.status != 0)
        #expect(result.status != 1 || result.output.isEmpty)
    }

    @Test("timeouts out of range are usage errors (64) naming the option, for every command, not a crash later",
          arguments: [
              ["invoke", "--event", "-", "--timeout", "0"],
              ["invoke", "--event", "-", "--timeout", "9223372036854775807"],
              ["serve", "--port", "0", "--timeout", "86401"],
              ["gateway", "--port", "0", "--runtime-api-port", "0", "--idle-timeout", "9223372036854775807"],
              ["gateway", "--port", "0", "--runtime-api-port", "0", "--timeout", "86401"],
          ])
    func timeoutsOutOfRange(_ arguments: [String]) throws {
        let option = arguments[arguments.count - 2]
        let result = try runCapturingErrors(
            Array(arguments.prefix(1)) + ["--function", FunctionHarness.product("FaultyFunction")] + arguments.dropFirst(),
            input: "{}")
        #expect(result.status == 64)
        #expect(result.errors.contains("\(option) must be between 1 and 86400 seconds"))
    }
}
