import Foundation
import LocalGateway
import NIOConcurrencyHelpers
import Testing

/// How ``RuntimeAPIMock/invoke(_:)`` resolves: several pollers, deadlines, init errors, vanished runtimes,
/// injected faults, the emulator's invoke endpoint and shutdown.
@Suite("Runtime API mock: invocations")
struct RuntimeAPIMockInvocationTests {
    @Test("each event goes to exactly one of several waiting pollers; an event with no poller waits for the next poll")
    func severalPollers() async throws {
        let mock = try await RuntimeAPIMock.started()
        let first = try await FakeRuntime.connect(to: mock)
        let second = try await FakeRuntime.connect(to: mock)
        async let firstPoll = first.next()
        async let secondPoll = second.next()
        try await waitUntil { mock.pollersWaiting == 2 }
        #expect(mock.pollersWaiting == 2)

        async let a = mock.invoke(Data(#""a""#.utf8))
        async let b = mock.invoke(Data(#""b""#.utf8))
        async let c = mock.invoke(Data(#""c""#.utf8))
        let events = try await [firstPoll, secondPoll]
        #expect(Set(events.map(\.text)).count == 2)
        #expect(Set(events.compactMap { $0.header("Lambda-Runtime-Aws-Request-Id") }).count == 2)
        for (runtime, event) in zip([first, second], events) {
            let requestID = try #require(event.header("Lambda-Runtime-Aws-Request-Id"))
            #expect(try await runtime.respond(requestID, event.text).status == 202)
        }
        // The third event was queued; the next poll takes it.
        let third = try await first.next()
        let thirdID = try #require(third.header("Lambda-Runtime-Aws-Request-Id"))
        _ = try await first.respond(thirdID, third.text)
        let results = await [a, b, c]
        #expect(results.map { String(decoding: $0.payload, as: UTF8.self) }.sorted() == [#""a""#, #""b""#, #""c""#])
        #expect(Set(events.map(\.text) + [third.text]).count == 3)
        try await mock.shutdown()
    }

    @Test("no answer by the deadline times out, whether the event was served or still queued; a late answer gets 400")
    func deadline() async throws {
        let mock = try await RuntimeAPIMock.started(timeout: .milliseconds(300))
        #expect(await mock.invoke(Data("{}".utf8)) == .timedOut)

        let runtime = try await FakeRuntime.connect(to: mock)
        // Polling before the event is sent: on a busy machine a poll sent after it might come too late.
        async let poll = runtime.next()
        try await waitUntil { mock.pollersWaiting == 1 }
        async let result = mock.invoke(Data("{}".utf8))
        let requestID = try #require(try await poll.header("Lambda-Runtime-Aws-Request-Id"))
        #expect(await result == .timedOut)
        #expect(await result.payload.isEmpty == false)
        let late = try await runtime.respond(requestID, "{}")
        #expect(late.status == 400)
        try await mock.shutdown()
    }

    @Test("an init error fails the waiting invocation, and later ones at once until a runtime polls again")
    func initError() async throws {
        let mock = try await RuntimeAPIMock.started()
        let runtime = try await FakeRuntime.connect(to: mock)
        let report = #"{"errorMessage":"no config","errorType":"ConfigError","stackTrace":[]}"#

        async let waiting = mock.invoke(Data("{}".utf8))
        try await Task.sleep(for: .milliseconds(50))
        let accepted = try await runtime.initError(type: "ConfigError", report)
        #expect(accepted.status == 202)
        #expect(accepted.text == #"{"status":"OK"}"#)
        #expect(await waiting == .initFailed(type: "ConfigError", body: Data(report.utf8)))
        // The init error came before this invocation: it fails at once instead of timing out.
        #expect(await mock.invoke(Data("{}".utf8)) == .initFailed(type: "ConfigError", body: Data(report.utf8)))
        #expect(mock.initErrors.count == 1)
        #expect(mock.initErrors.first?.type == "ConfigError")

        // A runtime that initialised polls: invocations are served again.
        async let poll = runtime.next()
        try await waitUntil { mock.pollersWaiting == 1 }
        async let served = mock.invoke(Data("{}".utf8))
        let requestID = try #require(try await poll.header("Lambda-Runtime-Aws-Request-Id"))
        _ = try await runtime.respond(requestID, "1")
        #expect(await served == .response(Data("1".utf8)))
        try await mock.shutdown()
    }

    @Test("a runtime may answer on a new connection after the one that served the event closed")
    func answerOnAnotherConnection() async throws {
        let mock = try await RuntimeAPIMock.started()
        let port = try boundPort(mock)
        async let result = mock.invoke(Data(#"{"n":1}"#.utf8))
        let requestID = try await OneShotRuntime.takeEvent(port: port)
        try await Task.sleep(for: .milliseconds(100))  // the close reaches the mock before the answer
        let accepted = try await OneShotRuntime.respond(port: port, requestID, "\"done\"")
        #expect(accepted.status == 202)
        #expect(await result == .response(Data("\"done\"".utf8)))
        try await mock.shutdown()
    }

    @Test("an invocation whose connection closed fails with Runtime.ExitError once its process exit is reported")
    func connectionDropThenExit() async throws {
        let mock = try await RuntimeAPIMock.started()
        let port = try boundPort(mock)
        let outcome = NIOLockedValueBox<InvocationResult?>(nil)
        mock.invoke(QueuedEvent(body: Data("{}".utf8))) { result in outcome.withLockedValue { $0 = result } }
        _ = try await OneShotRuntime.takeEvent(port: port)
        try await Task.sleep(for: .milliseconds(200))
        // The close alone does not fail it: the runtime may still answer on another connection.
        #expect(outcome.withLockedValue { $0 } == nil)
        mock.processExited(reason: RuntimeAPIMock.exitReason(status: 139))
        try await waitUntil { outcome.withLockedValue { $0 } != nil }
        guard case .error(let type, let body) = outcome.withLockedValue({ $0 }) else {
            Issue.record("expected an error"); return
        }
        #expect(type == "Runtime.ExitError")
        let message = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])["errorMessage"] as? String
        #expect(message?.hasSuffix("Error: Runtime exited with error: exit status 139") == true)
        try await mock.shutdown()
    }

    @Test("with connection owners known, an exit fails exactly its process's invocations, before or after their connections close")
    func exitsByProcess() async throws {
        // Connections are owned by processes 101, 102, 103 in the order they open.
        let opened = NIOLockedValueBox<Int32>(100)
        let mock = RuntimeAPIMock(configuration: .init(
            port: 0, timeout: .seconds(30),
            connectionOwner: { _ in opened.withLockedValue { $0 += 1; return $0 } }))
        try await mock.start()
        let port = try boundPort(mock)
        let outcomes = NIOLockedValueBox<[Int: InvocationResult]>([:])
        var connections: [RawHTTPConnection] = []
        var requestIDs: [String] = []
        for index in 0..<3 {
            mock.invoke(QueuedEvent(body: Data("{}".utf8))) { result in outcomes.withLockedValue { $0[index] = result } }
            let (connection, requestID) = try await onThread {
                let connection = try RawHTTPConnection(port: port)
                let event = try connection.request("GET", FakeRuntime.nextPath)
                return (connection, try #require(event.header("Lambda-Runtime-Aws-Request-Id")))
            }
            connections.append(connection)
            requestIDs.append(requestID)
        }
        // 101 and 102 die, one socket closed before its exit is learned, one after, the exits in either order.
        connections[0].hangUp()
        try await Task.sleep(for: .milliseconds(100))
        mock.processExited(pid: 102, reason: RuntimeAPIMock.exitReason(status: 2))
        mock.processExited(pid: 101, reason: RuntimeAPIMock.exitReason(status: 1))
        connections[1].hangUp()
        // 103 lives: its invocation still takes its answer.
        let accepted = try await onThread { [connection = connections[2], id = requestIDs[2]] in
            try connection.request("POST", "/2018-06-01/runtime/invocation/\(id)/response", body: Array("3".utf8))
        }
        #expect(accepted.status == 202)
        try await waitUntil { outcomes.withLockedValue { $0.count } == 3 }
        let results = outcomes.withLockedValue { $0 }
        for (index, status) in [(0, 1), (1, 2)] {
            guard case .error(let type, let body) = results[index] else {
                Issue.record("invocation \(index): \(String(describing: results[index]))"); continue
            }
            #expect(type == "Runtime.ExitError")
            #expect(String(decoding: body, as: UTF8.self).contains("exit status \(status)\","), "invocation \(index)")
        }
        #expect(results[2] == .response(Data("3".utf8)))
        try await mock.shutdown()
    }

    @Test("a process exit does not fail invocations served on connections that are still open")
    func exitSparesLiveConnections() async throws {
        let mock = try await RuntimeAPIMock.started()
        let runtime = try await FakeRuntime.connect(to: mock)
        async let poll = runtime.next()
        try await waitUntil { mock.pollersWaiting == 1 }
        async let result = mock.invoke(Data("{}".utf8))
        let requestID = try #require(try await poll.header("Lambda-Runtime-Aws-Request-Id"))
        // Another instance exited (during its initialisation): this runtime's invocation is not its.
        mock.processExited(reason: RuntimeAPIMock.exitReason(status: 2))
        _ = try await runtime.respond(requestID, "7")
        #expect(await result == .response(Data("7".utf8)))
        try await mock.shutdown()
    }

    @Test("functionExited fails waiting invocations and later ones with Runtime.ExitError, until a runtime polls")
    func functionExited() async throws {
        let mock = try await RuntimeAPIMock.started()
        async let waiting = mock.invoke(Data("{}".utf8))
        try await Task.sleep(for: .milliseconds(50))
        mock.functionExited(reason: "Runtime exited with error: exit status 3")
        let results = [await waiting, await mock.invoke(Data("{}".utf8))]
        for result in results {
            guard case .error(let type, let body) = result else { Issue.record("expected an error, got \(result)"); continue }
            #expect(type == "Runtime.ExitError")
            #expect(String(decoding: body, as: UTF8.self).contains("exit status 3"))
        }
        let runtime = try await FakeRuntime.connect(to: mock)
        async let poll = runtime.next()
        try await waitUntil { mock.pollersWaiting == 1 }
        async let served = mock.invoke(Data("{}".utf8))
        let requestID = try #require(try await poll.header("Lambda-Runtime-Aws-Request-Id"))
        _ = try await runtime.respond(requestID, "2")
        #expect(await served == .response(Data("2".utf8)))
        try await mock.shutdown()
    }

    @Test("failNextPolls answers a waiting poll and the next one with the injected status, then events flow again")
    func injectedPollFailures() async throws {
        let mock = try await RuntimeAPIMock.started()
        let runtime = try await FakeRuntime.connect(to: mock)
        async let waitingPoll = runtime.next()
        try await waitUntil { mock.pollersWaiting == 1 }
        mock.failNextPolls(status: 500, count: 2)
        #expect(try await waitingPoll.status == 500)
        let nextPoll = try await runtime.next()
        #expect(nextPoll.status == 500)
        #expect(nextPoll.json?["errorType"] as? String == "Runtime.Injected")

        async let result = mock.invoke(Data("{}".utf8))
        let event = try await runtime.next()
        #expect(event.status == 200)
        _ = try await runtime.respond(try #require(event.header("Lambda-Runtime-Aws-Request-Id")), "3")
        #expect(await result == .response(Data("3".utf8)))
        try await mock.shutdown()
    }

    @Test("the emulator's invoke endpoint returns the response, or the error JSON with X-Amz-Function-Error")
    func invokeEndpoint() async throws {
        let mock = try await RuntimeAPIMock.started()
        let port = try boundPort(mock)
        let runtime = try await FakeRuntime.connect(to: mock)
        let path = "/2015-03-31/functions/function/invocations"

        async let succeeded = onThread { try RawHTTPConnection(port: port).request("POST", path, body: Array("ping".utf8)) }
        let first = try await runtime.next()
        #expect(first.text == "ping")
        _ = try await runtime.respond(try #require(first.header("Lambda-Runtime-Aws-Request-Id")), #"{"pong":true}"#)
        let success = try await succeeded
        #expect(success.status == 200)
        #expect(success.text == #"{"pong":true}"#)
        #expect(success.header("X-Amz-Function-Error") == nil)

        let report = #"{"errorMessage":"nope","errorType":"Refused","stackTrace":[]}"#
        async let failed = onThread { try RawHTTPConnection(port: port).request("POST", path, body: Array("{}".utf8)) }
        let second = try await runtime.next()
        _ = try await runtime.fail(try #require(second.header("Lambda-Runtime-Aws-Request-Id")), type: "Refused", report)
        let failure = try await failed
        #expect(failure.status == 200)
        #expect(failure.header("X-Amz-Function-Error") == "Unhandled")
        #expect(failure.text == report)
        try await mock.shutdown()
    }

    @Test("invoke payloads over the limit get 413 without reaching the function")
    func invokePayloadLimit() async throws {
        let mock = try await RuntimeAPIMock.started(payloadLimit: 1000)
        let port = try boundPort(mock)
        let response = try await onThread {
            try RawHTTPConnection(port: port).request(
                "POST", "/2015-03-31/functions/function/invocations", body: [UInt8](repeating: 32, count: 1001))
        }
        #expect(response.status == 413)
        #expect(response.json?["errorType"] as? String == "RequestEntityTooLargeException")
        try await mock.shutdown()
    }

    @Test("invoke payloads are limited as Lambda's Invoke API limits them: 6,291,456 bytes, below the response limit")
    func invokePayloadLimitIsLambdas() async throws {
        let mock = try await RuntimeAPIMock.started()
        let port = try boundPort(mock)
        #expect(RuntimeAPIMock.maxInvokeRequestBytes == 6_291_456)
        let refused = try await onThread {
            try RawHTTPConnection(port: port).request(
                "POST", "/2015-03-31/functions/function/invocations", body: [UInt8](repeating: 32, count: 6_291_457))
        }
        #expect(refused.status == 413)
        #expect(refused.json?["errorMessage"] as? String == "Request must be smaller than 6291456 bytes for the InvokeFunction operation")
        // Exactly the limit reaches the function.
        let runtime = try await FakeRuntime.connect(to: mock)
        async let accepted = onThread {
            try RawHTTPConnection(port: port).request(
                "POST", "/2015-03-31/functions/function/invocations", body: [UInt8](repeating: 32, count: 6_291_456))
        }
        let event = try await runtime.next()
        #expect(event.body.count == 6_291_456)
        _ = try await runtime.respond(try #require(event.header("Lambda-Runtime-Aws-Request-Id")), "1")
        #expect(try await accepted.status == 200)
        try await mock.shutdown()
    }

    @Test("shutdown resolves waiting invocations, closes waiting polls and stops listening")
    func shutdown() async throws {
        let mock = try await RuntimeAPIMock.started()
        let port = try boundPort(mock)
        async let queued = mock.invoke(Data("{}".utf8))
        try await Task.sleep(for: .milliseconds(50))
        let poller = try await FakeRuntime.connect(to: mock)
        // The queued event goes to the first poll; the second one waits.
        let event = try await poller.next()
        #expect(event.status == 200)
        async let secondPollFailed: Bool = onThread { (try? poller.connection.request("GET", FakeRuntime.nextPath)) == nil }
        try await waitUntil { mock.pollersWaiting == 1 }

        try await mock.shutdown()
        #expect(await queued == .timedOut)
        #expect(try await secondPollFailed)
        #expect(await mock.invoke(Data("{}".utf8)) == .timedOut)
        #expect(throws: RawHTTPConnection.Failure.self) { try RawHTTPConnection(port: port) }
    }
}
