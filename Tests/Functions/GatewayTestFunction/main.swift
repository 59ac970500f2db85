#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Runtime

// A WebSocket function for the gateway's own end-to-end tests, written against the raw event JSON.
//   $connect: ?reject=<status> answers that status; ?crash=1 kills the process; ?protocol=<p> accepts the
//             sub-protocol <p>; ?slow=<ms> sleeps that long first; otherwise accepts.
//   whoAmI: replies with the caller's connection id.
//   echo: replies with the `message` field.
//   event: replies with the whole event it received (JSON).
//   crash: the process dies (the gateway answers the client with its error frame and restarts it).
//   fail: the handler throws (an invocation error; the process lives on).
//   slow: sleeps `ms` milliseconds, then replies "slept".
//   $default: replies "default:" + the body (base64 for binary frames, as received).
// GATEWAY_EVENT_LOG=<file> appends every event, one JSON object a line.

struct Event: Decodable {
    struct Context: Decodable {
        var routeKey: String
        var connectionId: String
    }
    var requestContext: Context
    var body: String?
    var queryStringParameters: [String: String]?
}

struct Response: Encodable {
    var statusCode: Int
    var body: String?
    var headers: [String: String]?
}

struct Command: Decodable {
    var action: String?
    var ms: Int?
    var message: String?
}

struct RequestedFailure: Error {}

func log(_ event: Data) {
    guard let path = LambdaEnvironment().variables["GATEWAY_EVENT_LOG"], let file = fopen(path, "a") else { return }
    _ = event.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    fputs("\n", file)
    fclose(file)
}

func reply(_ statusCode: Int = 200, _ body: String? = nil, headers: [String: String]? = nil) throws -> Data {
    try JSONEncoder().encode(Response(statusCode: statusCode, body: body, headers: headers))
}

await LambdaRuntime.start { (raw: Data, context: LambdaContext) -> Data in
    log(raw)
    let event = try JSONDecoder().decode(Event.self, from: raw)
    let command = (try? JSONDecoder().decode(Command.self, from: Data((event.body ?? "").utf8)))
    switch event.requestContext.routeKey {
    case "$connect":
        let query = event.queryStringParameters ?? [:]
        if let milliseconds = query["slow"].flatMap(Int.init) { try await Task.sleep(for: .milliseconds(milliseconds)) }
        if query["crash"] != nil { fatalError("crash requested in $connect") }
        if let status = query["reject"].flatMap(Int.init) { return try reply(status, "rejected") }
        if let subprotocol = query["protocol"] { return try reply(headers: ["Sec-WebSocket-Protocol": subprotocol]) }
        return try reply()
    case "$disconnect":
        return try reply()
    case "whoAmI":
        return try reply(body: event.requestContext.connectionId)
    case "echo":
        return try reply(body: command?.message)
    case "event":
        return try reply(body: String(decoding: raw, as: UTF8.self))
    case "crash":
        fatalError("crash requested")
    case "fail":
        throw RequestedFailure()
    case "slow":
        try await Task.sleep(for: .milliseconds(command?.ms ?? 100))
        return try reply(body: "slept")
    default:
        return try reply(body: "default:" + (event.body ?? ""))
    }
}

func reply(body: String?) throws -> Data { try reply(200, body) }
