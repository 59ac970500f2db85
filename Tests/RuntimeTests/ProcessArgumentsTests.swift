#if canImport(Glibc)
import CProcessArguments
import Testing

/// The argument vector captured from glibc's call of the program's constructors, which a statically linked
/// function hands the standard library for `CommandLine.arguments`.
///
/// Built as tests usually are, against the shared standard library, this process's `CommandLine.arguments` come
/// from that library's own reading (`/proc/self/maps` and `environ`): an independent reading of the same vector.
/// (Linked statically, the two are the same; the end-to-end packaging test checks that case against the
/// arguments a packaged function was started with.)
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
#endif
