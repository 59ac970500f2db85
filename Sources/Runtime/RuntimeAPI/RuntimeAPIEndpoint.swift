/// Where the Lambda Runtime API lives, from `AWS_LAMBDA_RUNTIME_API`.
///
/// Lambda sets the variable to `host:port`; some local emulators pass a URL with a scheme and a path
/// prefix (`http://127.0.0.1:9000/.rt`). Both forms are accepted.
public struct RuntimeAPIEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The API version this runtime speaks.
    public static let apiVersion = "2018-06-01"

    /// `http://host:port[/prefix]/2018-06-01`, with no trailing slash.
    public let baseURL: String
    /// `GET` here blocks until the next event.
    public let nextInvocationURL: String
    /// `{base}/runtime/invocation/`, which every response and error URL starts with.
    private let invocationPrefix: String

    /// Parses a value of `AWS_LAMBDA_RUNTIME_API`; `nil` when it is empty or not a usable address.
    public init?(_ value: String) {
        // Parsed as bytes: searching, trimming and lowercasing by Character would bring the standard library's
        // Unicode and substring-search code into every cold start for an ASCII address.
        let bytes = Array(value.trimmingASCIIWhitespace().utf8)
        var start = 0
        var scheme = "http"
        if let separator = Self.schemeSeparator(in: bytes) {
            switch bytes[..<separator].map({ $0 | 0x20 }) {  // ASCII lower case (letters only matter here)
            case Array("http".utf8): scheme = "http"
            case Array("https".utf8): scheme = "https"
            default: return nil
            }
            start = separator + 3
        }
        var end = bytes.count
        while end > start, bytes[end - 1] == UInt8(ascii: "/") { end -= 1 }
        var authorityEnd = start
        while authorityEnd < end, bytes[authorityEnd] != UInt8(ascii: "/") { authorityEnd += 1 }
        let authority = bytes[start..<authorityEnd]
        guard !authority.isEmpty,
              !authority.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") })
        else { return nil }
        if let colon = authority.lastIndex(of: UInt8(ascii: ":")), authority.last != UInt8(ascii: "]") {
            let port = String(decoding: authority[(colon + 1)...], as: UTF8.self)
            guard let number = Int(port), (1...65_535).contains(number) else { return nil }
        }
        let host = String(decoding: authority, as: UTF8.self)
        let path = String(decoding: bytes[authorityEnd..<end], as: UTF8.self)
        baseURL = "\(scheme)://\(host)\(path)/\(Self.apiVersion)"
        invocationPrefix = baseURL + "/runtime/invocation/"
        nextInvocationURL = invocationPrefix + "next"
    }

    /// Where the first `://` starts in `bytes`, if anywhere.
    private static func schemeSeparator(in bytes: [UInt8]) -> Int? {
        var index = 0
        while index + 2 < bytes.count {
            if bytes[index] == UInt8(ascii: ":"), bytes[index + 1] == UInt8(ascii: "/"), bytes[index + 2] == UInt8(ascii: "/") {
                return index
            }
            index += 1
        }
        return nil
    }

    public var description: String { baseURL }

    /// `POST` the function's response for `requestID` here.
    public func responseURL(for requestID: String) -> String {
        invocationURL(requestID, "/response")
    }
    /// `POST` an invocation error for `requestID` here.
    public func errorURL(for requestID: String) -> String {
        invocationURL(requestID, "/error")
    }
    /// `POST` an initialisation error here.
    public var initErrorURL: String { baseURL + "/runtime/init/error" }

    /// `{base}/runtime/invocation/{id}{call}`, written into one allocation (it is built on every invocation),
    /// with the request id percent-encoded as a path segment.
    private func invocationURL(_ requestID: String, _ call: String) -> String {
        String(joining: invocationPrefix, requestID.percentEncodedPathSegment(), call)
    }
}

extension String {
    /// The three strings joined, written into one allocation (URLs and paths built on every invocation).
    init(joining first: String, _ second: String, _ third: String) {
        var first = first
        var second = second
        var third = third
        self = first.withUTF8 { first in
            second.withUTF8 { second in
                third.withUTF8 { third in
                    String(unsafeUninitializedCapacity: first.count + second.count + third.count) { url in
                        url.copy(third, at: url.copy(second, at: url.copy(first, at: 0)))
                    }
                }
            }
        }
    }
}

extension UnsafeMutableBufferPointer<UInt8> {
    /// Copies `bytes` to `position` (which must leave room for them); returns the position after them.
    fileprivate func copy(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> Int {
        if let source = bytes.baseAddress, let base = baseAddress {
            (base + position).initialize(from: source, count: bytes.count)
        }
        return position + bytes.count
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs, CRs and LFs (compared as bytes: header values are
    /// read on every invocation).
    func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let bytes = utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isSpace(bytes[start]) { bytes.formIndex(after: &start) }
        while end > start, isSpace(bytes[bytes.index(before: end)]) { bytes.formIndex(before: &end) }
        return self[start..<end]
    }

    /// RFC 3986 unreserved characters kept, every other byte percent-encoded (and the dots of a `.` or `..`
    /// segment).
    package func percentEncodedPathSegment() -> String {
        // A segment of dots alone would be a dot segment, which URL normalisation removes.
        if utf8.count <= 2, self == "." || self == ".." { return String(repeating: "%2E", count: utf8.count) }
        let needsEncoding =
            utf8.withContiguousStorageIfAvailable { bytes in bytes.contains { !$0.isUnreservedURIByte } }
            ?? utf8.contains { !$0.isUnreservedURIByte }
        guard needsEncoding else { return self }
        var result = ""
        result.reserveCapacity(utf8.count * 3)
        for byte in utf8 {
            if byte.isUnreservedURIByte {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(Unicode.Scalar(UInt8.hexDigits[Int(byte >> 4)]))
                result.unicodeScalars.append(Unicode.Scalar(UInt8.hexDigits[Int(byte & 0x0F)]))
            }
        }
        return result
    }
}

extension UInt8 {
    /// The upper-case hexadecimal digits, as percent-encoding writes them.
    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// `A-Z a-z 0-9 - . _ ~`
    package var isUnreservedURIByte: Bool {
        switch self {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
