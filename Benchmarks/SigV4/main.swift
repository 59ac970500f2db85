// SigV4 signing of one PostToConnection request (a 200-byte payload to a connection id that needs encoding),
// as ManagementClient signs every @connections call.
//
//   bench-sigv4 [--iterations N]   CPU µs per signature (and allocations per signature when
//                                  Benchmarks/alloc-counter is preloaded), as one JSON line
//   bench-sigv4 --run N            signs N requests and prints nothing (for callgrind instruction counts)
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import HandlerKit

let signer = SigV4Signer(
    credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
    region: "us-east-1", service: "execute-api")
let request = HTTPRequest(
    method: "POST",
    url: "https://abcdef1234.execute-api.us-east-1.amazonaws.com/dev/%40connections/L0SM9cOFvHcCIhw%3D",
    headers: [("Content-Type", "application/octet-stream")],
    body: Data(repeating: UInt8(ascii: "a"), count: 200))
let date = Date(timeIntervalSince1970: 1_795_678_752)

/// One signature; returns the Authorization header so that the work cannot be optimised away.
@inline(never)
func signOnce() throws -> Int {
    var copy = request
    try signer.sign(&copy, date: date)
    return copy.headers.last?.value.utf8.count ?? 0
}

let allocationCount: (@convention(c) () -> UInt64)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "lambdasockets_allocation_count") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) () -> UInt64).self)
}()

func cpuMicroseconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) * 1e6 + Double(time.tv_nsec) / 1e3
}

var arguments = CommandLine.arguments.dropFirst()
var iterations = 20_000
var runOnly: Int?
while let argument = arguments.popFirst() {
    switch argument {
    case "--iterations": iterations = Int(arguments.popFirst() ?? "") ?? iterations
    case "--run": runOnly = Int(arguments.popFirst() ?? "")
    default:
        print("usage: bench-sigv4 [--iterations N | --run N]")
        exit(2)
    }
}

var checksum = 0
if let count = runOnly {
    for _ in 0..<count { checksum &+= try signOnce() }
    exit(checksum == 0 ? 1 : 0)
}
for _ in 0..<1_000 { checksum &+= try signOnce() }
let allocationsBefore = allocationCount?()
let start = cpuMicroseconds()
for _ in 0..<iterations { checksum &+= try signOnce() }
let cpu = (cpuMicroseconds() - start) / Double(iterations)
let allocations = allocationsBefore.map { "\(Double(allocationCount!() - $0) / Double(iterations))" } ?? "null"
print(#"{"cpu_us": \#(cpu), "allocations": \#(allocations), "iterations": \#(iterations), "checksum": \#(checksum)}"#)
