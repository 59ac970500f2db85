import NIOHTTP1

/// What a request to the Runtime API mock asks for, from its method and path.
enum RuntimeAPIRoute: Equatable {
    /// `GET /2018-06-01/runtime/invocation/next`
    case next
    /// `POST /2018-06-01/runtime/invocation/{id}/response`
    case response(requestID: String)
    /// `POST /2018-06-01/runtime/invocation/{id}/error`
    case error(requestID: String)
    /// `POST /2018-06-01/runtime/init/error`
    case initError
    /// `POST /2015-03-31/functions/{name}/invocations`, the Runtime Interface Emulator's invoke endpoint.
    case invoke
    /// A known path with the wrong method; `allow` is the one it takes.
    case methodNotAllowed(allow: HTTPMethod)
    /// Any other path.
    case notFound(path: String)

    init(method: HTTPMethod, uri: String) {
        // Split as UTF-8 bytes (every delimiter is ASCII): two requests an invocation come through here, and
        // splitting `Character`s would break graphemes over every path.
        let bytes = uri.utf8
        let pathEnd = bytes.firstIndex { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? bytes.endIndex
        let path = Substring(bytes[..<pathEnd])
        let segments = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).map(Substring.init)
        let expected: HTTPMethod
        let route: RuntimeAPIRoute
        switch segments.count {
        case 4 where segments[0] == "2018-06-01" && segments[1] == "runtime" && segments[2] == "invocation"
            && segments[3] == "next":
            (expected, route) = (.GET, .next)
        case 4 where segments[0] == "2018-06-01" && segments[1] == "runtime" && segments[2] == "init"
            && segments[3] == "error":
            (expected, route) = (.POST, .initError)
        case 5 where segments[0] == "2018-06-01" && segments[1] == "runtime" && segments[2] == "invocation"
            && (segments[4] == "response" || segments[4] == "error"):
            let requestID = Self.percentDecoded(segments[3])
            (expected, route) = (.POST, segments[4] == "response" ? .response(requestID: requestID) : .error(requestID: requestID))
        case 4 where segments[0] == "2015-03-31" && segments[1] == "functions" && segments[3] == "invocations":
            (expected, route) = (.POST, .invoke)
        default:
            self = .notFound(path: String(path))
            return
        }
        self = method == expected ? route : .methodNotAllowed(allow: expected)
    }

    /// `%XX` sequences decoded; a malformed sequence is kept as written.
    static func percentDecoded(_ text: Substring) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let high = hexValue(iterator[iterator.startIndex]),
                let low = hexValue(iterator[iterator.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
