import Foundation
import Testing

/// `lambda-local invoke`, run as a user runs it.
@Suite("lambda-local invoke")
struct LambdaLocalCommandTests {
    private func run(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FunctionHarness.product("lambda-local"))
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let inputPipe = Pipe()
        process.standardInput = inputPipe
        try process.run()
        if let input { inputPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inputPipe.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
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

    @Test("a missing event file is a usage error, not a crash")
    func missingEvent() throws {
        let result = try run(["invoke", "--function", FunctionHarness.product("FaultyFunction"), "--event", "/nonexistent.json"])
        #expect(result.status != 0)
        #expect(result.status != 1 || result.output.isEmpty)
    }
}
