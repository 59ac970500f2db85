import Foundation
import HandlerKit
import Runtime
import Testing

/// The transport's pool against `Support/concurrency_server.py`, which holds each request for a while and
/// reports how many it held at once.
@Suite(.serialized) struct CurlHTTPTransportTests {
    static let server = ConcurrencyServer()

    /// Off the invocation thread no request blocks its caller's thread, inlining or not: each goes out on its
    /// handle's thread, so all of a fan-out goes out together even when its tasks share one thread (as they do
    /// when other work holds the concurrency pool's other threads; a lone request run inline there serialised
    /// the fan-out, each task finding itself alone in turn). The tasks run on a one-thread executor of their
    /// own, which starves them as a busy pool would without holding threads other tests need.
    @Test(arguments: [true, false])
    func concurrentRequestsOverlap(inlineWhenAlone: Bool) async throws {
        let server = try #require(Self.server)
        let transport = CurlHTTPTransport(maxConnections: 8, caBundlePath: nil, inlineWhenAlone: inlineWhenAlone)
        _ = try await transport.send(HTTPRequest(method: "POST", url: server.url("/reset"), headers: [], body: Data()))
        let statuses = try await withTaskExecutorPreference(OneThreadExecutor()) {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await transport.send(HTTPRequest(method: "GET", url: server.url("/hold?ms=500"), headers: [], body: Data())).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(statuses == Array(repeating: 200, count: 8))
        let peak = try await transport.send(HTTPRequest(method: "GET", url: server.url("/peak"), headers: [], body: Data()))
        let held = try #require(try JSONSerialization.jsonObject(with: peak.body) as? [String: Int])["peak"]
        // On a busy machine some may start late; requests serialised on the one thread would never overlap.
        #expect((held ?? 0) >= 5, "at most \(held ?? 0) of 8 requests were in flight at once")
    }

    /// Runs every job on one serial queue: a task executor with a single thread.
    private final class OneThreadExecutor: TaskExecutor, @unchecked Sendable {
        private let queue = DispatchQueue(label: "one-thread-executor")

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        }
    }

    /// On a function's invocation thread (one thread runs every job of the handler) a task group's requests
    /// still overlap: the first does not block the thread its siblings are waiting for.
    @Test func fanOutFromTheInvocationThreadOverlaps() async throws {
        let server = try #require(Self.server)
        let transport = CurlHTTPTransport(maxConnections: 8, caBundlePath: nil)
        _ = try await transport.send(HTTPRequest(method: "POST", url: server.url("/reset"), headers: [], body: Data()))
        let statuses = try await onInvocationThread {
            await withTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        (try? await transport.send(HTTPRequest(method: "GET", url: server.url("/hold?ms=500"), headers: [], body: Data())))?.status ?? 0
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(statuses == Array(repeating: 200, count: 8))
        let peak = try await transport.send(HTTPRequest(method: "GET", url: server.url("/peak"), headers: [], body: Data()))
        let held = try #require(try JSONSerialization.jsonObject(with: peak.body) as? [String: Int])["peak"]
        // Run one after another they would never overlap.
        #expect((held ?? 0) >= 5, "at most \(held ?? 0) of 8 requests were in flight at once")
    }

    /// Where a lone request may run inline: on the invocation thread while no job waits for it, and nowhere
    /// else (not on the pool, not when a task group's sibling is queued behind the caller).
    @Test func requestsRunInlineOnlyOnTheIdleInvocationThread() async throws {
        #expect(!InvocationThreadExecutor.onIdleInvocationThread)
        let (alone, beside, afterwards) = try await onInvocationThread {
            let alone = InvocationThreadExecutor.onIdleInvocationThread
            let beside = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<2 {
                    group.addTask { InvocationThreadExecutor.onIdleInvocationThread }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            return (alone, beside, InvocationThreadExecutor.onIdleInvocationThread)
        }
        #expect(alone && afterwards)
        // The first child runs while its sibling waits for the thread (and the second, most likely, while the
        // parent, resumed by the first child's result, does).
        #expect(beside.count == 2 && beside.first == false, "\(beside)")
        let detached = await Task.detached { InvocationThreadExecutor.onIdleInvocationThread }.value
        #expect(!detached)
    }

    /// Runs `operation` as a function's handler runs: on a thread driving an ``InvocationThreadExecutor``.
    private func onInvocationThread<Value: Sendable>(_ operation: @escaping @Sendable () async -> Value) async throws -> Value {
        let executor = try #require(InvocationThreadExecutor(servingMainQueue: false))
        return await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: executor.run { await operation() }) }
            thread.start()
        }
    }

    /// A request's timeout ends a held request on time (as a timeout, not a transport failure), and a request with
    /// none waits for its answer however long it is held; the handle serves the next request after each.
    @Test func timeoutsHoldAndTheHandleGoesOn() throws {
        let server = try #require(Self.server)
        let handle = try CurlEasyHandle()
        let clock = ContinuousClock()
        let start = clock.now
        let timedOut = #expect(throws: CurlError.self) {
            try handle.perform(CurlRequest(method: "GET", url: server.url("/hold?ms=3000"), timeoutMilliseconds: 300))
        }
        let waited = start.duration(to: clock.now)
        #expect(timedOut?.isTimeout == true, "\(String(describing: timedOut))")
        // Long before the server's answer (3 s): the timeout ended it.
        #expect(waited >= .milliseconds(290) && waited < .milliseconds(2_000), "timed out after \(waited)")

        let held = try handle.perform(CurlRequest(method: "GET", url: server.url("/hold?ms=1500")))
        #expect(held.status == 200)
        #expect(String(decoding: held.bodyBytes, as: UTF8.self) == #"{"held_ms": 1500}"#)

        let after = try handle.perform(CurlRequest(method: "POST", url: server.url("/echo"), body: Data("x".utf8)))
        #expect(after.status == 200)
        #expect(after.header("X-Body-Length") == "1")
    }

    @Test func requestsOneAfterAnotherReuseTheHandle() async throws {
        let server = try #require(Self.server)
        let transport = CurlHTTPTransport(maxConnections: 4, caBundlePath: nil)
        for index in 0..<20 {
            let response = try await transport.send(
                HTTPRequest(method: "POST", url: server.url("/hold?ms=0"), headers: [("Content-Type", "text/plain")], body: Data("\(index)".utf8)))
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == #"{"held_ms": 0}"#)
        }
    }
}

/// One handle sending every kind of request in turn: the options it leaves set for the next request (it sets
/// only what changes) never leak into one that needs others.
@Suite struct CurlEasyHandleReuseTests {
    @Test func eachRequestGoesOutAsAskedWhateverCameBefore() throws {
        let server = try #require(CurlHTTPTransportTests.server)
        let handle = try CurlEasyHandle()
        let sequence: [(method: String, body: Data?, headers: [(name: String, value: String)])] = [
            ("HEAD", nil, []), ("HEAD", nil, []), ("GET", nil, []), ("POST", Data("abc".utf8), []),
            ("HEAD", nil, [("X-Extra", "1")]), ("PUT", Data("four".utf8), [("Content-Type", "text/plain")]),
            ("DELETE", nil, []), ("DELETE", Data("xy".utf8), []), ("GET", nil, [("X-Extra", "2")]),
            ("POST", Data(), []), ("GET", nil, []), ("HEAD", nil, []), ("POST", Data("z".utf8), []),
        ]
        for (method, body, headers) in sequence {
            let response = try handle.perform(
                CurlRequest(method: method, url: server.url("/echo"), headers: headers, body: body, timeoutMilliseconds: 5_000))
            #expect(response.status == 200)
            #expect(response.header("X-Method") == method, "\(method) went out as \(response.header("X-Method") ?? "nothing")")
            #expect(response.header("X-Body-Length") == "\(body?.count ?? 0)", "\(method)")
            #expect(response.bodyBytes.isEmpty == (method == "HEAD"), "\(method)")
        }
    }

    @Test func urlsGivenAsTextAndParsedOnceTakeTurnsOnOneHandle() throws {
        let server = try #require(CurlHTTPTransportTests.server)
        let handle = try CurlEasyHandle()
        let first = try CurlURL(server.url("/echo/first"))
        let second = try CurlURL(server.url("/echo/second?q=1"))
        let sequence: [(location: CurlRequest.Location, target: String)] = [
            (.text(server.url("/echo/text")), "/echo/text"),
            (.parsed(first, path: nil), "/echo/first"),
            (.parsed(first, path: nil), "/echo/first"),
            (.parsed(first, path: try CurlURL.Path("/echo/run/a1")), "/echo/run/a1"),
            (.parsed(first, path: try CurlURL.Path("/echo/run/b22")), "/echo/run/b22"),
            (.parsed(first, path: nil), "/echo/first"),
            (.parsed(second, path: nil), "/echo/second?q=1"),
            // A path replaces the query too.
            (.parsed(second, path: try CurlURL.Path("/echo/run/c%20d")), "/echo/run/c%20d"),
            (.parsed(first, path: try CurlURL.Path("/echo/run/e")), "/echo/run/e"),
            (.text(server.url("/echo/text?x=2")), "/echo/text?x=2"),
            (.parsed(second, path: try CurlURL.Path("/echo/run/f")), "/echo/run/f"),
            (.text(server.url("/echo/last")), "/echo/last"),
            // Percent-encoded bytes go out as given in text; in a path set on a parsed URL, libcurl 7.88 writes
            // their hex digits in lower case, 8.21 and later in upper case (the same bytes either way).
            (.text(server.url("/echo/id%2Fwith%3Fslash")), "/echo/id%2Fwith%3Fslash"),
            (.parsed(first, path: try CurlURL.Path("/echo/id%2Fwith%3Fslash")), "/echo/id%2fwith%3fslash"),
            // A parsed URL let go right after its request: the handle holds it while it points at it.
            (.parsed(try CurlURL(server.url("/echo/brief")), path: nil), "/echo/brief"),
            (.parsed(try CurlURL(server.url("/echo/brief2")), path: try CurlURL.Path("/echo/brief3")), "/echo/brief3"),
            (.text(server.url("/echo/after")), "/echo/after"),
        ]
        for (index, step) in sequence.enumerated() {
            var request = CurlRequest(method: index.isMultiple(of: 2) ? "GET" : "POST", url: "", body: Data("b".utf8))
            request.location = step.location
            let response = try handle.perform(request)
            #expect(response.status == 200)
            let target = response.header("X-Target") ?? ""
            let sameBytes = step.target.contains("%") ? target.lowercased() == step.target.lowercased() : target == step.target
            #expect(sameBytes, "step \(index): \(target)")
            // libcurl's own account of the URL follows the request too (its URL text is written afresh).
            let effective = handle.effectiveURL() ?? ""
            #expect(effective.lowercased() == server.url(step.target).lowercased(), "step \(index): \(effective)")
            #expect(response.header("X-Method") == request.method, "step \(index)")
        }
    }

    @Test func aParsedURLReadsBackAsText() throws {
        let url = try CurlURL("HTTP://Example.COM:8080/a/./b?c=d")
        #expect(url.text == "http://Example.COM:8080/a/b?c=d")
        #expect(url.text(withPath: try CurlURL.Path("/x/y%2Fz")).lowercased() == "http://example.com:8080/x/y%2fz")
        #expect(url.path == "/a/b")
        #expect(CurlRequest(method: "GET", url: url, path: try CurlURL.Path("/next")).url == "http://Example.COM:8080/next")
        #expect(throws: CurlError.self) { try CurlURL("http://bad host/") }
        #expect(throws: CurlError.self) { try CurlURL("") }
        // What libcurl 7.88 cannot keep parsed: an IPv6 zone id, a host holding '%'.
        #expect(throws: CurlError.self) { try CurlURL("http://[fe80::1%25lo]:9001/next") }
        #expect(throws: CurlError.self) { try CurlURL("http://a%25b/next") }
    }

    @Test func aPathGivenWithAParsedURLMustBeAPathAsParsed() throws {
        let server = try #require(CurlHTTPTransportTests.server)
        let handle = try CurlEasyHandle()
        let url = try CurlURL(server.url("/echo"))
        for path in ["echo/relative", "/echo/a b", "/echo/a\r\nX-Evil: 1", "/echo/a?b", "/echo/a#b", "/echo/../x",
                     "/echo/.", "/./echo", "/echo/é", ""] {
            #expect(throws: CurlError.self, "\(path.debugDescription)") {
                try handle.perform(CurlRequest(method: "GET", url: url, path: try CurlURL.Path(path)))
            }
        }
        // Dots inside a segment, or three of them, are plain characters.
        for path in ["/echo/a.b", "/echo/...", "/echo/.hidden", "/echo/x..", "/echo/%2E%2E"] {
            let response = try handle.perform(CurlRequest(method: "GET", url: url, path: try CurlURL.Path(path)))
            #expect(response.header("X-Target")?.lowercased() == path.lowercased())
        }
        // A path built from a checked directory and an encoded segment goes out as built, whatever the segment.
        let directory = try CurlURL.Path("/echo/dir/")
        let suffix = try CurlURL.Path("/end")
        for (segment, target) in [("id-1", "/echo/dir/id-1/end"), ("..", "/echo/dir/%2E%2E/end"),
                                  ("a/b ?#", "/echo/dir/a%2Fb%20%3F%23/end"), ("", "/echo/dir//end")] {
            let path = CurlURL.Path(directory: directory, segment: segment, suffix: suffix)
            #expect(path.text == target)
            let response = try handle.perform(CurlRequest(method: "GET", url: url, path: path))
            #expect(response.header("X-Target")?.lowercased() == target.lowercased(), "\(segment.debugDescription)")
        }
    }

    @Test func noAcceptHeaderUnlessTheRequestBringsOne() throws {
        let server = try #require(CurlHTTPTransportTests.server)
        let handle = try CurlEasyHandle()
        let cases: [([(name: String, value: String)], String)] = [
            ([], "none"), ([("X-Extra", "1")], "none"), ([("accept", "application/json")], "application/json"),
        ]
        for (headers, accept) in cases {
            let response = try handle.perform(CurlRequest(method: "GET", url: server.url("/echo"), headers: headers))
            #expect(response.header("X-Accept") == accept, "\(headers)")
            #expect(response.header("X-Padded") == "value", "spaces and tabs around a value are not part of it")
        }
    }

    @Test func aResponseKeepsItsHeadersOnlyWhenAsked() throws {
        let server = try #require(CurlHTTPTransportTests.server)
        let handle = try CurlEasyHandle()
        let unkept = try handle.perform(CurlRequest(method: "POST", url: server.url("/echo"), body: Data("a".utf8), keepsResponseHeaders: false))
        #expect(unkept.status == 200)
        #expect(unkept.headers.isEmpty)
        #expect(String(decoding: unkept.bodyBytes, as: UTF8.self) == #"{"method": "POST", "body_length": 1}"#)
        let kept = try handle.perform(CurlRequest(method: "POST", url: server.url("/echo"), body: Data("a".utf8)))
        #expect(kept.header("x-method") == "POST")
        #expect(kept.header("Content-Type") == "application/json")
    }
}

/// `Support/concurrency_server.py` on an ephemeral port; it exits when this process ends (its stdin closes).
final class ConcurrencyServer: Sendable {
    let port: Int
    private let process: Process
    private let stdin: Pipe

    init?() {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", PythonScript.path("concurrency_server.py")]
        stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        do { try process.run() } catch { return nil }
        var line = Data()
        while let byte = stdout.fileHandleForReading.readData(ofLength: 1).first, byte != UInt8(ascii: "\n") {
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else { return nil }
        self.port = port
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }
}
