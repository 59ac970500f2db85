internal import CCurl
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A URL parsed once by libcurl (a `CURLU` handle).
///
/// Given a URL as text, libcurl parses it on every transfer and writes it back out normalised: a few thousand
/// instructions each time. A request to a `CurlURL` skips that parse, which pays on URLs requested over and
/// over (the Runtime API's `/next`, twice an invocation with its response).
///
/// Immutable once made, so it can be shared between requests. A request can give its own path to go with it
/// (``CurlRequest/Location/parsed(_:path:)``, a ``Path``): the easy handle then sets that path on a copy it
/// keeps.
///
/// Not every URL can be one: libcurl 7.88 drops an IPv6 zone id when it copies a parsed URL (which it does for
/// every transfer), and rewrites a host holding `%` each time it writes the URL out. Such URLs are refused
/// (``init(_:)`` throws); give them as text.
package final class CurlURL: @unchecked Sendable {
    /// The parsed URL. libcurl only reads it (copying it for each transfer, writing it out as text), and its
    /// host, the one part it would rewrite on a read, holds no `%`: concurrent use is safe.
    let handle: OpaquePointer

    /// How `CURLOPT_URL` parses its text, so that both ways of giving a URL mean the same.
    private static let parseFlags = UInt32(CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME)

    /// Parses an absolute, percent-encoded URL; throws `CURLE_URL_MALFORMAT` when libcurl rejects it.
    package init(_ text: String) throws(CurlError) {
        CurlGlobal.initialize()
        guard let handle = curl_url() else { throw CurlError.outOfMemory }
        let code = text.withCString { curl_url_set(handle, CURLUPART_URL, $0, Self.parseFlags) }
        guard code == CURLUE_OK else {
            curl_url_cleanup(handle)
            throw CurlError.rejectedURL(code, "\(text)")
        }
        var zone: UnsafeMutablePointer<CChar>? = nil
        if curl_url_get(handle, CURLUPART_ZONEID, &zone, 0) == CURLUE_OK {
            curl_free(zone)
            curl_url_cleanup(handle)
            throw CurlError.rejectedURL(CURLUE_BAD_IPV6, "\(text): an IPv6 zone id does not survive a copy")
        }
        var host: UnsafeMutablePointer<CChar>? = nil
        if curl_url_get(handle, CURLUPART_HOST, &host, 0) == CURLUE_OK, let host {
            let hasPercent = strchr(host, Int32(UInt8(ascii: "%"))) != nil
            curl_free(host)
            if hasPercent {
                curl_url_cleanup(handle)
                throw CurlError.rejectedURL(CURLUE_BAD_HOSTNAME, "\(text): a host holding '%'")
            }
        }
        self.handle = handle
    }

    /// The URL's path, as libcurl holds it (dot segments resolved).
    package var path: String {
        var pointer: UnsafeMutablePointer<CChar>? = nil
        guard curl_url_get(handle, CURLUPART_PATH, &pointer, 0) == CURLUE_OK, let pointer else { return "/" }
        defer { curl_free(pointer) }
        return String(cString: pointer)
    }

    deinit { curl_url_cleanup(handle) }

    /// A copy of the parsed URL with its path (and nothing after it) replaced by `path`. The caller owns the
    /// copy (`curl_url_cleanup`).
    func copy(withPath path: Path) throws(CurlError) -> OpaquePointer {
        guard let copy = curl_url_dup(handle) else { throw CurlError.outOfMemory }
        do throws(CurlError) {
            try Self.set(CURLUPART_QUERY, of: copy, to: nil)
            try Self.set(CURLUPART_FRAGMENT, of: copy, to: nil)
            try Self.setPath(of: copy, to: path)
        } catch {
            curl_url_cleanup(copy)
            throw error
        }
        return copy
    }

    /// Replaces the path of `handle` (a copy this process owns) by `path`, which libcurl takes as it is.
    static func setPath(of handle: OpaquePointer, to path: Path) throws(CurlError) {
        let code = path.text.withCString { curl_url_set(handle, CURLUPART_PATH, $0, 0) }
        guard code == CURLUE_OK else { throw CurlError.rejectedURL(code, "path \(path.text)") }
    }

    private static func set(_ part: CURLUPart, of handle: OpaquePointer, to value: UnsafePointer<CChar>?)
        throws(CurlError)
    {
        let code = curl_url_set(handle, part, value, 0)
        guard code == CURLUE_OK else { throw CurlError.rejectedURL(code, "part \(part.rawValue)") }
    }

    /// The URL as libcurl writes it out (normalised: the scheme in lower case, dot segments resolved; libcurl
    /// 7.88 writes the hex digits of a path set with a request in lower case, 8.21 and later in upper case).
    package var text: String { Self.text(of: handle) }

    /// The URL with its path replaced by `path`, as text (for messages: it is not a fast path).
    package func text(withPath path: Path) -> String {
        guard let copy = try? copy(withPath: path) else { return text + " (path \(path.text))" }
        defer { curl_url_cleanup(copy) }
        return Self.text(of: copy)
    }

    private static func text(of handle: OpaquePointer) -> String {
        var pointer: UnsafeMutablePointer<CChar>? = nil
        guard curl_url_get(handle, CURLUPART_URL, &pointer, 0) == CURLUE_OK, let pointer else { return "" }
        defer { curl_free(pointer) }
        return String(cString: pointer)
    }
}

extension CurlError {
    fileprivate static var outOfMemory: CurlError {
        CurlError(code: Int(CURLE_OUT_OF_MEMORY.rawValue), message: "libcurl could not allocate a URL handle")
    }

    fileprivate static func rejectedURL(_ code: CURLUcode, _ what: String) -> CurlError {
        CurlError(
            code: Int(CURLE_URL_MALFORMAT.rawValue),
            message: "libcurl rejected the URL \(what) (CURLUcode \(code.rawValue))")
    }
}
