#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

extension WebSocketResponse {
    /// The response as the JSON API Gateway reads: `{"statusCode":200,"body":"…","headers":{…}}`, members in
    /// declaration order, absent ones left out, header names sorted, slashes not escaped.
    ///
    /// Decoding it with `JSONDecoder` gives this response back. Written directly into one buffer whose length
    /// is computed first: no encoder, no intermediate values.
    package func encodedJSON() -> Data {
        let sortedHeaders = headers.map { $0.sorted { $0.key < $1.key } }
        var writer = JSONTextWriter(measuring: ())
        write(to: &writer, sortedHeaders: sortedHeaders)
        let count = writer.count
        if count <= 512 {  // most responses: write on the stack, then one copy into the Data
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { buffer in
                var writer = JSONTextWriter(into: buffer)
                write(to: &writer, sortedHeaders: sortedHeaders)
                return Data(buffer: UnsafeBufferPointer(buffer))
            }
        }
        var data = Data(count: count)
        data.withUnsafeMutableBytes { raw in
            var writer = JSONTextWriter(into: raw.bindMemory(to: UInt8.self))
            write(to: &writer, sortedHeaders: sortedHeaders)
        }
        return data
    }

    private func write(to writer: inout JSONTextWriter, sortedHeaders: [(key: String, value: String)]?) {
        writer.append(#"{"statusCode":"#)
        writer.append(integer: statusCode)
        if let body {
            writer.append(#","body":"#)
            writer.append(string: body)
        }
        if let sortedHeaders {
            writer.append(#","headers":{"#)
            for (index, header) in sortedHeaders.enumerated() {
                if index > 0 { writer.append(",") }
                writer.append(string: header.key)
                writer.append(":")
                writer.append(string: header.value)
            }
            writer.append("}")
        }
        if let isBase64Encoded {
            writer.append(isBase64Encoded ? #","isBase64Encoded":true"# : #","isBase64Encoded":false"#)
        }
        writer.append("}")
    }
}

/// Writes JSON text into a buffer, or only counts its bytes (`output` nil) so the buffer can be sized exactly.
struct JSONTextWriter {
    private let output: UnsafeMutableBufferPointer<UInt8>?
    /// Bytes written (or counted) so far.
    private(set) var count = 0

    init(measuring: Void) {
        output = nil
    }

    init(into output: UnsafeMutableBufferPointer<UInt8>) {
        self.output = output
    }

    mutating func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func append(integer value: Int) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for 24 bytes; Int.min needs 20
        withUnsafeMutableBytes(of: &digits) { raw in
            var position = raw.count
            var magnitude = value.magnitude
            repeat {
                position -= 1
                raw[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                position -= 1
                raw[position] = UInt8(ascii: "-")
            }
            append(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[position...]))
        }
    }

    /// Text that already is JSON (a number's digits), as it is.
    mutating func append(json text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// A JSON string: quotes, `"` and `\` escaped, control characters as `\n`, `\t`… or `\u00XX`.
    mutating func append(string: String) {
        var string = string
        string.withUTF8 { bytes in
            append(byte: UInt8(ascii: "\""))
            var runStart = 0
            for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                append(UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                appendEscape(byte)
                runStart = index + 1
            }
            append(UnsafeBufferPointer(rebasing: bytes[runStart...]))
            append(byte: UInt8(ascii: "\""))
        }
    }

    private mutating func appendEscape(_ byte: UInt8) {
        switch byte {
        case 0x22: append(#"\""#)
        case 0x5C: append(#"\\"#)
        case 0x08: append(#"\b"#)
        case 0x0C: append(#"\f"#)
        case 0x0A: append(#"\n"#)
        case 0x0D: append(#"\r"#)
        case 0x09: append(#"\t"#)
        default:
            let hex: StaticString = "0123456789abcdef"
            append(#"\u00"#)
            append(byte: hex.utf8Start[Int(byte >> 4)])
            append(byte: hex.utf8Start[Int(byte & 0x0F)])
        }
    }

    private mutating func append(byte: UInt8) {
        output?[count] = byte
        count += 1
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        if let output, let source = bytes.baseAddress, !bytes.isEmpty {
            (output.baseAddress! + count).update(from: source, count: bytes.count)
        }
        count += bytes.count
    }
}
