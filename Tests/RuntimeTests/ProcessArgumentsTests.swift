import CProcessArguments
import Testing

/// The argument vector captured from glibc's call of the program's constructors, which a statically linked
/// function hands the standard library for `CommandLine.arguments`.
///
/// This test process links the shared standard library, which finds its arguments its own way (from
/// `/proc/self/maps` and `environ`): an independent reading of the same vector.
@Suite struct ProcessArgumentsTests {
    @Test func theCapturedVectorIsTheOneTheStandardLibraryFinds() throws {
        var count: Int32 = -1
        let vector = try #require(lambdasockets_process_arguments(&count))
        #expect(count == CommandLine.argc)
        let captured = (0..<Int(count)).map { String(cString: vector[$0]!) }
        #expect(captured == CommandLine.arguments)
        #expect(vector[Int(count)] == nil, "the vector is not NULL-terminated")
    }
}
