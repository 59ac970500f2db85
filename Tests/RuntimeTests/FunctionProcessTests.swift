import Foundation
import LocalGateway
import Testing

/// The real function binary, as a child process, against the local Runtime API mock.
@Suite("Function process against the Runtime API mock", .serialized)
struct FunctionProcessTests {
    @Test("an echo round trip carries the context fields")
    func echoWithContext() async throws {
        let harness = try await FunctionHarness.start()
        let result = await harness.invoke(#"{"op":"echo","message":"hi"}"#, headers: [
            "Lambda-Runtime-Trace-Id": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Sampled=1",
            "Lambda-Runtime-Client-Context": #"{"custom":{"tenant":"blue"}}"#,
            "Lambda-Runtime-Cognito-Identity": #"{"cognitoIdentityId":"us-east-1:abc","cognitoIdentityPoolId":"pool"}"#,
        ])
        try await harness.stop()
        #expect(result.isSuccess)
        let reply = try #require(result.json)
        #expect(reply["message"] as? String == "hi")
        #expect(reply["invokedFunctionARN"] as? String == "arn:aws:lambda:us-east-1:000000000000:function:local")
        #expect(reply["traceID"] as? String == "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Sampled=1")
        #expect(reply["traceEnvironment"] as? String == reply["traceID"] as? String)
        #expect((reply["clientContextCustom"] as? [String: String])?["tenant"] == "blue")
        #expect(reply["cognitoIdentityId"] as? String == "us-east-1:abc")
        #expect(reply["functionName"] as? String == "FaultyFunction")
        #expect((reply["remainingMilliseconds"] as? Int).map { $0 > 10_000 } == true)
        #expect((reply["requestID"] as? String)?.count == 36)
    }

    @Test("decode failures and thrown errors are reported, and the next event is still served")
    func failuresThenSuccess() async throws {
        let harness = try await FunctionHarness.start()
        let undecodable = await harness.invoke(#"{"op": 7}"#)
        let thrown = await harness.invoke(#"{"op":"throw","message":"quote \" newline \n done"}"#)
        let fine = await harness.invoke(#"{"op":"echo","message":"still here"}"#)
        try await harness.stop()

        guard case .error(let type, _) = undecodable else { Issue.record("expected an error, got \(undecodable)"); return }
        #expect(type == "EventDecodingError")
        #expect((undecodable.json?["errorMessage"] as? String)?.hasPrefix("op: ") == true)

        guard case .error(let thrownType, _) = thrown else { Issue.record("expected an error, got \(thrown)"); return }
        #expect(thrownType == "FaultyError")
        #expect(thrown.json?["errorType"] as? String == "FaultyError")
        #expect((thrown.json?["errorMessage"] as? String)?.contains("quote \\\" newline \\n done") == true)
        #expect(thrown.json?["stackTrace"] is [Any])

        #expect(fine.json?["message"] as? String == "still here")
    }

    @Test("missing, non-numeric and malformed invocation headers are invocation errors; the loop goes on")
    func malformedHeaders() async throws {
        let harness = try await FunctionHarness.start()
        let noDeadline = await harness.invoke(#"{"op":"echo"}"#, headers: ["Lambda-Runtime-Deadline-Ms": nil])
        let textDeadline = await harness.invoke(#"{"op":"echo"}"#, headers: ["Lambda-Runtime-Deadline-Ms": "tomorrow"])
        let badContext = await harness.invoke(#"{"op":"echo"}"#, headers: ["Lambda-Runtime-Client-Context": "{oops"])
        // A deadline far in the past still gives a remaining time (the handler reads it), not a trap.
        let ancient = await harness.invoke(#"{"op":"echo","message":"old"}"#, headers: ["Lambda-Runtime-Deadline-Ms": "-9223372036854775000"])
        let fine = await harness.invoke(#"{"op":"echo","message":"ok"}"#)
        try await harness.stop()
        for result in [noDeadline, textDeadline, badContext] {
            guard case .error(let type, _) = result else { Issue.record("expected an error, got \(result)"); continue }
            #expect(type == "Runtime.InvalidInvocationHeader")
        }
        #expect((textDeadline.json?["errorMessage"] as? String)?.contains("tomorrow") == true)
        #expect(ancient.json?["message"] as? String == "old")
        #expect(((ancient.json?["remainingMilliseconds"] as? NSNumber)?.doubleValue ?? 0) < 0, "\(String(describing: ancient.json))")
        #expect(fine.json?["message"] as? String == "ok")
    }

    @Test("a response over 6 MB is refused and reported as an error for that invocation")
    func oversizedResponse() async throws {
        let harness = try await FunctionHarness.start()
        let big = await harness.invoke(#"{"op":"big","size":7000000}"#)
        let fine = await harness.invoke(#"{"op":"echo","message":"after"}"#)
        try await harness.stop()
        guard case .error(let type, _) = big else { Issue.record("expected an error, got \(big)"); return }
        #expect(type == "Function.ResponseSizeTooLarge")
        #expect(fine.json?["message"] as? String == "after")
    }

    @Test("a response the Runtime API refuses with 413 is reported as an error for that invocation; the loop goes on")
    func responseRefusedByTheAPI() async throws {
        // The client refuses more than 6 MB itself; a lower limit in the mock exercises the API's own 413.
        let harness = try await FunctionHarness.start(payloadLimit: 100_000)
        let big = await harness.invoke(#"{"op":"big","size":200000}"#)
        let fine = await harness.invoke(#"{"op":"echo","message":"after"}"#)
        try await harness.stop()
        guard case .error(let type, _) = big else { Issue.record("expected an error, got \(big)"); return }
        #expect(type == "Function.ResponseSizeTooLarge")
        #expect(big.json?["errorType"] as? String == "Function.ResponseSizeTooLarge")
        #expect(fine.json?["message"] as? String == "after")
    }

    @Test("the Handlers function answers a recorded WebSocket $connect event")
    func handlersFunction() async throws {
        let harness = try await FunctionHarness.start("Handlers")
        let event = try String(contentsOf: Self.eventsDirectory.appendingPathComponent("connect.json"), encoding: .utf8)
        let result = await harness.invoke(event)
        try await harness.stop()
        #expect(result.isSuccess)
        #expect(result.json != nil)
    }

    static var eventsDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("e2e/events")
    }

    @Test("an initialisation failure is posted to /init/error, fails the invocation, and the process exits non-zero")
    func initFailure() async throws {
        let harness = try await FunctionHarness.start(environment: ["FAULTY_INIT_FAIL": "1"])
        let result = await harness.invoke(#"{"op":"echo"}"#)
        let status = try await harness.exitStatus()
        let initErrors = harness.mock.initErrors
        try await harness.stop()
        guard case .initFailed(let type, _) = result else { Issue.record("expected an init failure, got \(result)"); return }
        #expect(type == "InitFailure")
        #expect(result.json?["errorMessage"] as? String == "FAULTY_INIT_FAIL is set")
        #expect(initErrors.count == 1)
        #expect(status != nil && status != 0)
    }

    @Test("a Runtime API answering 500 makes the process exit non-zero with a clear log line")
    func runtimeAPIFailure() async throws {
        let harness = try await FunctionHarness.start()
        let first = await harness.invoke(#"{"op":"echo"}"#)
        // The function is waiting on /next (or about to): that poll is answered 500.
        harness.mock.failNextPolls(status: 500)
        let status = try await harness.exitStatus()
        let output = harness.output
        try await harness.stop()
        #expect(first.isSuccess)
        #expect(status != nil && status != 0)
        #expect(output.contains("Runtime API failed with status 500"))
    }

    @Test("a Runtime API that vanishes makes the process exit non-zero after brief retries")
    func runtimeAPIVanishes() async throws {
        let harness = try await FunctionHarness.start()
        #expect(await harness.invoke(#"{"op":"echo"}"#).isSuccess)
        let stopped = ContinuousClock.now
        try await harness.mock.shutdown()
        let status = try await harness.exitStatus(within: .seconds(30))
        let elapsed = ContinuousClock.now - stopped
        let output = harness.output
        harness.supervisor.stop()
        #expect(status != nil && status != 0)
        #expect(output.contains("Runtime API unreachable"))
        // Retries are brief and bounded, not a busy loop for ever.
        #expect(elapsed < .seconds(30))
    }

    @Test("a process that dies mid-invocation fails that invocation at once with Runtime.ExitError")
    func crashMidInvocation() async throws {
        let harness = try await FunctionHarness.start()
        let started = ContinuousClock.now
        let result = await harness.invoke(#"{"op":"crash"}"#)
        let elapsed = ContinuousClock.now - started
        let status = try await harness.exitStatus()
        try await harness.stop()
        guard case .error(let type, _) = result else { Issue.record("expected an error, got \(result)"); return }
        #expect(type == "Runtime.ExitError")
        #expect(status != nil && status != 0)
        // Well before the 20 s deadline: the supervisor reported the exit.
        #expect(elapsed < .seconds(15))
    }

    @Test("several function processes poll one Runtime API; each event goes to exactly one")
    func severalInstances() async throws {
        let harness = try await FunctionHarness.start(instances: 2)
        let results = await withTaskGroup(of: InvocationResult.self) { group in
            for _ in 0..<8 {
                group.addTask { await harness.invoke(#"{"op":"sleep","size":150}"#) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        try await harness.stop()
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0.isSuccess })
        let requestIDs = Set(results.compactMap { $0.json?["requestID"] as? String })
        let processes = Set(results.compactMap { $0.json?["processID"] as? Int })
        #expect(requestIDs.count == 8)
        #expect(processes.count == 2)
    }

    @Test("JSON log format: every line is JSON carrying the request id")
    func jsonLogs() async throws {
        let harness = try await FunctionHarness.start(environment: ["AWS_LAMBDA_LOG_FORMAT": "JSON"])
        let result = await harness.invoke(#"{"op":"echo"}"#)
        try await Task.sleep(for: .milliseconds(100))
        let output = harness.output
        try await harness.stop()
        let requestID = try #require(result.json?["requestID"] as? String)
        let lines = output.split(separator: "\n").filter { $0.hasPrefix("{") }
        let records = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(records.contains { $0["requestId"] as? String == requestID && $0["message"] as? String == "op echo" })
    }

    @Test("the loop and a synchronous handler run on the main thread, with no other thread in the process")
    func mainThreadOnly() async throws {
        let harness = try await FunctionHarness.start()
        let first = await harness.invoke(#"{"op":"echo"}"#)
        let second = await harness.invoke(#"{"op":"echo"}"#)
        try await harness.stop()
        for reply in [first.json, second.json] {
            #expect(reply?["onMainThread"] as? Bool == true)
            #expect(reply?["threadCount"] as? Int == 1)
        }
    }

    @Test("an initialisation that suspends still leaves the loop and the handler on the main thread")
    func suspendingInitialisation() async throws {
        let harness = try await FunctionHarness.start(environment: ["FAULTY_INIT_SLEEP": "20"])
        let result = await harness.invoke(#"{"op":"mainActor"}"#)
        try await harness.stop()
        #expect(result.json?["onMainThread"] as? Bool == true)
        #expect(result.json?["message"] as? String == "main thread")
    }

    @Test("handlers that suspend run to completion: Task.sleep, the main actor, an actor, a resume from another thread")
    func suspendingHandlers() async throws {
        let harness = try await FunctionHarness.start()
        var results: [String: InvocationResult] = [:]
        for op in ["sleep", "mainActor", "actor", "elsewhere", "actor", "echo"] {
            results[op] = await harness.invoke(#"{"op":"\#(op)","size":20}"#)
        }
        try await harness.stop()
        #expect(results.values.allSatisfy { $0.isSuccess })
        #expect(results["sleep"]?.json?["onMainThread"] as? Bool == true)
        #expect(results["mainActor"]?.json?["message"] as? String == "main thread")
        #expect(results["actor"]?.json?["message"] as? String == "count 2")
        #expect(results["actor"]?.json?["onMainThread"] as? Bool == true)
        #expect(results["elsewhere"]?.json?["message"] as? String == "resumed elsewhere")
        #expect(results["elsewhere"]?.json?["onMainThread"] as? Bool == true)
        #expect(results["echo"]?.json?["onMainThread"] as? Bool == true)
    }
}
