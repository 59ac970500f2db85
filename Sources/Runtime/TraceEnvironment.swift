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
/// invocation for as long as it lives. Instead the runtime owns one `NAME=value` buffer, installs it with
/// `putenv` and rewrites it in place: no allocation and no growth per invocation. A longer value gets a larger
/// buffer, and the variable is installed again whenever something else replaced or removed it.
///
/// The invocation loop calls this once an invocation; a lock keeps loops in one process (as in tests) apart.
enum TraceEnvironment {
    static let name = "_X_AMZN_TRACE_ID"

    /// The buffer installed in the environment, and its size.
    private struct Entry {
        var pointer: UnsafeMutablePointer<CChar>?
        var capacity = 0
    }

    private static let current = Mutex(Entry())

    /// Sets the variable to `traceID`, or removes it when `nil`.
    static func set(_ traceID: String?) {
        current.withLock { entry in install(traceID, in: &entry) }
    }

    private static func install(_ traceID: String?, in current: inout Entry) {
        guard let traceID else {
            if getenv(name) != nil { unsetenv(name) }
            return
        }
        let nameLength = name.utf8.count
        let valueLength = traceID.utf8.count
        let needed = nameLength + 1 + valueLength + 1
        var installed = current.pointer.map { getenv(name) == UnsafeMutablePointer($0 + nameLength + 1) } ?? false
        var previous: UnsafeMutablePointer<CChar>?
        if needed > current.capacity {
            previous = current.pointer
            current.capacity = max(needed, 256)
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: current.capacity)
            name.utf8.withContiguousStorageIfAvailable { bytes in
                UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress!, byteCount: nameLength)
            }
            buffer[nameLength] = CChar(UInt8(ascii: "="))
            current.pointer = buffer
            installed = false
        }
        guard let entry = current.pointer else { return }
        var value = traceID
        value.withUTF8 { bytes in
            if let base = bytes.baseAddress {
                UnsafeMutableRawPointer(entry + nameLength + 1).copyMemory(from: base, byteCount: valueLength)
            }
        }
        entry[nameLength + 1 + valueLength] = 0
        if !installed {
            putenv(entry)
        }
        // The environment no longer points at the old buffer once the new one replaced it.
        previous?.deallocate()
    }
}
