import Foundation
import LocalGateway
import Testing

/// The Runtime API as the mock speaks it, request by request, over real loopback connections.
@Suite("Runtime API mock: the protocol")
struct RuntimeAPIMockProtocolTests {
    @Test("/next serves the event with request id, deadline, ARN and trace id; /response answers 202 {\"status\":\"OK\"}")
    func roundTrip() async throws {
        let mock = try await RuntimeAPIMock.started(timeout: .seconds(10))
        let runtime = try await FakeRuntime.connect(to: mock)
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        async let result = mock.invoke(Data(#"{"hello":"world"}"#.utf8))
        let event = try await runtime.next()
        let after = Int64(Date().timeIntervalSince1970 * 1000)

        #expect(event.status == 200)
        #expect(event.text == #"{"hello":"world"}"#)
        let requestID = try #require(event.header("Lambda-Runtime-Aws-Request-Id"))
        #expect(requestID.count == 36)
        let deadline = try #require(event.header("Lambda-Runtime-Deadline-Ms").flatMap { Int64($0) })
        #expect(deadline >= before + 10_000 - 1 && deadline <= after + 10_000 + 1)
        #expect(event.header("Lambda-Runtime-Invoked-Function-Arn") == mock.configuration.functionARN)
        let trace = try #require(event.header("Lambda-Runtime-Trace-Id"))
        #expect(trace.wholeMatch(of: /Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=0/) != nil)

        let accepted = try await runtime.respond(requestID, #"{"answer":42}"#)
        #expect(accepted.status == 202)
        #expect(accepted.text == #"{"status":"OK"}"#)
        #expect(accepted.header("Content-Type") == "application/json")
        #expect(await result == .response(Data(#"{"answer":42}"#.utf8)))
        try await mock.shutdown()
    }

    @Test("queued events carry header overrides: replaced, added and removed Lambda-Runtime-* headers, line breaks written as spaces")
    func headerOverrides() async throws {
        let mock = try await RuntimeAPIMock.started()
        let runtime = try await FakeRuntime.connect(to: mock)
        async let result = mock.invoke(QueuedEvent(body: Data("{}".utf8), headerOverrides: [
            "Lambda-Runtime-Deadline-Ms": nil,
            "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:eu-west-1:123456789012:function:chat:live",
            "Lambda-Runtime-Client-Context": #"{"custom":{"k":"v"}}"#,
            "Lambda-Runtime-Cognito-Identity": "a\r\nInjected: yes",
        ]))
        let event = try await runtime.next()
        // A line break in a value cannot split the response: it is written as a space.
        #expect(event.header("Lambda-Runtime-Cognito-Identity") == "a  Injected: yes")
        #expect(event.header("Injected") == nil)
        #expect(event.header("Lambda-Runtime-Deadline-Ms") == nil)
        #expect(event.header("Lambda-Runtime-Invoked-Function-Arn") == "arn:aws:lambda:eu-west-1:123456789012:function:chat:live")
        #expect(event.header("Lambda-Runtime-Client-Context") == #"{"custom":{"k":"v"}}"#)
        #expect(event.header("Lambda-Runtime-Trace-Id") != nil)
        let requestID = try #require(event.header("Lambda-Runtime-Aws-Request-Id"))
        _ = try await runtime.respond(requestID, "{}")
        #expect(await result.isSuccess)
        try await mock.shutdown()
    }

    @Test("/error records the error type header and the JSON body")
    func errorReport() async throws {
        let mock = try await RuntimeAPIMock.started()
        let runtime = try await FakeRuntime.connect(to: mock)
        async let result = mock.invoke(Data("{}".utf8))
        let requestID = try #require(try await runtime.next().header("Lambda-Runtime-Aws-Request-Id"))
        let body = #"{"errorMessage":"boom","errorType":"Boom","stackTrace":[]}"#
        let accepted = try await runtime.fail(requestID, type: "Boom", body)
        #expect(accepted.status == 202)
        #expect(accepted.text == #"{"status":"OK"}"#)
        #expect(await result == .error(type: "Boom", body: Data(body.utf8)))
        try await mock.shutdown()
    }

    @Test("unknown and already answered request ids get 400 with a JSON error, and the invocation keeps its first answer")
    func unknownAndRepeatedIDs() async throws {
        let mock = try await RuntimeAPIMock.started()
        let runtime = try await FakeRuntime.connect(to: mock)
        let unknown = try await runtime.respond("no-such-id", "{}")
        #expect(unknown.status == 400)
        #expect(unknown.json?["errorType"] as? String == "InvalidRequestID")

        async let result = mock.invoke(Data("{}".utf8))
        let requestID = try #require(try await runtime.next().header("Lambda-Runtime-Aws-Request-Id"))
        #expect(try await runtime.respond(requestID, #""first""#).status == 202)
        let again = try await runtime.respond(requestID, #""second""#)
        let errorAfterwards = try await runtime.fail(requestID, type: "Late", "{}")
        #expect(again.status == 400)
        #expect(again.json?["errorType"] as? String == "InvalidStateTransition")
        #expect(errorAfterwards.status == 400)
        #expect(await result == .response(Data(#""first""#.utf8)))
        try await mock.shutdown()
    }

    @Test("a percent-encoded request id in the path is decoded")
    func percentEncodedRequestID() async throws {
        let mock = try await RuntimeAPIMock.started()
        let runtime = try await FakeRuntime.connect(to: mock)
        async let result = mock.invoke(Data("{}".utf8))
        let requestID = try #require(try await runtime.next().header("Lambda-Runtime-Aws-Request-Id"))
        let encoded = requestID.replacingOccurrences(of: "-", with: "%2D")
        #expect(try await runtime.respond(encoded, "1").status == 202)
        #expect(await result == .response(Data("1".utf8)))
        try await mock.shutdown()
    }

    @Test("a response of exactly Lambda's limit (6,291,556 bytes) is accepted; one byte more gets 413 and the invocation still waits for an answer")
    func sixMegabyteLimit() async throws {
        let mock = try await RuntimeAPIMock.started()
        let runtime = try await FakeRuntime.connect(to: mock)
        async let first = mock.invoke(Data("{}".utf8))
        let firstID = try #require(try await runtime.next().header("Lambda-Runtime-Aws-Request-Id"))
        let limit = 6_291_556
        #expect(RuntimeAPIMock.maxResponseBytes == limit)
        let exact = try await runtime.post("/2018-06-01/runtime/invocation/\(firstID)/response",
                                           body: [UInt8](repeating: UInt8(ascii: "x"), count: limit))
        #expect(exact.status == 202)
        #expect(await first.payload.count == limit)

        async let second = mock.invoke(Data("{}".utf8))
        let secondID = try #require(try await runtime.next().header("Lambda-Runtime-Aws-Request-Id"))
        let tooLarge = try await runtime.post("/2018-06-01/runtime/invocation/\(secondID)/response",
                                              body: [UInt8](repeating: UInt8(ascii: "x"), count: limit + 1))
        #expect(tooLarge.status == 413)
        #expect(tooLarge.json?["errorType"] as? String == "RequestEntityTooLarge")
        // The same connection goes on, and the invocation takes the error the runtime reports instead.
        let report = #"{"errorMessage":"too large","errorType":"Function.ResponseSizeTooLarge","stackTrace":[]}"#
        #expect(try await runtime.fail(secondID, type: "Function.ResponseSizeTooLarge", report).status == 202)
        #expect(await second == .error(type: "Function.ResponseSizeTooLarge", body: Data(report.utf8)))
        try await mock.shutdown()
    }

    @Test("unknown paths get 404, wrong methods 405 with Allow, and malformed HTTP 400; the mock keeps serving")
    func badRequests() async throws {
        let mock = try await RuntimeAPIMock.started()
        let port = try boundPort(mock)
        let runtime = try await FakeRuntime.connect(to: mock)

        let unknown = try await runtime.request("GET", "/2018-06-01/runtime/nothing")
        #expect(unknown.status == 404)
        #expect(unknown.json?["errorType"] as? String == "NotFound")
        let postNext = try await runtime.request("POST", FakeRuntime.nextPath)
        #expect(postNext.status == 405)
        #expect(postNext.header("Allow") == "GET")
        let getResponse = try await runtime.request("GET", "/2018-06-01/runtime/invocation/abc/response")
        #expect(getResponse.status == 405)
        #expect(getResponse.header("Allow") == "POST")

        let garbage = try await onThread {
            let connection = try RawHTTPConnection(port: port)
            try connection.send(Array("NOT HTTP AT ALL\r\n\u{01}\u{02}\r\n\r\n".utf8))
            return try connection.readResponse()
        }
        #expect(garbage.status == 400)
        let badLength = try await onThread {
            let connection = try RawHTTPConnection(port: port)
            try connection.send(Array("POST /2018-06-01/runtime/init/error HTTP/1.1\r\nContent-Length: banana\r\n\r\n".utf8))
            return try connection.readResponse()
        }
        #expect(badLength.status == 400)

        // Still serving, on old and new connections.
        #expect(try await runtime.respond("unknown", "{}").status == 400)
        let fresh = try await FakeRuntime.connect(to: mock)
        #expect(try await fresh.respond("unknown", "{}").status == 400)
        try await mock.shutdown()
    }

    @Test("Expect: 100-continue gets its interim answer at once (curl waits a second for it otherwise)")
    func expectContinue() async throws {
        let mock = try await RuntimeAPIMock.started()
        let runtime = try await FakeRuntime.connect(to: mock)
        async let result = mock.invoke(Data("{}".utf8))
        let requestID = try #require(try await runtime.next().header("Lambda-Runtime-Aws-Request-Id"))
        let (interim, final) = try await onThread { [connection = runtime.connection] in
            try connection.send(Array(
                "POST /2018-06-01/runtime/invocation/\(requestID)/response HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n".utf8))
            let interim = try connection.readResponse()
            try connection.send(Array("hello".utf8))
            return (interim, try connection.readResponse())
        }
        #expect(interim.status == 100)
        #expect(final.status == 202)
        #expect(await result == .response(Data("hello".utf8)))

        // HTTP/1.0 has no interim responses: the final one comes first.
        async let second = mock.invoke(Data("{}".utf8))
        let secondID = try #require(try await runtime.next().header("Lambda-Runtime-Aws-Request-Id"))
        let old = try RawHTTPConnection(port: try boundPort(mock))
        let first = try await onThread {
            try old.send(Array(
                "POST /2018-06-01/runtime/invocation/\(secondID)/response HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nworld".utf8))
            return try old.readResponse()
        }
        #expect(first.status == 202)
        #expect(await second == .response(Data("world".utf8)))
        try await mock.shutdown()
    }

    @Test("pipelined requests are answered in order: one sent behind a waiting /next waits for its event")
    func pipelinedRequests() async throws {
        let mock = try await RuntimeAPIMock.started()
        let port = try boundPort(mock)
        let connection = try RawHTTPConnection(port: port)
        try connection.send(Array("""
            GET \(FakeRuntime.nextPath) HTTP/1.1\r\nHost: x\r\n\r\n\
            GET /2018-06-01/runtime/nothing HTTP/1.1\r\nHost: x\r\n\r\n
            """.utf8))
        try await waitUntil { mock.pollersWaiting == 1 }
        async let result = mock.invoke(Data(#"{"n":1}"#.utf8))
        let (event, unknown) = try await onThread {
            (try connection.readResponse(), try connection.readResponse())
        }
        #expect(event.status == 200)
        #expect(String(decoding: event.body, as: UTF8.self) == #"{"n":1}"#)
        #expect(unknown.status == 404)
        #expect(try await Self.respondOK(to: event, over: connection) == 202)
        #expect(await result == .response(Data("ok".utf8)))
        try await mock.shutdown()
    }

    @Test("a long backlog behind a waiting /next is answered in order, every request of it")
    func longPipelinedBacklog() async throws {
        let mock = try await RuntimeAPIMock.started()
        let connection = try RawHTTPConnection(port: try boundPort(mock))
        let count = 3_000
        var requests = "GET \(FakeRuntime.nextPath) HTTP/1.1\r\nHost: x\r\n\r\n"
        for index in 0..<count { requests += "GET /2018-06-01/runtime/n\(index) HTTP/1.1\r\nHost: x\r\n\r\n" }
        let bytes = Array(requests.utf8)
        // Sent while the answers are read: the mock stops reading the socket behind the waiting /next.
        async let sent: Void = onThread { try connection.send(bytes) }
        try await waitUntil { mock.pollersWaiting == 1 }
        async let result = mock.invoke(Data(#"{"n":1}"#.utf8))
        let (event, paths) = try await onThread {
            let event = try connection.readResponse()
            var paths: [String] = []
            for _ in 0..<count {
                let response = try connection.readResponse()
                paths.append(response.status == 404 ? (response.json?["errorMessage"] as? String ?? "?") : "status \(response.status)")
            }
            return (event, paths)
        }
        try await sent
        #expect(event.status == 200)
        #expect(paths == (0..<count).map { "No route for /2018-06-01/runtime/n\($0)" })
        #expect(try await Self.respondOK(to: event, over: connection) == 202)
        #expect(await result == .response(Data("ok".utf8)))
        try await mock.shutdown()
    }

    @Test("requests held behind one being answered go with their connection: a /next sent behind an /invoke and then hung up on leaves no poller")
    func heldRequestsGoWithTheConnection() async throws {
        let mock = try await RuntimeAPIMock.started(timeout: .seconds(10))
        let runtime = try await FakeRuntime.connect(to: mock)
        let caller = try RawHTTPConnection(port: try boundPort(mock))
        try caller.send(Array("""
            POST /2015-03-31/functions/function/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{"a":1}\
            GET \(FakeRuntime.nextPath) HTTP/1.1\r\nHost: x\r\n\r\n
            """.utf8))
        // The event reaching the runtime shows the caller's requests were read: the /next waits behind the /invoke.
        let event = try await runtime.next()
        #expect(event.text == #"{"a":1}"#)
        caller.hangUp()
        try await waitUntil { mock.connectionsOpen == 1 }
        #expect(mock.connectionsOpen == 1)
        let requestID = try #require(event.header("Lambda-Runtime-Aws-Request-Id"))
        #expect(try await runtime.respond(requestID, "{}").status == 202)
        // Answering the /invoke on the closed connection must not go on to its held /next.
        try await waitUntil(.seconds(2)) { mock.pollersWaiting > 0 }
        #expect(mock.pollersWaiting == 0)
        async let second = mock.invoke(Data(#"{"b":2}"#.utf8))
        let next = try await runtime.next()
        #expect(next.text == #"{"b":2}"#)
        _ = try await runtime.respond(try #require(next.header("Lambda-Runtime-Aws-Request-Id")), "{}")
        #expect(await second.isSuccess)
        try await mock.shutdown()
    }

    @Test("HEAD gets the head of the answer, Content-Length and all, and no body; the connection goes on")
    func headRequest() async throws {
        let mock = try await RuntimeAPIMock.started()
        let port = try boundPort(mock)
        let connection = try RawHTTPConnection(port: port)
        let (head, after) = try await onThread {
            try connection.send(Array("HEAD \(FakeRuntime.nextPath) HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            let head = try connection.readResponse(hasBody: false)
            return (head, try connection.request("GET", "/2018-06-01/runtime/nothing"))
        }
        #expect(head.status == 405)
        #expect(head.header("Allow") == "GET")
        #expect(Int(head.header("Content-Length") ?? "") ?? 0 > 0)
        #expect(head.body.isEmpty)
        #expect(after.status == 404)
        #expect(after.json?["errorType"] as? String == "NotFound")
        try await mock.shutdown()
    }

    @Test("one keep-alive connection serves many invocations")
    func keepAlive() async throws {
        let mock = try await RuntimeAPIMock.started()
        let runtime = try await FakeRuntime.connect(to: mock)
        for index in 0..<50 {
            async let result = mock.invoke(Data("\(index)".utf8))
            let event = try await runtime.next()
            let requestID = try #require(event.header("Lambda-Runtime-Aws-Request-Id"))
            #expect(try await runtime.respond(requestID, event.text).status == 202)
            #expect(await result == .response(Data("\(index)".utf8)))
        }
        #expect(mock.connectionsAccepted == 1)
        try await mock.shutdown()
    }

    /// Answers `event` with `ok` over `connection`; the status of the answer.
    private static func respondOK(to event: RawHTTPResponse, over connection: RawHTTPConnection) async throws -> Int {
        let requestID = try #require(event.header("Lambda-Runtime-Aws-Request-Id"))
        return try await onThread {
            try connection.request("POST", "/2018-06-01/runtime/invocation/\(requestID)/response", body: Array("ok".utf8)).status
        }
    }
}
