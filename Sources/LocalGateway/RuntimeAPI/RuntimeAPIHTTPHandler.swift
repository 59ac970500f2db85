import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Serves one HTTP connection of the Runtime API mock: routes each request to the mock's state.
final class RuntimeAPIHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let mock: RuntimeAPIMock
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var pollPending = false

    init(mock: RuntimeAPIMock) {
        self.mock = mock
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body = nil
        case .body(var chunk):
            if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            let payload = body.map { Data($0.readableBytesView) } ?? Data()
            self.head = nil
            self.body = nil
            route(head, payload, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A poller that hung up must not be handed an event it can never receive; an event it was handling
        // fails as Lambda reports a runtime that exited mid-invocation.
        let (gone, abandoned) = mock.state.withLockedValue { $0.connectionClosed(ObjectIdentifier(self)) }
        for poller in gone { poller.promise.fail(ChannelError.ioOnClosedChannel) }
        for pending in abandoned {
            let report = ["errorMessage": "RequestId: \(pending.requestID) Error: Runtime exited without providing a reason",
                          "errorType": "Runtime.ExitError"]
            let body = (try? JSONEncoder().encode(report)) ?? Data()
            pending.continuation.resume(returning: .error(type: "Runtime.ExitError", body: body))
        }
        context.fireChannelInactive()
    }

    private func route(_ head: HTTPRequestHead, _ payload: Data, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let keepAlive = head.isKeepAlive
        switch (head.method, segments.count > 0 ? segments[0] : "", Array(segments.dropFirst())) {
        case (.GET, "2018-06-01", ["runtime", "invocation", "next"]):
            next(context: context, keepAlive: keepAlive)
        case (.POST, "2018-06-01", let rest) where rest.count == 4 && rest[0] == "runtime" && rest[1] == "invocation":
            let requestID = rest[2].removingPercentEncoding ?? rest[2]
            switch rest[3] {
            case "response": respond(requestID: requestID, payload: payload, context: context, keepAlive: keepAlive)
            case "error":
                let type = head.headers.first(name: "Lambda-Runtime-Function-Error-Type") ?? "Unhandled"
                fail(requestID: requestID, type: type, payload: payload, context: context, keepAlive: keepAlive)
            default: notFound(path, context: context, keepAlive: keepAlive)
            }
        case (.POST, "2018-06-01", ["runtime", "init", "error"]):
            let type = head.headers.first(name: "Lambda-Runtime-Function-Error-Type") ?? "Unhandled"
            let failed = mock.state.withLockedValue { $0.recordInitError(type: type, body: payload) }
            for continuation in failed { continuation.resume(returning: .initFailed(type: type, body: payload)) }
            writeJSON(.accepted, #"{"status":"OK"}"#, context: context, keepAlive: keepAlive)
        case (.POST, "2015-03-31", let rest) where rest.count == 3 && rest[0] == "functions" && rest[2] == "invocations":
            invokeEndpoint(payload, context: context, keepAlive: keepAlive)
        default:
            notFound(path, context: context, keepAlive: keepAlive)
        }
    }

    private func next(context: ChannelHandlerContext, keepAlive: Bool) {
        if let status = mock.state.withLockedValue({ $0.injectedNextFailures.isEmpty ? nil : $0.injectedNextFailures.removeFirst() }) {
            writeJSON(HTTPResponseStatus(statusCode: status), #"{"errorMessage":"injected failure","errorType":"Runtime.Injected"}"#,
                      context: context, keepAlive: keepAlive)
            return
        }
        let promise = context.eventLoop.makePromise(of: RuntimeAPIMockState.PollAnswer.self)
        let poller = RuntimeAPIMockState.Poller(
            id: ObjectIdentifier(self), promise: promise, address: context.channel.remoteAddress)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        promise.futureResult.whenComplete { answer in
            let (handler, context) = bound.value
            switch answer {
            case .success(.event(let served)):
                handler.serve(served, context: context, keepAlive: keepAlive)
            case .success(.failure(let status)):
                handler.writeJSON(HTTPResponseStatus(statusCode: status),
                                  #"{"errorMessage":"injected failure","errorType":"Runtime.Injected"}"#,
                                  context: context, keepAlive: keepAlive)
            case .failure:
                context.close(promise: nil)
            }
        }
        if let served = mock.state.withLockedValue({ $0.poll(poller) }) {
            promise.succeed(.event(served))
        }
    }

    private func serve(_ served: RuntimeAPIMockState.Served, context: ChannelHandlerContext, keepAlive: Bool) {
        var headers = HTTPHeaders()
        var values: [(String, String?)] = [
            ("Lambda-Runtime-Aws-Request-Id", served.requestID),
            ("Lambda-Runtime-Deadline-Ms", String(served.deadlineMilliseconds)),
            ("Lambda-Runtime-Invoked-Function-Arn", mock.configuration.functionARN),
            ("Lambda-Runtime-Trace-Id", "Root=1-\(String(served.deadlineMilliseconds / 1000, radix: 16))-\(served.requestID.replacingOccurrences(of: "-", with: "").prefix(24));Sampled=0"),
        ]
        for (name, value) in served.event.headerOverrides {
            values.removeAll { $0.0.lowercased() == name.lowercased() }
            values.append((name, value))
        }
        for case let (name, value?) in values { headers.add(name: name, value: value) }
        headers.add(name: "Content-Type", value: "application/json")
        write(.ok, headers: headers, body: served.event.body, context: context, keepAlive: keepAlive)
    }

    private func respond(requestID: String, payload: Data, context: ChannelHandlerContext, keepAlive: Bool) {
        guard payload.count <= RuntimeAPIMock.maxResponseBytes else {
            writeJSON(.payloadTooLarge,
                      #"{"errorMessage":"Exceeded maximum allowed payload size (\#(RuntimeAPIMock.maxResponseBytes) bytes).","errorType":"RequestEntityTooLarge"}"#,
                      context: context, keepAlive: keepAlive)
            return
        }
        answer(requestID, with: .response(payload), context: context, keepAlive: keepAlive)
    }

    private func fail(requestID: String, type: String, payload: Data, context: ChannelHandlerContext, keepAlive: Bool) {
        answer(requestID, with: .error(type: type, body: payload), context: context, keepAlive: keepAlive)
    }

    private func answer(_ requestID: String, with result: InvocationResult, context: ChannelHandlerContext, keepAlive: Bool) {
        switch mock.state.withLockedValue({ $0.answer(requestID) }) {
        case .accepted(let continuation):
            continuation.resume(returning: result)
            writeJSON(.accepted, #"{"status":"OK"}"#, context: context, keepAlive: keepAlive)
        case .alreadyAnswered:
            writeJSON(.badRequest, #"{"errorMessage":"Invocation \#(requestID) was already answered","errorType":"InvalidStateTransition"}"#,
                      context: context, keepAlive: keepAlive)
        case .unknown:
            writeJSON(.badRequest, #"{"errorMessage":"Unknown request id","errorType":"InvalidRequestID"}"#,
                      context: context, keepAlive: keepAlive)
        }
    }

    private func invokeEndpoint(_ payload: Data, context: ChannelHandlerContext, keepAlive: Bool) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let mock = self.mock
        let promise = context.eventLoop.makePromise(of: InvocationResult.self)
        promise.completeWithTask { await mock.invoke(payload) }
        promise.futureResult.whenSuccess { result in
            let (handler, context) = bound.value
            var headers = HTTPHeaders([("Content-Type", "application/json")])
            switch result {
            case .response: break
            case .error, .initFailed, .timedOut: headers.add(name: "X-Amz-Function-Error", value: "Unhandled")
            }
            handler.write(.ok, headers: headers, body: result.payload, context: context, keepAlive: keepAlive)
        }
    }

    private func notFound(_ path: String, context: ChannelHandlerContext, keepAlive: Bool) {
        let message = try? JSONEncoder().encode(["errorMessage": "No route for \(path)", "errorType": "NotFound"])
        write(.notFound, headers: HTTPHeaders([("Content-Type", "application/json")]), body: message ?? Data(),
              context: context, keepAlive: keepAlive)
    }

    private func writeJSON(_ status: HTTPResponseStatus, _ json: String, context: ChannelHandlerContext, keepAlive: Bool) {
        write(status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: Data(json.utf8),
              context: context, keepAlive: keepAlive)
    }

    private func write(_ status: HTTPResponseStatus, headers: HTTPHeaders, body: Data, context: ChannelHandlerContext, keepAlive: Bool) {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }
}
