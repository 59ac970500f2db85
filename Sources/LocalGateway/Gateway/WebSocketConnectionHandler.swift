import Foundation
import NIOCore
import NIOWebSocket

/// The frames of one upgraded connection: reassembles messages, enforces the message quota, answers pings,
/// turns each message into a MESSAGE event and closes into `$disconnect`.
final class WebSocketConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let gateway: WebSocketGateway
    private let connectionID: String
    private var message: ByteBuffer?
    private var messageIsBinary = false
    private var clientCloseCode: Int?
    private var clientCloseReason: String?

    init(gateway: WebSocketGateway, connectionID: String) {
        self.gateway = gateway
        self.connectionID = connectionID
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            guard message == nil else { return protocolError(context, "a new message started inside a fragmented one") }
            messageIsBinary = frame.opcode == .binary
            message = context.channel.allocator.buffer(capacity: frame.length)
            append(&frame, context: context)
        case .continuation:
            guard message != nil else { return protocolError(context, "continuation frame without a message") }
            append(&frame, context: context)
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            var payload = frame.unmaskedData
            clientCloseCode = payload.readInteger(as: UInt16.self).map(Int.init) ?? 1005
            clientCloseReason = payload.readString(length: payload.readableBytes) ?? ""
            // Echo the close (RFC 6455 §5.5.1), then end the connection.
            var echo = context.channel.allocator.buffer(capacity: 2)
            echo.writeInteger(UInt16(clientCloseCode == 1005 ? 1000 : clientCloseCode!))
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: echo)))
                .whenComplete { _ in channel.close(promise: nil) }
        default:
            break
        }
    }

    private func append(_ frame: inout WebSocketFrame, context: ChannelHandlerContext) {
        var data = frame.unmaskedData
        guard (message?.readableBytes ?? 0) + data.readableBytes <= gateway.configuration.maxMessageBytes else {
            message = nil
            gateway.close(connectionID, code: 1009, reason: "Message too big")
            return
        }
        message?.writeBuffer(&data)
        if frame.fin, let complete = message {
            message = nil
            deliver(Data(complete.readableBytesView), isBinary: messageIsBinary, context: context)
        }
    }

    private func deliver(_ body: Data, isBinary: Bool, context: ChannelHandlerContext) {
        gateway.touch(connectionID)
        guard let connection = gateway.connection(connectionID) else { return }
        // Binary frames are not JSON: they always take the $default route.
        let routeKey = isBinary ? "$default" : gateway.routeSelection.routeKey(forBody: body)
        let requestID = GatewayClock.newID()
        let event = gateway.factory.message(connection, body: body, isBinary: isBinary, routeKey: routeKey, requestID: requestID)
        let gateway = self.gateway
        let connectionID = self.connectionID
        Task {
            let result = await gateway.runtime.invoke(QueuedEvent(body: event))
            switch result {
            case .response(let data):
                let response = IntegrationResponse(data)
                if let body = response.body { gateway.send(Data(body.utf8), to: connectionID) }
            case .error, .initFailed, .timedOut:
                gateway.log("route \(routeKey) failed for \(connectionID): \(result)")
                let frame: [String: String] = ["message": "Internal server error", "connectionId": connectionID, "requestId": requestID]
                if let data = try? JSONSerialization.data(withJSONObject: frame, options: [.sortedKeys]) {
                    gateway.send(data, to: connectionID)
                }
            }
        }
    }

    private func protocolError(_ context: ChannelHandlerContext, _ reason: String) {
        message = nil
        gateway.close(connectionID, code: 1002, reason: reason)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            gateway.close(connectionID, code: 1001, reason: "Going away")
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Frame-size and protocol errors: NIO's protocol error handler already sent the close (1009/1002).
        if let error = error as? NIOWebSocketError, case .invalidFrameLength = error { clientCloseCode = 1009 }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        gateway.closed(connectionID, clientCode: clientCloseCode, clientReason: clientCloseReason)
        context.fireChannelInactive()
    }
}
