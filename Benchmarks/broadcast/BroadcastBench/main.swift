// Broadcasts one payload to N connection ids through `ManagementClient` and prints the seconds it took.
// Usage: broadcast-bench <endpoint> <count> <payload-bytes> [concurrency]
import Foundation
import HandlerKit

let arguments = CommandLine.arguments
guard arguments.count >= 4, let count = Int(arguments[2]), let size = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: broadcast-bench <endpoint> <count> <payload-bytes> [concurrency]\n".utf8))
    exit(2)
}
let concurrency = arguments.count > 4 ? Int(arguments[4]) ?? 16 : 16
let signer = SigV4Signer(
    credentials: AWSCredentials(accessKeyID: "AKIDBENCH", secretAccessKey: "bench-secret", sessionToken: "bench-token"),
    region: "eu-west-1", service: "execute-api")
let transport = CurlHTTPTransport(maxConnections: concurrency, caBundlePath: nil)
let client = ManagementClient(endpoint: arguments[1], signer: signer, transport: transport)
let payload = Data(repeating: UInt8(ascii: "x"), count: size)
let ids = (0..<count).map { "conn\($0)AbCdEfG=" }

let clock = ContinuousClock()
let start = clock.now
let result = await client.broadcast(payload, to: ids, maxConcurrency: concurrency)
let elapsed = clock.now - start
guard result.deliveredCount == count else {
    FileHandle.standardError.write(Data("only \(result.deliveredCount) of \(count) delivered: \(result.failures.first.map { "\($0.error)" } ?? "")\n".utf8))
    exit(1)
}
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print(String(format: "%.6f", seconds))
