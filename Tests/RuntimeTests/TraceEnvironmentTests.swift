#if canImport(Glibc)
import CHeapUsage
import Glibc
@testable import Runtime
import Testing

/// A failed check in a child process: its message, on the child's standard output.
private func fail(_ message: String) { print(message) }

/// `_X_AMZN_TRACE_ID` follows each invocation without growing the process.
///
/// Each check runs in a process of its own (an exit test): invocation-loop tests in this process set the
/// variable concurrently, and their allocations would blur a heap measurement.
@Suite
struct TraceEnvironmentTests {
    /// Expects the child to have exited normally having printed no failure.
    private func expectNoFailure(_ result: ExitTest.Result?, sourceLocation: SourceLocation = #_sourceLocation) {
        let output = result.map { String(decoding: $0.standardOutputContent, as: UTF8.self) } ?? "the child process crashed"
        #expect(output.isEmpty, "\(output)", sourceLocation: sourceLocation)
    }

    @Test func setReplacesAndRemovesTheVariable() async {
        expectNoFailure(await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            func check(_ expected: String?, _ line: Int) {
                let value = getenv("_X_AMZN_TRACE_ID").map { String(cString: $0) }
                if value != expected { fail("line \(line): \(value ?? "nil") instead of \(expected ?? "nil")") }
            }
            TraceEnvironment.set("Root=1-00000001-aaaaaaaaaaaaaaaaaaaaaaaa;Parent=1111111111111111;Sampled=1")
            check("Root=1-00000001-aaaaaaaaaaaaaaaaaaaaaaaa;Parent=1111111111111111;Sampled=1", #line)
            TraceEnvironment.set("Root=1-2")
            check("Root=1-2", #line)
            TraceEnvironment.set(nil)
            check(nil, #line)
            TraceEnvironment.set("Root=1-3")
            check("Root=1-3", #line)
            TraceEnvironment.set("")
            check("", #line)
        })
    }

    @Test func aValueReadDuringAnInvocationKeepsItUntilTheInvocationAfterNext() async {
        expectNoFailure(await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            TraceEnvironment.set("first")
            guard let first = getenv("_X_AMZN_TRACE_ID") else { return fail("not set") }
            TraceEnvironment.set("second")
            if String(cString: first) != "first" { fail("rewritten in place: \(String(cString: first))") }
            if String(cString: getenv("_X_AMZN_TRACE_ID")) != "second" { fail("not replaced") }
        })
    }

    @Test func valuesLongerThanTheBufferGetALargerOne() async {
        expectNoFailure(await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            let long = "Root=1-" + String(repeating: "abcdef0123", count: 100)
            for value in ["short", long, "short again", long + long, "x"] {
                TraceEnvironment.set(value)
                let read = getenv("_X_AMZN_TRACE_ID").map { String(cString: $0) }
                if read != value { fail("\(read ?? "nil") instead of \(value)") }
            }
        })
    }

    @Test func aValueSetByOtherCodeIsReplacedOnTheNextInvocation() async {
        expectNoFailure(await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            func read() -> String? { getenv("_X_AMZN_TRACE_ID").map { String(cString: $0) } }
            TraceEnvironment.set("ours-1")
            setenv("_X_AMZN_TRACE_ID", "theirs", 1)
            if read() != "theirs" { fail("setenv did not take") }
            TraceEnvironment.set("ours-2")
            if read() != "ours-2" { fail("\(read() ?? "nil") after setenv") }
            unsetenv("_X_AMZN_TRACE_ID")
            TraceEnvironment.set("ours-3")
            if read() != "ours-3" { fail("\(read() ?? "nil") after unsetenv") }
        })
    }

    @Test func otherVariablesStayAndTheVariableIsNeverListedTwice() async {
        expectNoFailure(await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            func occurrences() -> Int {
                var count = 0
                var index = 0
                while let variable = environ[index] {
                    if String(cString: variable).hasPrefix("_X_AMZN_TRACE_ID=") { count += 1 }
                    index += 1
                }
                return count
            }
            setenv("LAMBDASOCKETS_BEFORE", "a", 1)
            TraceEnvironment.set("one")
            setenv("LAMBDASOCKETS_AFTER", "b", 1)  // may move environ to a larger array
            TraceEnvironment.set("two")
            unsetenv("LAMBDASOCKETS_BEFORE")  // shifts the entries after it, ours among them
            TraceEnvironment.set("three")
            TraceEnvironment.set("four")
            for n in 0..<100 { setenv("LAMBDASOCKETS_FILL_\(n)", "x", 1) }
            TraceEnvironment.set("five")
            let trace = getenv("_X_AMZN_TRACE_ID").map { String(cString: $0) }
            if trace != "five" { fail("trace \(trace ?? "nil")") }
            if getenv("LAMBDASOCKETS_BEFORE") != nil { fail("an unset variable came back") }
            if getenv("LAMBDASOCKETS_AFTER").map({ String(cString: $0) }) != "b" { fail("a neighbour changed") }
            if getenv("LAMBDASOCKETS_FILL_99").map({ String(cString: $0) }) != "x" { fail("a later variable changed") }
            if occurrences() != 1 { fail("_X_AMZN_TRACE_ID listed \(occurrences()) times") }
        })
    }

    /// glibc's `setenv` keeps every value it was given: 20,000 distinct trace ids through it grow the heap by
    /// megabytes. Through the runtime the heap must not grow at all.
    @Test func distinctTraceIDsDoNotGrowTheHeap() async {
        expectNoFailure(await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            func traceID(_ n: Int) -> String { "Root=1-674e\(n)-0123456789abcdef01234567;Parent=9a9197af755a6419;Sampled=1" }
            for n in 0..<100 { TraceEnvironment.set(traceID(n)) }
            let before = Int(cheapusage_bytes_in_use())
            for n in 100..<20_100 { TraceEnvironment.set(traceID(n)) }
            let grown = Int(cheapusage_bytes_in_use()) - before
            if String(cString: getenv("_X_AMZN_TRACE_ID")) != traceID(20_099) { fail("wrong value") }
            // Strings built above are freed again; anything left over is growth. 4 KiB allows for malloc's bookkeeping.
            if grown > 4096 { fail("heap grew by \(grown) bytes over 20,000 trace ids") }
        })
    }

    /// The same measurement through `setenv`: shows the heap check above can fail.
    @Test func setenvGrowsTheHeapWithDistinctValues() async {
        expectNoFailure(await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            func traceID(_ n: Int) -> String { "Root=1-674e\(n)-0123456789abcdef01234567;Parent=9a9197af755a6419;Sampled=1" }
            let before = Int(cheapusage_bytes_in_use())
            for n in 0..<20_000 { setenv("_X_AMZN_TRACE_ID", traceID(n), 1) }
            let grown = Int(cheapusage_bytes_in_use()) - before
            if grown < 2 * 1024 * 1024 { fail("setenv grew the heap by only \(grown) bytes") }
        })
    }
}
#endif
