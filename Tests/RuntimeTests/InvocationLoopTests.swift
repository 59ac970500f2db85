import Foundation
import Logging
import Runtime
import Testing

/// A Runtime API client that serves a fixed list of invocations and records what the loop posts.
final class ScriptedClient: RuntimeAPIClient, @unchecked Sendable {
    var invocations: [Invocation]
    var responses: [(requestID: String, body: Data)] = []
    var errors: [(requestID: String, report: ErrorReport)] = []
    var initErrors: [ErrorReport] = []
    /// Request ids whose responses the client refuses as too large.
    var tooLarge: Set<String> = []
    /// `/next` calls (counted from 0) whose event arrives cut short, with the request id its headers name.
    var incompleteAt: [Int: String] = [:]
    private var nextCalls = 0

    init(_ invocations: [Invocation]) { self.invocations = invocations }

    func nextInvocation() throws -> Invocation {
        defer { nextCalls += 1 }
        if let requestID = incompleteAt[nextCalls] {
            throw RuntimeAPIError.incompleteEvent(requestID: requestID, detail: "the event ended after 6 of 100 bytes")
        }
        guard !invocations.isEmpty else { throw RuntimeAPIError.environmentBroken(status: 500, detail: "script ended") }
        return invocations.removeFirst()
    }

    func sendResponse(_ body: Data, for requestID: String) throws {
        if tooLarge.contains(requestID) { throw RuntimeAPIError.payloadTooLarge(detail: "too large") }
        responses.append((requestID, body))
    }

    func sendError(_ report: ErrorReport, for requestID: String) throws { errors.append((requestID, report)) }
    func sendInitError(_ report: ErrorReport) throws { initErrors.append(report) }
}

private func invocation(_ id: String, _ body: String, deadline: String? = "99999999999999") -> Invocation {
    Invocation(requestID: id, deadlineHeader: deadline, invokedFunctionARN: "arn:test", traceID: "Root=1-x", event: Data(body.utf8))
}

struct Greeting: Decodable { var name: String }
struct Reply: Encodable { var message: String }
struct Refusal: Error {}

@Suite("Invocation loop through the client seam")
struct InvocationLoopTests {
    let environment = LambdaEnvironment(variables: ["AWS_LAMBDA_FUNCTION_NAME": "greeter"])

    private func run(_ client: ScriptedClient) async {
        let handler = CodableLambdaAdapter(ClosureHandler { (event: Greeting, context: LambdaContext) -> Reply in
            if event.name == "nobody" { throw Refusal() }
            return Reply(message: "Hello, \(event.name) from \(context.functionName)")
        })
        let runtime = LambdaRuntime(handler: handler, environment: environment)
        await #expect(throws: RuntimeAPIError.self) { try await runtime.run(client: client) }
    }

    @Test("every event is answered for its own request id; failures do not stop the loop")
    func oneBadEventDoesNotStopTheLoop() async throws {
        let client = ScriptedClient([
            invocation("1", #"{"name":"Ada"}"#),
            invocation("2", #"{"name":42}"#),
            invocation("3", "not json"),
            invocation("4", #"{"name":"nobody"}"#),
            invocation("5", #"{"name":"Grace"}"#, deadline: nil),
            invocation("6", #"{"name":"Grace"}"#, deadline: "soon"),
            invocation("7", #"{"name":"Linus"}"#),
        ])
        await run(client)
        #expect(client.responses.map(\.requestID) == ["1", "7"])
        #expect(String(decoding: client.responses[0].body, as: UTF8.self) == #"{"message":"Hello, Ada from greeter"}"#)
        let errors = Dictionary(uniqueKeysWithValues: client.errors.map { ($0.requestID, $0.report) })
        #expect(errors["2"]?.errorType == "EventDecodingError")
        #expect(errors["2"]?.errorMessage.hasPrefix("name:") == true)
        #expect(errors["3"]?.errorType == "EventDecodingError")
        #expect(errors["4"]?.errorType == "Refusal")
        #expect(errors["5"]?.errorType == "Runtime.InvalidInvocationHeader")
        #expect(errors["6"]?.errorMessage.contains("Lambda-Runtime-Deadline-Ms") == true)
    }

    /// Each invocation's logger carries its own request id and the runtime logger's label, level and metadata;
    /// so does one made from a logger with another handler.
    @Test(arguments: [false, true])
    func eachInvocationLogsWithItsRequestID(customHandler: Bool) async throws {
        var base = customHandler
            ? Logger(label: "custom") { _ in StreamLogHandler.standardError(label: "custom") }
            : LambdaLogHandler.logger(label: "Runtime", environment: environment)
        base.logLevel = .warning
        base[metadataKey: "tenant"] = "blue"
        let handler = RawClosureHandler { _, context in
            let logger = context.logger
            let line = [
                logger.label, "\(logger.logLevel)", "\(logger[metadataKey: LambdaLogHandler.requestIDKey] ?? "-")",
                "\(logger[metadataKey: "tenant"] ?? "-")",
            ]
            return Data(line.joined(separator: " ").utf8)
        }
        let runtime = LambdaRuntime(handler: handler, environment: environment, logger: base)
        let client = ScriptedClient([invocation("first", "{}"), invocation("second", "{}")])
        await #expect(throws: RuntimeAPIError.self) { try await runtime.run(client: client) }
        let label = customHandler ? "custom" : "Runtime"
        #expect(client.responses.map { String(decoding: $0.body, as: UTF8.self) } == [
            "\(label) warning first blue", "\(label) warning second blue",
        ])
        #expect(base[metadataKey: LambdaLogHandler.requestIDKey] == nil)
    }

    @Test("bad client context or Cognito identity JSON is an invocation error")
    func badJSONHeaders() async {
        var first = invocation("1", #"{"name":"Ada"}"#)
        first.clientContextHeader = "{not json"
        var second = invocation("2", #"{"name":"Ada"}"#)
        second.cognitoIdentityHeader = "[]"
        var third = invocation("3", #"{"name":"Ada"}"#)
        third.clientContextHeader = #"{"custom":{"k":"v"},"env":{"platform":"ios"}}"#
        let client = ScriptedClient([first, second, third])
        await run(client)
        #expect(client.errors.map(\.requestID) == ["1", "2"])
        #expect(client.errors.allSatisfy { $0.report.errorType == "Runtime.InvalidInvocationHeader" })
        #expect(client.responses.map(\.requestID) == ["3"])
    }

    @Test("a response refused as too large becomes an error for that invocation")
    func tooLarge() async {
        let client = ScriptedClient([invocation("1", #"{"name":"Ada"}"#), invocation("2", #"{"name":"Bo"}"#)])
        client.tooLarge = ["1"]
        await run(client)
        #expect(client.errors.map(\.requestID) == ["1"])
        #expect(client.errors.first?.report.errorType == "Function.ResponseSizeTooLarge")
        #expect(client.responses.map(\.requestID) == ["2"])
    }

    @Test("an event cut short is reported as Runtime.IncompleteEvent for its request id; the loop goes on")
    func incompleteEvents() async {
        let client = ScriptedClient([invocation("2", #"{"name":"Ada"}"#), invocation("4", #"{"name":"Grace"}"#)])
        client.incompleteAt = [0: "1", 2: "3", 3: "3b"]
        await run(client)
        #expect(client.responses.map(\.requestID) == ["2", "4"])
        #expect(client.errors.map(\.requestID) == ["1", "3", "3b"])
        #expect(client.errors.allSatisfy { $0.report.errorType == "Runtime.IncompleteEvent" })
        #expect(client.errors.first?.report.errorMessage.contains("ended after 6 of 100 bytes") == true)
    }

    @Test("three incomplete events in a row end the loop: /next is broken")
    func incompleteEventsInARow() async {
        let client = ScriptedClient([invocation("9", #"{"name":"late"}"#)])
        client.incompleteAt = [0: "1", 1: "2", 2: "3"]
        await run(client)
        #expect(client.errors.map(\.requestID) == ["1", "2", "3"])
        #expect(client.responses.isEmpty)
        #expect(client.invocations.count == 1)
    }

    @Test("events without a request id cannot be answered; three in a row end the loop")
    func missingRequestIDs() async {
        let client = ScriptedClient([
            invocation("", "{}"), invocation("", "{}"), invocation("", "{}"), invocation("9", #"{"name":"late"}"#),
        ])
        await run(client)
        #expect(client.responses.isEmpty)
        #expect(client.invocations.count == 1)
    }
}
