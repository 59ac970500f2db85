#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// `_X_AMZN_TRACE_ID`, which X-Ray SDKs read, follows the current invocation.
///
/// The variable changes on every invocation, with a new value each time. glibc's `setenv` keeps every value it
/// was ever given (so that old `getenv` results stay valid), which would grow the process by about 150 bytes an
/// invocation for as long as it lives. Instead the runtime owns two `NAME=value` buffers and alternates between
/// them: each new value is written into the one not in the environment, which `putenv` then installs. The
/// installed buffer is never written, so a `getenv` result taken during an invocation (by a handler's thread,
/// say) keeps its value until the invocation after next. No allocation and no growth per invocation; a longer
/// value gets a larger buffer, allocated once.
///
/// `putenv` compares the name with every variable (about 2.5k instructions an invocation), but it takes the C
/// library's environment lock: storing into `environ` directly would race with a `setenv` on another thread,
/// which may move or shrink the array.
///
/// The invocation loop calls this once an invocation; a lock keeps loops in one process (as in tests) apart.
enum TraceEnvironment {
    static let name = "_X_AMZN_TRACE_ID"

    /// A `NAME=value` buffer and its size.
    private struct Buffer {
        var pointer: UnsafeMutablePointer<CChar>
        var capacity: Int
    }

    /// The two buffers; `buffers[installed]` is the one in the environment.
    private struct State {
        var buffers: [Buffer?] = [nil, nil]
        var installed = 0
    }

    private static let state = Mutex(State())

    /// Sets the variable to `traceID`, or removes it when `nil`.
    ///
    /// When the environment cannot take the value (`putenv` fails for lack of memory), the variable is removed
    /// rather than left naming an earlier invocation.
    static func set(_ traceID: String?) {
        state.withLock { state in install(traceID, in: &state) }
    }

    private static func install(_ traceID: String?, in state: inout State) {
        guard let traceID else {
            if getenv(name) != nil { unsetenv(name) }
            return
        }
        let nameLength = name.utf8.count
        let valueLength = traceID.utf8.count
        let needed = nameLength + 1 + valueLength + 1
        let spare = 1 - state.installed
        if let buffer = state.buffers[spare], buffer.capacity < needed {
            // Not in the environment (it was replaced by the installed one), so it can go.
            buffer.pointer.deallocate()
            state.buffers[spare] = nil
        }
        let buffer = state.buffers[spare] ?? makeBuffer(capacity: max(needed, 256), nameLength: nameLength)
        state.buffers[spare] = buffer
        var value = traceID
        value.withUTF8 { bytes in
            if let base = bytes.baseAddress {
                UnsafeMutableRawPointer(buffer.pointer + nameLength + 1).copyMemory(from: base, byteCount: valueLength)
            }
        }
        buffer.pointer[nameLength + 1 + valueLength] = 0
        if putenv(buffer.pointer) == 0 {
            state.installed = spare
        } else {
            unsetenv(name)
        }
    }


    /// A buffer of `capacity` bytes starting with `NAME=`.
    private static func makeBuffer(capacity: Int, nameLength: Int) -> Buffer {
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
        var name = name
        name.withUTF8 { bytes in
            UnsafeMutableRawPointer(pointer).copyMemory(from: bytes.baseAddress!, byteCount: nameLength)
        }
        pointer[nameLength] = CChar(UInt8(ascii: "="))
        return Buffer(pointer: pointer, capacity: capacity)
    }
}
