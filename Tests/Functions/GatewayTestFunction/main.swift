#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Runtime

// A WebSocket function for the gateway's own tests, written against the raw event JSON.
//   $connect: rejects with ?reject=<status>; else accepts.
//   whoAmI: replies with the caller's connection id.
//   crash: the process dies (the gateway answers the client with its error frame and restarts it).
//   echo: replies with the `message` field.
//   slow: sleeps `ms` milliseconds, then replies "slept".
//   $default: replies "default:" + the body (base64 for binary frames, as received).
// GATEWAY_EVENT_LOG=<file> appends one line per event: routeKey connectionId [disconnectStatusCode].

struct Event: Decodable {
    struct Context: Decodable {
        var routeKey: String
        var connectionId: String
        var disconnectStatusCode: Int?
        var domainName: String?
        var stage: String?
    }
    var requestContext: Context
    var body: String?
    var isBase64Encoded: Bool?
    var queryStringParameters: [String: String]?
}

struct Response: Encodable {
    var statusCode: Int
    var body: String?
}

struct Command: Decodable {
    var action: String?
    var ms: Int?
    var message: String?
}

func log(_ event: Event) {
    guard let path = LambdaEnvironment().variables["GATEWAY_EVENT_LOG"] else { return }
    var line = "\(event.requestContext.routeKey) \(event.requestContext.connectionId)"
    if let status = event.requestContext.disconnectStatusCode { line += " \(status)" }
    line += "\n"
    if let file = fopen(path, "a") {
        fputs(line, file)
        fclose(file)
    }
}

await LambdaRuntime.start { (event: Event, context: LambdaContext) -> Response in
    log(event)
    switch event.requestContext.routeKey {
    case "$connect":
        if let status = event.queryStringParameters?["reject"].flatMap(Int.init) {
            return Response(statusCode: status, body: "rejected")
        }
        return Response(statusCode: 200)
    case "$disconnect":
        return Response(statusCode: 200)
    case "whoAmI":
        return Response(statusCode: 200, body: event.requestContext.connectionId)
    case "crash":
        fatalError("crash requested")
    case "echo":
        let command = try JSONDecoder().decode(Command.self, from: Data((event.body ?? "{}").utf8))
        return Response(statusCode: 200, body: command.message)
    case "slow":
        let command = try JSONDecoder().decode(Command.self, from: Data((event.body ?? "{}").utf8))
        try await Task.sleep(for: .milliseconds(command.ms ?? 100))
        return Response(statusCode: 200, body: "slept")
    default:
        return Response(statusCode: 200, body: "default:" + (event.body ?? ""))
    }
}
