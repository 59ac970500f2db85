internal import CCurl
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One libcurl easy handle, reused for every request so that its connection stays alive.
///
/// A handle performs one request at a time and is not `Sendable`: give each concurrent sender its own.
package final class CurlEasyHandle {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let collector = ResponseCollector()
    /// `Expect:`, `Content-Type:` and `Accept:` with empty values, for requests that bring no headers of
    /// their own.
    private let defaultHeaders: UnsafeMutablePointer<curl_slist>?
    /// Options as the last request left them, so that a loop of alike requests (the Runtime API's, twice an
    /// invocation) sets only what changes.
    private var appliedHeaders: UnsafeMutablePointer<curl_slist>? = nil
    private var appliedTimeout = 0
    /// The custom method the handle holds: `.some(nil)` none, `nil` unknown (a failed set may have cleared it).
    private var appliedCustomMethod: String?? = .some(nil)
    private var appliedNoBody = false
    /// The `CURLU` the handle points at, or `nil` when requests give text.
    private var appliedURLHandle: OpaquePointer? = nil
    /// The last parsed URL requested as it is, held while the handle may point at it.
    private var parsedURL: CurlURL? = nil
    /// The handle's own copy of a parsed URL (``pathURLSource``), on which each request sets its path.
    private var pathURLCopy: OpaquePointer? = nil
    private var pathURLSource: CurlURL? = nil

    /// Creates a handle.
    /// - Parameters:
    ///   - connectTimeoutMilliseconds: limit for establishing a connection.
    ///   - caBundlePath: the CA certificates file for HTTPS, or `nil` for libcurl's compiled-in default.
    ///   - bypassProxy: ignore `http_proxy`/`HTTPS_PROXY`/… (the Runtime API is always local and must never
    ///     be reached through a proxy the function configured for its own outbound calls).
    package init(
        connectTimeoutMilliseconds: Int = 5_000, caBundlePath: String? = nil, bypassProxy: Bool = false
    ) throws(CurlError) {
        CurlGlobal.initialize()
        guard let handle = curl_easy_init() else {
            throw CurlError(code: Int(CURLE_FAILED_INIT.rawValue), message: "curl_easy_init failed")
        }
        self.handle = handle
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        self.defaultHeaders = curl_slist_append(
            curl_slist_append(curl_slist_append(nil, "Expect:"), "Content-Type:"), "Accept:")

        let context = Unmanaged.passUnretained(collector).toOpaque()
        try CurlError.check(CCurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        try CurlError.check(CCurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        try CurlError.check(CCurl_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        try CurlError.check(CCurl_easy_setopt_long(handle, CURLOPT_TCP_NODELAY, 1))
        try CurlError.check(CCurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMilliseconds))
        try CurlError.check(CCurl_easy_setopt_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteBody))
        try CurlError.check(CCurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
        try CurlError.check(CCurl_easy_setopt_callback(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader))
        try CurlError.check(CCurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context))
        if bypassProxy {
            try CurlError.check(CCurl_easy_setopt_string(handle, CURLOPT_PROXY, ""))
        }
        if let caBundlePath {
            try CurlError.check(CCurl_easy_setopt_string(handle, CURLOPT_CAINFO, caBundlePath))
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        if let pathURLCopy { curl_url_cleanup(pathURLCopy) }
        curl_slist_free_all(defaultHeaders)
        errorBuffer.deallocate()
    }

    /// Sends `request` and waits for the whole response.
    ///
    /// Throws ``CurlError`` for transport failures only; any HTTP status is a response.
    package func perform(_ request: CurlRequest) throws(CurlError) -> CurlResponse {
        collector.reset(keepingHeaders: request.keepsResponseHeaders)
        errorBuffer[0] = 0

        // No `Expect: 100-continue` round trip, no form content type that nobody asked for, and no
        // `Accept: */*`, which tells a server nothing.
        var requestHeaders: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(requestHeaders) }
        if !request.headers.isEmpty {
            for field in request.headers {
                let line = "\(field.name): \(field.value)"
                requestHeaders = line.withCString { curl_slist_append(requestHeaders, $0) }
            }
            requestHeaders = curl_slist_append(requestHeaders, "Expect:")
            for suppressed in ["Content-Type", "Accept"]
            where !request.headers.contains(where: { $0.name.lowercased() == suppressed.lowercased() }) {
                requestHeaders = curl_slist_append(requestHeaders, suppressed + ":")
            }
        }
        let headerList = requestHeaders ?? defaultHeaders

        try setURL(request.location)
        if headerList != appliedHeaders {
            try CurlError.check(CCurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
            appliedHeaders = headerList
        }
        // A request's own header list is freed when this returns: make sure the handle no longer points at it.
        defer {
            if requestHeaders != nil {
                _ = CCurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, defaultHeaders)
                appliedHeaders = defaultHeaders
            }
        }
        if request.timeoutMilliseconds != appliedTimeout {
            try CurlError.check(CCurl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.timeoutMilliseconds))
            appliedTimeout = request.timeoutMilliseconds
        }

        let code: CURLcode
        switch request.method {
        case "GET", "HEAD":
            fallthrough
        case "DELETE" where request.body == nil:
            try CurlError.check(CCurl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1))
            appliedNoBody = false  // implied by CURLOPT_HTTPGET
            try setCustomMethod(request.method == "GET" ? nil : request.method)
            try setNoBody(request.method == "HEAD")
            code = curl_easy_perform(handle)
        default:
            try CurlError.check(CCurl_easy_setopt_long(handle, CURLOPT_POST, 1))
            appliedNoBody = false  // implied by CURLOPT_POST
            try setCustomMethod(request.method == "POST" ? nil : request.method)
            let body = request.body ?? Data()
            code = body.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> CURLcode in
                // An empty body still needs a valid pointer: with a null one curl would read stdin.
                let pointer = bytes.baseAddress ?? UnsafeRawPointer(CurlGlobal.emptyBody)
                let sizeSet = CCurl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
                guard sizeSet == CURLE_OK else { return sizeSet }
                let bodySet = CCurl_easy_setopt_pointer(handle, CURLOPT_POSTFIELDS, pointer)
                guard bodySet == CURLE_OK else { return bodySet }
                defer { _ = CCurl_easy_setopt_pointer(handle, CURLOPT_POSTFIELDS, nil) }
                return curl_easy_perform(handle)
            }
        }
        try CurlError.check(code, String(cString: errorBuffer))

        var status = 0
        try CurlError.check(CCurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status))
        return collectedResponse(status: status)
    }

    /// What arrived of the last transfer's response before it failed: its status line's code, its header
    /// fields and the body bytes received (for a response cut short, ``CurlError/isTruncatedResponse``).
    package func partialResponse() -> CurlResponse {
        var status = 0
        _ = CCurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return collectedResponse(status: status)
    }

    private func collectedResponse(status: Int) -> CurlResponse {
        CurlResponse(
            status: status, headerBytes: collector.headerBytes, fields: collector.fields, bodyBytes: collector.takeBody())
    }

    private func setURL(_ location: CurlRequest.Location) throws(CurlError) {
        switch location {
        case .text(let text):
            if appliedURLHandle != nil {
                try CurlError.check(CCurl_easy_setopt_pointer(handle, CURLOPT_CURLU, nil))
                appliedURLHandle = nil
            }
            // `withCString` lends a native string's own bytes; passing the String itself would copy it to an array.
            try CurlError.check(text.withCString { CCurl_easy_setopt_string(handle, CURLOPT_URL, $0) })
        case .parsed(let url, let path):
            // A copy replaced here is freed once the handle points elsewhere (never while it may point at it).
            var retiredCopy: OpaquePointer? = nil
            defer { if let retiredCopy, retiredCopy != appliedURLHandle { curl_url_cleanup(retiredCopy) } }
            let urlHandle: OpaquePointer
            if let path {
                if let copy = pathURLCopy, pathURLSource === url {
                    try CurlURL.setPath(of: copy, to: path)
                    urlHandle = copy
                } else {
                    let copy = try url.copy(withPath: path)
                    retiredCopy = pathURLCopy
                    pathURLCopy = copy
                    pathURLSource = url
                    urlHandle = copy
                }
            } else {
                urlHandle = url.handle
            }
            // The URL text the last transfer wrote out from its parsed URL would otherwise stay libcurl's
            // effective URL (CURLINFO_EFFECTIVE_URL, its log lines): cleared, it is written afresh from this one.
            try CurlError.check(CCurl_easy_setopt_pointer(handle, CURLOPT_URL, nil))
            if appliedURLHandle != urlHandle {
                try CurlError.check(CCurl_easy_setopt_pointer(handle, CURLOPT_CURLU, UnsafeRawPointer(urlHandle)))
                appliedURLHandle = urlHandle
            }
            if path == nil { parsedURL = url }  // held while the handle points at it
        }
    }

    /// The URL of the last transfer, as libcurl reports it (`CURLINFO_EFFECTIVE_URL`).
    package func effectiveURL() -> String? {
        var pointer: UnsafeMutableRawPointer? = nil
        guard CCurl_easy_getinfo_pointer(handle, CURLINFO_EFFECTIVE_URL, &pointer) == CURLE_OK, let pointer else {
            return nil
        }
        return String(cString: pointer.assumingMemoryBound(to: CChar.self))
    }

    private func setCustomMethod(_ method: String?) throws(CurlError) {
        if case .some(let applied) = appliedCustomMethod, Self.sameBytes(applied, method) { return }
        appliedCustomMethod = nil
        if let method {
            try CurlError.check(method.withCString { CCurl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, $0) })
        } else {
            try CurlError.check(CCurl_easy_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, nil))
        }
        appliedCustomMethod = method
    }

    /// Byte equality (`==` on strings also equates canonically equivalent spellings).
    private static func sameBytes(_ first: String?, _ second: String?) -> Bool {
        switch (first, second) {
        case (nil, nil): return true
        case (let first?, let second?): return first.utf8.elementsEqual(second.utf8)
        default: return false
        }
    }

    private func setNoBody(_ noBody: Bool) throws(CurlError) {
        guard noBody != appliedNoBody else { return }
        try CurlError.check(CCurl_easy_setopt_long(handle, CURLOPT_NOBODY, noBody ? 1 : 0))
        appliedNoBody = noBody
    }
}

/// What curl's callbacks collect during one transfer.
///
/// Its buffers keep their capacity from one transfer to the next, so a warm loop of similar requests allocates
/// nothing here; a response still holding them when the next transfer starts keeps its own copy (copy on write).
/// A body over 1 MiB is handed to its response outright, so that a large event is not held twice, or after
/// its response is gone.
/// The callbacks run inside `curl_easy_perform` on the thread that called it, so accesses never overlap and are
/// not checked at run time.
private final class ResponseCollector {
    @exclusivity(unchecked) var headerBytes: [UInt8] = []
    @exclusivity(unchecked) var fields: [CurlResponse.HeaderField] = []
    @exclusivity(unchecked) var body: [UInt8] = []
    /// Whether header fields are collected in this transfer.
    @exclusivity(unchecked) var keepsHeaders = true

    /// Capacity beyond which a body buffer is given back after its transfer rather than kept.
    private static let retainedBodyCapacity = 1 << 20

    init() {
        headerBytes.reserveCapacity(1024)
        fields.reserveCapacity(16)
        body.reserveCapacity(8192)
    }

    func reset(keepingHeaders: Bool) {
        keepsHeaders = keepingHeaders
        forgetHeaders()
        if !body.isEmpty { body.removeAll(keepingCapacity: true) }
    }

    /// Empties the header buffers, keeping their capacity (checked first: most are empty already, and
    /// emptying costs a generic range replacement).
    func forgetHeaders() {
        if !headerBytes.isEmpty { headerBytes.removeAll(keepingCapacity: true) }
        if !fields.isEmpty { fields.removeAll(keepingCapacity: true) }
    }

    /// The body of the transfer: shared with the collector (which reuses its capacity once the response is
    /// gone) when it is small, moved out of it when it is over ``retainedBodyCapacity``.
    func takeBody() -> [UInt8] {
        guard body.capacity > Self.retainedBodyCapacity else { return body }
        var taken: [UInt8] = []
        taken.reserveCapacity(8192)
        swap(&taken, &body)
        return taken
    }
}

/// Process-wide libcurl state.
enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    /// A valid, never-freed pointer to send as an empty request body.
    nonisolated(unsafe) static let emptyBody: UnsafeMutableRawPointer = {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)
        pointer.storeBytes(of: 0, as: UInt8.self)
        return pointer
    }()

    /// Runs `curl_global_init` once, before the first handle is created.
    static func initialize() { _ = initialized }
}

private func curlWriteBody(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    let length = size * count
    guard let buffer, let userdata, length > 0 else { return length }
    // The handle keeps its collector alive for the whole transfer: no retain is needed to use it.
    Unmanaged<ResponseCollector>.fromOpaque(userdata)._withUnsafeGuaranteedRef { collector in
        collector.body.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: length))
    }
    return length
}

private func curlWriteHeader(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    let length = size * count
    guard let buffer, let userdata, length > 0 else { return length }
    Unmanaged<ResponseCollector>.fromOpaque(userdata)._withUnsafeGuaranteedRef { collector in
        if collector.keepsHeaders { collect(UnsafeRawBufferPointer(start: buffer, count: length), into: collector) }
    }
    return length
}

/// Whether a header line is a status line (`HTTP/1.1 200 OK`).
private func isStatusLine(_ line: UnsafeRawBufferPointer) -> Bool {
    line.count >= 5 && line[0] == UInt8(ascii: "H") && line[1] == UInt8(ascii: "T") && line[2] == UInt8(ascii: "T")
        && line[3] == UInt8(ascii: "P") && line[4] == UInt8(ascii: "/")
}

/// Files one header line of the response: a field, or a status line that starts the header block afresh.
private func collect(_ line: UnsafeRawBufferPointer, into collector: ResponseCollector) {
    let length = line.count
    let buffer = line.baseAddress!
    // A status line starts a new response (after a 100 Continue or a redirect): forget earlier headers.
    if isStatusLine(line) {
        collector.forgetHeaders()
        return
    }
    guard let colonPointer = memchr(buffer, Int32(UInt8(ascii: ":")), length) else { return }
    let colon = UnsafeRawPointer(colonPointer) - UnsafeRawPointer(buffer)
    var valueStart = colon + 1
    var valueEnd = length
    while valueStart < valueEnd, line[valueStart] == UInt8(ascii: " ") || line[valueStart] == UInt8(ascii: "\t") {
        valueStart += 1
    }
    while valueEnd > valueStart,
        line[valueEnd - 1] == 10 || line[valueEnd - 1] == 13 || line[valueEnd - 1] == 32 || line[valueEnd - 1] == 9
    {
        valueEnd -= 1
    }
    let base = collector.headerBytes.count
    collector.headerBytes.append(contentsOf: UnsafeRawBufferPointer(start: line.baseAddress, count: valueEnd))
    collector.fields.append(
        CurlResponse.HeaderField(name: base..<(base + colon), value: (base + valueStart)..<(base + valueEnd)))
}
