import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Serves one HTTP connection of the Runtime API mock: routes each request to the mock's state, and writes
/// each response as one buffer of bytes.
///
/// It sits right after NIO's request decoder and does the little the rest of NIO's server pipeline would do
/// for these clients (two requests an invocation come through here): requests are answered in order, one at
/// a time (what arrives while one waits, such as behind a `/next` long poll, is held, and the socket is not
/// read meanwhile); malformed HTTP gets `400` and the connection closes. Request bodies are collected up to
/// the mock's payload limit; beyond it the rest is discarded and the request answered 413 once it ends, so
/// an oversized body costs no memory.
final class RuntimeAPIHTTPHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let mock: RuntimeAPIMock
    private var head: HTTPRequestHead?
    private var body: BoundedRequestBody
    /// A request has been routed and its response is not written yet.
    private var answering = false
    /// Parts of requests that arrived while one was being answered, handled in order once it is.
    private var held = CircularBuffer<HTTPServerRequestPart>()
    /// A read was asked for while answering: issued once the response is written.
    private var readHeld = false
    /// The request being answered is a `HEAD`: its response announces a length but carries no body.
    private var answeringHead = false
    /// Held requests are being handled (by the outermost ``answered(context:)``): a response written
    /// meanwhile only marks its request answered, so a long backlog is a loop, not a recursion.
    private var draining = false
    /// The connection is gone: nothing more is handled on it (a held `/next` would register a poller that
    /// can never be answered).
    private var closed = false
    /// The function process that opened the connection, when the mock can tell (see
    /// ``RuntimeAPIMock/Configuration/connectionOwner``).
    private var owner: Int32?

    init(mock: RuntimeAPIMock) {
        self.mock = mock
        self.body = BoundedRequestBody(limit: mock.configuration.payloadLimit)
    }

    func channelActive(context: ChannelHandlerContext) {
        // Asked now, while the function still holds its end: a connection is attributed once, not per event.
        if let resolve = mock.configuration.connectionOwner, let address = context.channel.remoteAddress {
            owner = resolve(address)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if answering || !held.isEmpty {
            held.append(part)
        } else {
            handle(part, context: context)
        }
    }

    func read(context: ChannelHandlerContext) {
        if answering {
            readHeld = true
        } else {
            context.read()
        }
    }

    /// The response to the routed request is written: the next request may be handled.
    private func answered(context: ChannelHandlerContext) {
        answering = false
        guard !draining, !closed else { return }
        draining = true
        while !answering, !closed, let part = held.popFirst() {
            handle(part, context: context)
        }
        draining = false
        if !answering, !closed, readHeld {
            readHeld = false
            context.read()
        }
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            self.head = head
            // Lambda takes invoke payloads up to 6,291,456 bytes, responses up to 6,291,556.
            let isInvoke = RuntimeAPIRoute(method: head.method, uri: head.uri) == .invoke
            body.start(
                declaredLength: head.declaredContentLength,
                limit: isInvoke ? min(mock.configuration.payloadLimit, RuntimeAPIMock.maxInvokeRequestBytes) : nil,
                allocator: context.channel.allocator)
            // curl sends `Expect: 100-continue` with bodies over 1 KB and waits a second for this answer (an
            // HTTP/1.0 client is never sent an interim response).
            if !body.isTooLarge, head.version != .http1_0, head.headers.first(name: "Expect")?.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(staticString: "HTTP/1.1 100 Continue\r\n\r\n")), promise: nil)
            }
        case .body(var chunk):
            body.append(&chunk)
        case .end:
            guard let head else { return }
            let (payload, tooLarge) = body.finish()
            self.head = nil
            answering = true
            answeringHead = head.method == .HEAD
            route(head, payload, tooLarge: tooLarge, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A poller that hung up must not be handed an event it can never receive. An event it was handling
        // waits for its answer on another connection, or for its process's exit
        // (``RuntimeAPIMock/processExited(pid:reason:)``). Requests held behind one being answered are
        // dropped with the connection.
        closed = true
        held.removeAll()
        let gone = mock.state.withLockedValue { $0.connectionClosed(ObjectIdentifier(self)) }
        for poller in gone { poller.promise.fail(ChannelError.ioOnClosedChannel) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Malformed HTTP (the decoder's error) is answered, unless a response is owed first; either way the
        // connection cannot go on.
        guard error is HTTPParserError, !answering else {
            context.close(promise: nil)
            return
        }
        answering = true
        answeringHead = false
        head = nil
        writeError(.badRequest, type: "BadRequest", message: "Malformed HTTP request", context: context, keepAlive: false)
    }

    private func route(_ head: HTTPRequestHead, _ payload: Data, tooLarge: Bool, context: ChannelHandlerContext) {
        let keepAlive = head.isKeepAlive
        let route = RuntimeAPIRoute(method: head.method, uri: head.uri)
        if tooLarge, route != .next {
            let message = route == .invoke
                ? "Request must be smaller than \(body.limit) bytes for the InvokeFunction operation"
                : "Request body exceeds the maximum allowed payload size (\(body.limit) bytes)."
            let type = route == .invoke ? "RequestEntityTooLargeException" : "RequestEntityTooLarge"
            writeError(.payloadTooLarge, type: type, message: message, context: context, keepAlive: keepAlive)
            return
        }
        switch route {
        case .next:
            next(context: context, keepAlive: keepAlive)
        case .response(let requestID):
            answer(requestID, with: .response(payload), context: context, keepAlive: keepAlive)
        case .error(let requestID):
            let type = head.headers.first(name: "Lambda-Runtime-Function-Error-Type") ?? "Unhandled"
            answer(requestID, with: .error(type: type, body: payload), context: context, keepAlive: keepAlive)
        case .initError:
            let type = head.headers.first(name: "Lambda-Runtime-Function-Error-Type") ?? "Unhandled"
            let failed = mock.state.withLockedValue { $0.recordInitError(type: type, body: payload) }
            for resolution in failed { resolution.perform() }
            writeAccepted(context: context, keepAlive: keepAlive)
        case .invoke:
            invokeEndpoint(payload, context: context, keepAlive: keepAlive)
        case .methodNotAllowed(let allow):
            let body = Self.errorJSON(type: "MethodNotAllowed", message: "\(head.method.rawValue) is not allowed here; use \(allow.rawValue)")
            write(.methodNotAllowed, headers: Self.jsonHeaders + [("Allow", allow.rawValue)], body: body,
                  context: context, keepAlive: keepAlive)
        case .notFound(let path):
            writeError(.notFound, type: "NotFound", message: "No route for \(path)", context: context, keepAlive: keepAlive)
        }
    }

    private func next(context: ChannelHandlerContext, keepAlive: Bool) {
        let promise = context.eventLoop.makePromise(of: RuntimeAPIMockState.PollAnswer.self)
        let poller = RuntimeAPIMockState.Poller(
            id: ObjectIdentifier(self), promise: promise, address: context.channel.remoteAddress, process: owner)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        promise.futureResult.whenComplete { answer in
            let (handler, context) = bound.value
            switch answer {
            case .success(.event(let served)):
                handler.serve(served, context: context, keepAlive: keepAlive)
            case .success(.failure(let status)):
                handler.writeError(HTTPResponseStatus(statusCode: status), type: "Runtime.Injected",
                                   message: "injected failure", context: context, keepAlive: keepAlive)
            case .failure:
                context.close(promise: nil)
            }
        }
        if let answer = mock.state.withLockedValue({ $0.poll(poller) }) {
            promise.succeed(answer)
        }
    }

    private func serve(_ served: RuntimeAPIMockState.Served, context: ChannelHandlerContext, keepAlive: Bool) {
        var headers: [(String, String)] = [
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Aws-Request-Id", served.requestID),
            ("Lambda-Runtime-Deadline-Ms", String(served.deadlineMilliseconds)),
            ("Lambda-Runtime-Invoked-Function-Arn", mock.configuration.functionARN),
            ("Lambda-Runtime-Trace-Id", Self.traceID(for: served.requestID)),
        ]
        for (name, value) in served.event.headerOverrides {
            headers.removeAll { $0.0.caseInsensitiveCompare(name) == .orderedSame }
            if let value { headers.append((name, value)) }
        }
        let body = context.channel.allocator.buffer(bytes: served.event.body)
        write(.ok, headers: headers, body: body, context: context, keepAlive: keepAlive)
    }

    private func answer(_ requestID: String, with result: InvocationResult, context: ChannelHandlerContext, keepAlive: Bool) {
        switch mock.state.withLockedValue({ $0.answer(requestID, with: result) }) {
        case .accepted(let resolution):
            // The function's 202 first: its next poll need not wait for what the caller does with the answer.
            writeAccepted(context: context, keepAlive: keepAlive)
            resolution.perform()
        case .alreadyAnswered:
            writeError(.badRequest, type: "InvalidStateTransition",
                       message: "Invocation \(requestID) was already answered (or timed out)", context: context, keepAlive: keepAlive)
        case .unknown:
            writeError(.badRequest, type: "InvalidRequestID",
                       message: "Unknown request id \(requestID)", context: context, keepAlive: keepAlive)
        }
    }

    private func invokeEndpoint(_ payload: Data, context: ChannelHandlerContext, keepAlive: Bool) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let mock = self.mock
        let promise = context.eventLoop.makePromise(of: InvocationResult.self)
        mock.invoke(QueuedEvent(body: payload)) { promise.succeed($0) }
        promise.futureResult.whenSuccess { result in
            let (handler, context) = bound.value
            var headers = Self.jsonHeaders + [("X-Amz-Executed-Version", "$LATEST")]
            if !result.isSuccess { headers.append(("X-Amz-Function-Error", "Unhandled")) }
            let body = context.channel.allocator.buffer(bytes: result.payload)
            handler.write(.ok, headers: headers, body: body, context: context, keepAlive: keepAlive)
        }
    }

    // MARK: Writing

    private static let jsonHeaders: [(String, String)] = [("Content-Type", "application/json")]
    private static let acceptedBody = ByteBuffer(string: #"{"status":"OK"}"#)

    private static func errorJSON(type: String, message: String) -> ByteBuffer {
        let object = ["errorMessage": message, "errorType": type]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return ByteBuffer(bytes: data)
    }

    private func writeAccepted(context: ChannelHandlerContext, keepAlive: Bool) {
        write(.accepted, headers: Self.jsonHeaders, body: Self.acceptedBody, context: context, keepAlive: keepAlive)
    }

    private func writeError(_ status: HTTPResponseStatus, type: String, message: String, context: ChannelHandlerContext, keepAlive: Bool) {
        write(status, headers: Self.jsonHeaders, body: Self.errorJSON(type: type, message: message), context: context, keepAlive: keepAlive)
    }

    /// Writes a whole response, head and body, as one buffer (the body left out for a `HEAD` request); then
    /// handles what waited behind its request.
    private func write(
        _ status: HTTPResponseStatus, headers: [(String, String)], body: ByteBuffer, context: ChannelHandlerContext,
        keepAlive: Bool
    ) {
        var buffer = context.channel.allocator.buffer(capacity: 256 + body.readableBytes)
        ResponseHead.write(
            status: status, headers: headers, contentLength: body.readableBytes, keepAlive: keepAlive, into: &buffer)
        if !answeringHead { buffer.writeImmutableBuffer(body) }
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            answered(context: context)
        } else {
            context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }

    /// An X-Ray trace header for `requestID`: `Root=1-{epoch seconds, hex}-{24 hex digits};Sampled=0`.
    static func traceID(for requestID: String) -> String {
        let seconds = String(UInt64(Date().timeIntervalSince1970), radix: 16)
        // The id's first 24 hex digits (as bytes: a Unicode property lookup per character cost more than the
        // rest of the answer), padded with zeros.
        var digits = Array(requestID.utf8.lazy.filter { byte in
            byte &- UInt8(ascii: "0") < 10 || (byte | 0x20) &- UInt8(ascii: "a") < 6
        }.prefix(24))
        digits += repeatElement(UInt8(ascii: "0"), count: 24 - digits.count)
        return "Root=1-\(seconds)-\(String(decoding: digits, as: UTF8.self));Sampled=0"
    }
}
