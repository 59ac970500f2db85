import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// The frames of one open connection: reassembles fragmented messages, enforces the message quota, answers
/// pings, runs the closing handshake either way, closes idle and over-age connections, and reports the end of
/// the connection to the gateway (which sends `$disconnect`).
final class WebSocketConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let gateway: WebSocketGateway
    private let connectionID: String
    /// The message being reassembled from fragments, if any.
    private var message: ByteBuffer?
    private var messageIsBinary = false
    /// How the client closed the connection, once it sent its close frame.
    private var clientClosure: ConnectionClosure?
    /// Whether this side has sent its close frame.
    private var closeSent = false
    private var context: ChannelHandlerContext?
    private var lifetimeLimit: Scheduled<Void>?

    init(gateway: WebSocketGateway, connectionID: String) {
        self.gateway = gateway
        self.connectionID = connectionID
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let gateway = self.gateway
        let id = connectionID
        lifetimeLimit = context.eventLoop.scheduleTask(in: TimeAmount(gateway.configuration.maxConnectionDuration)) {
            gateway.close(id, .goingAway)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        lifetimeLimit?.cancel()
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        // RFC 6455 §5.1-5.2: a client masks every frame, and without a negotiated extension sets no RSV bit.
        guard frame.maskKey != nil else { return failProtocol("an unmasked client frame") }
        guard !frame.rsv1, !frame.rsv2, !frame.rsv3 else { return failProtocol("a reserved bit set without an extension") }
        switch frame.opcode {
        case .text, .binary:
            guard !closeSent else { return }
            guard message == nil else { return failProtocol("a new message started inside a fragmented one") }
            messageIsBinary = frame.opcode == .binary
            message = context.channel.allocator.buffer(capacity: frame.length)
            append(frame)
        case .continuation:
            guard !closeSent else { return }
            guard message != nil else { return failProtocol("a continuation frame outside a message") }
            append(frame)
        case .ping:
            guard !closeSent else { return }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            receivedClose(frame, context: context)
        case .pong:
            break
        default:
            failProtocol("a reserved opcode")
        }
    }

    private func append(_ frame: WebSocketFrame) {
        var data = frame.unmaskedData
        guard (message?.readableBytes ?? 0) + data.readableBytes <= gateway.configuration.maxMessageBytes else {
            message = nil
            startClosing(.messageTooBig)
            return
        }
        message?.writeBuffer(&data)
        if frame.fin, let complete = message {
            message = nil
            // RFC 6455 §8.1: a text message that is not UTF-8 fails the connection with 1007.
            guard messageIsBinary || Self.isUTF8(complete) else {
                startClosing(ConnectionClosure(statusCode: 1007))
                return
            }
            gateway.deliver(complete, isBinary: messageIsBinary, from: connectionID)
        }
    }

    static func isUTF8(_ buffer: ByteBuffer) -> Bool {
        buffer.readableBytesView.withContiguousStorageIfAvailable { String(validating: $0, as: UTF8.self) != nil }
            ?? (String(validating: Array(buffer.readableBytesView), as: UTF8.self) != nil)
    }

    /// Whether a close frame may carry `code` (RFC 6455 §7.4): the defined codes an endpoint sends (1000-1003,
    /// 1007-1014) and the ranges for libraries and applications (3000-4999). 1005, 1006 and 1015 only ever
    /// stand for a missing code, a dropped connection and a failed TLS handshake.
    static func isValidCloseCode(_ code: Int) -> Bool {
        (1000...1003).contains(code) || (1007...1014).contains(code) || (3000...4999).contains(code)
    }

    /// The client's close frame: answer it (unless this side closed first), then end the connection.
    private func receivedClose(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        var payload = frame.unmaskedData
        let code = payload.readInteger(as: UInt16.self).map(Int.init)
        // A close payload is empty, or a valid code followed by a UTF-8 reason (RFC 6455 §5.5.1, §7.4).
        if payload.readableBytes > 0, !Self.isUTF8(payload) {
            return failClosed(ConnectionClosure(statusCode: 1007))
        }
        if frame.unmaskedData.readableBytes == 1 || code.map(Self.isValidCloseCode) == false {
            return failClosed(ConnectionClosure(statusCode: 1002, reason: "an invalid close frame"))
        }
        let reason = payload.readString(length: payload.readableBytes) ?? ""
        clientClosure = ConnectionClosure(statusCode: code ?? 1005, reason: reason)
        let channel = context.channel
        if closeSent {
            channel.close(promise: nil)
            return
        }
        closeSent = true
        var echo = channel.allocator.buffer(capacity: 2)
        if let code { echo.writeInteger(UInt16(code)) }
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: echo)))
            .whenComplete { _ in channel.close(promise: nil) }
    }

    /// Sends this side's close frame; the connection ends when the client answers, or after two seconds (at
    /// once when `waitForAnswer` is false: after a decoding error no answer can be read).
    func startClosing(_ closure: ConnectionClosure, waitForAnswer: Bool = true) {
        guard let context, !closeSent else { return }
        closeSent = true
        message = nil
        // Recorded first: a failed write may close the channel at once.
        gateway.state.withLockedValue { _ = $0.closing(connectionID, closure) }
        var payload = context.channel.allocator.buffer(capacity: 2 + closure.reason.utf8.count)
        payload.writeInteger(UInt16(closure.statusCode))
        payload.writeString(closure.reason)
        let channel = context.channel
        let written = context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)))
        if waitForAnswer {
            channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        } else {
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private func failProtocol(_ reason: String) {
        startClosing(ConnectionClosure(statusCode: 1002, reason: reason))
    }

    /// The client's close frame is invalid: this side answers with `closure` (unless it closed first) and ends
    /// the connection once that is written; the client already said it is done.
    private func failClosed(_ closure: ConnectionClosure) {
        guard !closeSent else {
            context?.channel.close(promise: nil)
            return
        }
        startClosing(closure, waitForAnswer: false)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            startClosing(.goingAway)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The socket failed (a reset, a broken pipe): the client is gone without a close frame, which
        // `$disconnect` reports as 1006, as for any abnormal closure; nothing can be sent any more.
        if error is IOError {
            context.close(promise: nil)
            return
        }
        // Frame decoding errors end the connection: 1009 for a frame over the size limit, 1002 for the rest of
        // RFC 6455's violations. (The gateway answers them itself rather than through NIO's automatic error
        // handling, so that the close is recorded before the channel goes inactive.)
        let closure: ConnectionClosure
        if let error = error as? NIOWebSocketError {
            if case .invalidFrameLength = error { closure = .messageTooBig } else { closure = ConnectionClosure(statusCode: 1002) }
        } else {
            closure = ConnectionClosure(statusCode: 1011)
        }
        startClosing(closure, waitForAnswer: false)
    }

    func channelInactive(context: ChannelHandlerContext) {
        lifetimeLimit?.cancel()
        gateway.closed(connectionID, client: clientClosure ?? .abnormal)
        context.fireChannelInactive()
    }
}
