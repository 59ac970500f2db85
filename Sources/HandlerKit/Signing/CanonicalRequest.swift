/// The SigV4 canonical request (non-S3 rules) and its pieces.
package struct CanonicalRequest: Sendable {
    /// The full canonical request, as UTF-8 bytes (what is hashed).
    package let bytes: [UInt8]
    /// `host;x-amz-date;…`: the lower-cased, sorted names of the signed headers.
    package let signedHeaders: String

    /// The full canonical request text.
    package var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Headers never signed (hop-by-hop or rewritten by proxies), as botocore and the AWS SDKs skip them.
    package static let unsignedHeaders: Set<String> = [
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    /// Builds the canonical request for `method`, `url`, the headers to sign and the payload hash.
    ///
    /// The text is written byte by byte into one buffer: both sides of every `@connections` call sign one,
    /// and string concatenation cost more than the hashing.
    /// - Parameter signingEveryHeader: sign every header given, ``unsignedHeaders`` too: a verifier passes the
    ///   headers a client listed as signed, and clients differ in the ones they skip.
    package init(
        method: String, url: RequestURL, headers: [(name: String, value: String)], payloadHash: String,
        signingEveryHeader: Bool = false
    ) {
        // Lower-cased names with their trimmed values, sorted by name; fields of one name keep their order.
        var fields: [(name: String, value: String, position: Int)] = []
        fields.reserveCapacity(headers.count + 1)
        var hasHost = false
        for field in headers {
            let name = HeaderName.lowercased(field.name)
            guard signingEveryHeader || !Self.unsignedHeaders.contains(name) else { continue }
            if name == "host" { hasHost = true }
            fields.append((name, Self.trimmedValue(field.value), fields.count))
        }
        if !hasHost { fields.append(("host", url.hostHeader, fields.count)) }
        fields.sort { left, right in
            left.name == right.name ? left.position < right.position : left.name.utf8.lexicographicallyPrecedes(right.name.utf8)
        }
        var text: [UInt8] = []
        text.reserveCapacity(256 + url.path.utf8.count + url.query.utf8.count + headers.count * 48)
        if method.utf8.allSatisfy({ $0 < 0x80 }) {
            // HTTP methods are ASCII tokens: upper-cased in place, as `uppercased()` would.
            text.append(contentsOf: method.utf8)
            for index in text.indices where text[index] &- UInt8(ascii: "a") < 26 { text[index] -= 0x20 }
        } else {
            text.append(contentsOf: method.uppercased().utf8)
        }
        text.append(0x0A)
        text.append(contentsOf: Self.canonicalURI(url.path).utf8)
        text.append(0x0A)
        text.append(contentsOf: Self.canonicalQuery(url.query).utf8)
        text.append(0x0A)
        // One line per name (a repeated name's values comma-separated on it), each ending in a newline; then
        // the names again, `;`-separated.
        var signedHeaders: [UInt8] = []
        signedHeaders.reserveCapacity(fields.count * 16)
        for (index, field) in fields.enumerated() {
            if index > 0, fields[index - 1].name == field.name {
                text.removeLast()  // the newline of the name's first line
                text.append(UInt8(ascii: ","))
            } else {
                if index > 0 { signedHeaders.append(UInt8(ascii: ";")) }
                signedHeaders.append(contentsOf: field.name.utf8)
                text.append(contentsOf: field.name.utf8)
                text.append(UInt8(ascii: ":"))
            }
            text.append(contentsOf: field.value.utf8)
            text.append(0x0A)
        }
        text.append(0x0A)
        text.append(contentsOf: signedHeaders)
        text.append(0x0A)
        text.append(contentsOf: payloadHash.utf8)
        self.bytes = text
        self.signedHeaders = String(decoding: signedHeaders, as: UTF8.self)
    }

    /// The canonical URI for services other than S3: dot segments and empty segments removed, then the
    /// already-encoded path encoded once more (`%3D` → `%253D`), slashes kept.
    package static func canonicalURI(_ path: String) -> String {
        PercentEncoding.encode(normalizedPath(path), keepSlash: true)
    }

    /// Removes `.`/`..` and empty segments, keeping a leading and a trailing slash.
    package static func normalizedPath(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        if isNormalized(path) { return path }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) where segment != "." {
            if segment == ".." {
                if !segments.isEmpty { segments.removeLast() }
            } else {
                segments.append(segment)
            }
        }
        let leading = path.hasPrefix("/") ? "/" : ""
        let trailing = path.hasSuffix("/") && !segments.isEmpty ? "/" : ""
        return leading + segments.joined(separator: "/") + trailing
    }

    /// Whether `path` has no empty, `.` or `..` segment (an empty one only before a leading or after a
    /// trailing slash), so that ``normalizedPath(_:)`` returns it as it is: the case of every path a client builds.
    static func isNormalized(_ path: String) -> Bool {
        let slash = UInt8(ascii: "/")
        let dot = UInt8(ascii: ".")
        let bytes = path.utf8
        var segmentLength = 0
        var firstByte: UInt8 = 0
        var secondByte: UInt8 = 0
        var index = bytes.startIndex
        while true {
            let atEnd = index == bytes.endIndex
            if atEnd || bytes[index] == slash {
                switch segmentLength {
                case 0:
                    // Allowed before a leading slash and after a trailing one only.
                    let leading = !atEnd && index == bytes.startIndex
                    let trailing = atEnd && index != bytes.startIndex
                    if !(leading || trailing) { return false }
                case 1 where firstByte == dot:
                    return false
                case 2 where firstByte == dot && secondByte == dot:
                    return false
                default:
                    break
                }
                if atEnd { return true }
                bytes.formIndex(after: &index)
                segmentLength = 0
                continue
            }
            if segmentLength == 0 { firstByte = bytes[index] } else if segmentLength == 1 { secondByte = bytes[index] }
            segmentLength += 1
            bytes.formIndex(after: &index)
        }
    }

    /// `key=value` pairs, each side decoded and re-encoded with the SigV4 set, sorted by key then value;
    /// repeated keys stay, a key without `=` gets an empty value.
    package static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        var pairs: [(key: String, value: String)] = []
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let key: Substring
            let value: Substring
            if let equals = item.firstIndex(of: "=") {
                key = item[..<equals]
                value = item[item.index(after: equals)...]
            } else {
                key = item
                value = ""
            }
            pairs.append((
                PercentEncoding.encode(PercentEncoding.decode(key)),
                PercentEncoding.encode(PercentEncoding.decode(value))
            ))
        }
        pairs.sort { left, right in
            if left.key != right.key { return left.key.utf8.lexicographicallyPrecedes(right.key.utf8) }
            return left.value.utf8.lexicographicallyPrecedes(right.value.utf8)
        }
        return pairs.map { $0.key + "=" + $0.value }.joined(separator: "&")
    }

    /// The value without leading or trailing whitespace, inner runs of whitespace collapsed to one space.
    package static func trimmedValue(_ value: String) -> String {
        if isTrimmed(value) { return value }
        return value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .joined(separator: " ")
    }

    /// Whether `value` has no tab, CR or LF, no leading or trailing space and no two spaces in a row, so that
    /// ``trimmedValue(_:)`` returns it as it is.
    static func isTrimmed(_ value: String) -> Bool {
        var previousWasSpace = true  // a leading space is not trimmed
        for byte in value.utf8 {
            switch byte {
            case 0x09, 0x0A, 0x0D: return false
            case 0x20:
                if previousWasSpace { return false }
                previousWasSpace = true
            default:
                previousWasSpace = false
            }
        }
        return !previousWasSpace || value.isEmpty
    }
}
