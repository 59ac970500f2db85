import NIOCore
import NIOHTTP1

/// The head of an HTTP/1.1 response, written straight into the buffer that carries its body.
enum ResponseHead {
    /// Writes the status line, `headers`, `Content-Length` and (unless `keepAlive`) `Connection: close`,
    /// and the empty line that ends the head.
    ///
    /// A CR or LF in a name or value (which would split the response) is written as a space.
    static func write(
        status: HTTPResponseStatus, headers: [(String, String)], contentLength: Int, keepAlive: Bool,
        into buffer: inout ByteBuffer
    ) {
        buffer.writeStaticString("HTTP/1.1 ")
        buffer.writeString(String(status.code))
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\n")
        for (name, value) in headers {
            writeField(name, into: &buffer)
            buffer.writeStaticString(": ")
            writeField(value, into: &buffer)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("Content-Length: ")
        buffer.writeString(String(contentLength))
        buffer.writeStaticString(keepAlive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n")
    }

    private static func writeField(_ text: String, into buffer: inout ByteBuffer) {
        if text.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) {
            buffer.writeBytes(text.utf8.map { $0 == 0x0D || $0 == 0x0A ? UInt8(ascii: " ") : $0 })
        } else {
            buffer.writeString(text)
        }
    }
}
