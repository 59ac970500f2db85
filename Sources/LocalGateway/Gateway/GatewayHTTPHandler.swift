import Foundation
import NIOCore
import NIOHTTP1

/// Plain HTTP on the gateway port: refused handshakes, and the `@connections` management API
/// (`POST`, `GET`, `DELETE /{stage}/@connections/{connectionId}`).
final class GatewayHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let gateway: WebSocketGateway
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(gateway: WebSocketGateway) {
        self.gateway = gateway
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            self.head = nil
            handle(head, Data(body.readableBytesView), context: context)
        }
    }

    private func handle(_ head: HTTPRequestHead, _ payload: Data, context: ChannelHandlerContext) {
        if let status = gateway.takeRejection(for: context.channel) {
            let message = status == 500 ? "Internal server error" : (HTTPResponseStatus(statusCode: status).reasonPhrase)
            return respond(context, status: status, json: ["message": message], close: true)
        }
        let parts = head.uri.split(separator: "?", maxSplits: 1)
        let path = parts.first.map(String.init) ?? "/"
        let query = parts.count > 1 ? String(parts[1]) : ""
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // ["", stage, "@connections", id]
        guard segments.count == 4, segments[1] == gateway.configuration.stage, segments[2] == "@connections" else {
            if segments.count == 2 && segments[1] == gateway.configuration.stage {
                return respond(context, status: 426, json: ["message": "Upgrade Required: connect with a WebSocket client"])
            }
            return respond(context, status: 404, json: ["message": "Not Found"])
        }
        let connectionID = segments[3].removingPercentEncoding ?? segments[3]
        let request = ManagementRequest(
            method: head.method.rawValue, path: path, query: query,
            headers: head.headers.map { ($0.name, $0.value) }, body: payload)
        if let authorizer = gateway.authorizer, !authorizer(request) {
            return respond(context, status: 403, json: ["message": "The request signature we calculated does not match the signature you provided."],
                           errorType: "ForbiddenException")
        }
        guard let connection = gateway.connection(connectionID) else {
            return respond(context, status: 410, json: ["message": "Gone"], errorType: "GoneException")
        }
        switch head.method {
        case .POST:
            guard payload.count <= gateway.configuration.maxMessageBytes else {
                return respond(context, status: 413, json: ["message": "Request Entity Too Large"], errorType: "PayloadTooLargeException")
            }
            gateway.send(payload, to: connectionID)
            respond(context, status: 200, json: nil)
        case .GET:
            var identity: [String: String] = ["sourceIp": connection.sourceIP]
            if let userAgent = connection.userAgent { identity["userAgent"] = userAgent }
            respond(context, status: 200, json: [
                "connectedAt": GatewayClock.iso8601(connection.connectedAtMilliseconds),
                "identity": identity,
                "lastActiveAt": GatewayClock.iso8601(connection.lastActiveMilliseconds),
            ])
        case .DELETE:
            gateway.close(connectionID, code: 1000, reason: "")
            respond(context, status: 204, json: nil)
        default:
            respond(context, status: 405, json: ["message": "Method Not Allowed"])
        }
    }

    private func respond(
        _ context: ChannelHandlerContext, status: Int, json: [String: Any]?, errorType: String? = nil, close: Bool = false
    ) {
        let body = json.flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) } ?? Data()
        var headers = HTTPHeaders([("Content-Length", String(body.count))])
        if json != nil { headers.add(name: "Content-Type", value: "application/json") }
        if let errorType { headers.add(name: "x-amzn-ErrorType", value: errorType) }
        if close { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers))), promise: nil)
        if !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if close {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
