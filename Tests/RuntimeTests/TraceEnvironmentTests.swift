import CHeapUsage
import Glibc
@testable import Runtime
import Testing

/// `_X_AMZN_TRACE_ID` follows each invocation without growing the process.
@Suite(.serialized)
struct TraceEnvironmentTests {
    private func traceVariable() -> String? { getenv("_X_AMZN_TRACE_ID").map { String(cString: $0) } }

    @Test func setReplacesAndRemovesTheVariable() {
        TraceEnvironment.set("Root=1-00000001-aaaaaaaaaaaaaaaaaaaaaaaa;Parent=1111111111111111;Sampled=1")
        #expect(traceVariable() == "Root=1-00000001-aaaaaaaaaaaaaaaaaaaaaaaa;Parent=1111111111111111;Sampled=1")
        TraceEnvironment.set("Root=1-2")
        #expect(traceVariable() == "Root=1-2")
        TraceEnvironment.set(nil)
        #expect(traceVariable() == nil)
        TraceEnvironment.set("Root=1-3")
        #expect(traceVariable() == "Root=1-3")
        TraceEnvironment.set("")
        #expect(traceVariable() == "")
    }

    @Test func valuesLongerThanTheBufferGetALargerOne() {
        let long = "Root=1-" + String(repeating: "abcdef0123", count: 100)
        TraceEnvironment.set("short")
        TraceEnvironment.set(long)
        #expect(traceVariable() == long)
        TraceEnvironment.set("short again")
        #expect(traceVariable() == "short again")
    }

    @Test func aValueSetByOtherCodeIsReplacedOnTheNextInvocation() {
        TraceEnvironment.set("ours-1")
        setenv("_X_AMZN_TRACE_ID", "theirs", 1)
        #expect(traceVariable() == "theirs")
        TraceEnvironment.set("ours-2")
        #expect(traceVariable() == "ours-2")
        unsetenv("_X_AMZN_TRACE_ID")
        TraceEnvironment.set("ours-3")
        #expect(traceVariable() == "ours-3")
    }

    /// glibc's `setenv` keeps every value it was given; 20,000 distinct trace ids through it grow the heap by
    /// megabytes. The runtime's buffer must not grow at all.
    @Test func distinctTraceIDsDoNotGrowTheHeap() {
        func traceID(_ n: Int) -> String { "Root=1-674e\(n)-0123456789abcdef01234567;Parent=9a9197af755a6419;Sampled=1" }
        for n in 0..<100 { TraceEnvironment.set(traceID(n)) }
        let before = cheapusage_bytes_in_use()
        for n in 100..<20_100 { TraceEnvironment.set(traceID(n)) }
        let grown = Int(cheapusage_bytes_in_use()) - Int(before)
        #expect(traceVariable() == traceID(20_099))
        // Other tests allocate concurrently in this process; a leak would be about 150 bytes × 20,000 = 3 MB.
        #expect(grown < 512 * 1024, "heap grew by \(grown) bytes over 20,000 trace ids")

        // The same measurement through setenv shows what the check guards against.
        let setenvBefore = cheapusage_bytes_in_use()
        for n in 0..<20_000 { setenv("LAMBDASOCKETS_TEST_SETENV_GROWTH", traceID(n), 1) }
        let setenvGrown = Int(cheapusage_bytes_in_use()) - Int(setenvBefore)
        unsetenv("LAMBDASOCKETS_TEST_SETENV_GROWTH")
        #expect(setenvGrown > 2 * 1024 * 1024, "setenv grew the heap by \(setenvGrown) bytes")
    }
}
