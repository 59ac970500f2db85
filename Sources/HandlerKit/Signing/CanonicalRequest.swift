/// The SigV4 canonical request (non-S3 rules) and its pieces.
package struct CanonicalRequest: Sendable {
    /// The full canonical request text.
    package let text: String
    /// `host;x-amz-date;…`: the lower-cased, sorted names of the signed headers.
    package let signedHeaders: String

    /// Headers never signed (hop-by-hop or rewritten by proxies), as botocore and the AWS SDKs skip them.
    package static let unsignedHeaders: Set<String> = [
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    /// Builds the canonical request for `method`, `url`, the headers to sign and the payload hash.
    package init(
        method: String, url: RequestURL, headers: [(name: String, value: String)], payloadHash: String
    ) {
        var grouped: [String: [String]] = [:]
        for field in headers {
            let name = field.name.lowercased()
            guard !Self.unsignedHeaders.contains(name) else { continue }
            grouped[name, default: []].append(Self.trimmedValue(field.value))
        }
        if grouped["host"] == nil { grouped["host"] = [url.hostHeader] }
        let names = grouped.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var canonicalHeaders = ""
        for name in names {
            canonicalHeaders += name + ":" + grouped[name]!.joined(separator: ",") + "\n"
        }
        signedHeaders = names.joined(separator: ";")
        text = [
            method.uppercased(),
            Self.canonicalURI(url.path),
            Self.canonicalQuery(url.query),
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
    }

    /// The canonical URI for services other than S3: dot segments and empty segments removed, then the
    /// already-encoded path encoded once more (`%3D` → `%253D`), slashes kept.
    package static func canonicalURI(_ path: String) -> String {
        PercentEncoding.encode(normalizedPath(path), keepSlash: true)
    }

    /// Removes `.`/`..` and empty segments, keeping a leading and a trailing slash.
    package static func normalizedPath(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
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
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .joined(separator: " ")
    }
}
