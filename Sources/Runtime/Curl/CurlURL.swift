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
/// (``CurlRequest/Location/parsed(_:path:)``): the easy handle then sets that path on a copy it keeps.
package final class CurlURL: @unchecked Sendable {
    /// The parsed URL; never changed after `init`, so concurrent reads (curl duplicates it per transfer)
    /// are safe.
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
        self.handle = handle
    }

    deinit { curl_url_cleanup(handle) }

    /// A copy of the parsed URL with its path (and nothing after it) replaced by `path`: an absolute path,
    /// already percent-encoded, which is taken as it is. The caller owns the copy (`curl_url_cleanup`).
    func copy(withPath path: String) throws(CurlError) -> OpaquePointer {
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

    /// Replaces the path of `handle` (a copy this process owns) by `path`, taken as it is.
    static func setPath(of handle: OpaquePointer, to path: String) throws(CurlError) {
        let code = path.withCString { curl_url_set(handle, CURLUPART_PATH, $0, 0) }
        guard code == CURLUE_OK else { throw CurlError.rejectedURL(code, "path \(path)") }
    }

    private static func set(_ part: CURLUPart, of handle: OpaquePointer, to value: UnsafePointer<CChar>?)
        throws(CurlError)
    {
        let code = curl_url_set(handle, part, value, 0)
        guard code == CURLUE_OK else { throw CurlError.rejectedURL(code, "part \(part.rawValue)") }
    }

    /// The URL as libcurl writes it out (normalised: the scheme in lower case, dot segments resolved,
    /// percent-encoded bytes in lower-case hex).
    package var text: String { Self.text(of: handle) }

    /// The URL with its path replaced by `path`, as text (for messages: it is not a fast path).
    package func text(withPath path: String) -> String {
        guard let copy = try? copy(withPath: path) else { return text + " (path \(path))" }
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
