import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Plain HTTP on the gateway port: answers to refused handshakes, and the `@connections` management API.
final class GatewayHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let gateway: WebSocketGateway
    private var head: HTTPRequestHead?
    /// Up to the message limit: past it, the answer is 413.
    private var body: BoundedRequestBody

    init(gateway: WebSocketGateway) {
        self.gateway = gateway
        self.body = BoundedRequestBody(limit: gateway.configuration.maxMessageBytes)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.start(declaredLength: head.declaredContentLength, allocator: context.channel.allocator)
        case .body(var chunk):
            body.append(&chunk)
        case .end:
            guard let head else { return }
            self.head = nil
            let (payload, tooLarge) = body.finish()
            if tooLarge {
                var headers: HTTPHeaders = ["Content-Type": "application/json"]
                headers.add(name: "x-amzn-ErrorType", value: "PayloadTooLargeException")
                return respond(context, status: 413, body: #"{"message":"Request Entity Too Large"}"#, headers: headers,
                               close: !head.isKeepAlive)
            }
            handle(head, payload, context: context)
        }
    }

    private func handle(_ head: HTTPRequestHead, _ payload: Data, context: ChannelHandlerContext) {
        if let rejection = gateway.state.withLockedValue({ $0.takeRejection(for: context.channel) }) {
            var headers = HTTPHeaders(rejection.headers.map { ($0.key, $0.value) })
            if !headers.contains(name: "Content-Type") { headers.add(name: "Content-Type", value: "application/json") }
            return respond(context, status: rejection.status, body: rejection.body, headers: headers, close: true)
        }
        let parts = head.uri.utf8.split(separator: UInt8(ascii: "?"), maxSplits: 1, omittingEmptySubsequences: false)
            .map(Substring.init)
        let path = String(parts[0])
        if let connectionID = gateway.managedConnectionID(path: path) {
            let request = ManagementRequest(
                method: head.method.rawValue, path: path, query: parts.count > 1 ? String(parts[1]) : "",
                headers: head.headers.map { ($0.name, $0.value) }, body: payload)
            let response = gateway.handleManagement(request, connectionID: connectionID)
            var headers = HTTPHeaders()
            if response.body != nil { headers.add(name: "Content-Type", value: "application/json") }
            if let errorType = response.errorType { headers.add(name: "x-amzn-ErrorType", value: errorType) }
            return respond(context, status: response.status, body: response.body, headers: headers, close: !head.isKeepAlive)
        }
        let stagePath = "/" + gateway.configuration.stage
        if path == stagePath || path == stagePath + "/" {
            return respond(
                context, status: 426, body: #"{"message":"Upgrade Required: connect with a WebSocket client"}"#,
                headers: ["Content-Type": "application/json", "Upgrade": "websocket"], close: !head.isKeepAlive)
        }
        respond(context, status: 404, body: #"{"message":"Not Found"}"#, headers: ["Content-Type": "application/json"],
                close: !head.isKeepAlive)
    }

    private func respond(_ context: ChannelHandlerContext, status: Int, body: String?, headers: HTTPHeaders, close: Bool) {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Length", value: String(body?.utf8.count ?? 0))
        headers.add(name: "x-amzn-RequestId", value: GatewayRandom.uuidString())
        if close { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body, !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if close {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
