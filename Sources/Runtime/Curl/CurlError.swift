internal import CCurl

/// A libcurl failure: the `CURLcode` (or `CURLMcode`) it returned and the detail curl wrote for it.
///
/// This is the one place where curl's numeric codes become a Swift error; every curl call in the package
/// goes through ``CurlError/check(_:_:)``.
package struct CurlError: Error, Sendable, CustomStringConvertible {
    /// The raw `CURLcode` value (`CURLE_*`).
    package let code: Int
    /// curl's explanation: the error buffer when it holds one, else `curl_easy_strerror`.
    package let message: String

    package init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "curl error \(code): \(message)" }

    /// Whether the failure happened before any response arrived (refused, unresolved, reset, nothing
    /// received): the server may simply not be up yet, and a retry can succeed. A timeout, connecting or
    /// not, is ``isTimeout``.
    package var isConnectionFailure: Bool {
        switch UInt32(code) {
        case CURLE_COULDNT_CONNECT.rawValue, CURLE_COULDNT_RESOLVE_HOST.rawValue,
            CURLE_COULDNT_RESOLVE_PROXY.rawValue, CURLE_SEND_ERROR.rawValue, CURLE_RECV_ERROR.rawValue,
            CURLE_GOT_NOTHING.rawValue:
            return true
        default:
            return false
        }
    }

    /// Whether curl gave up because of `CURLOPT_TIMEOUT_MS`/`CURLOPT_CONNECTTIMEOUT_MS`.
    package var isTimeout: Bool { UInt32(code) == CURLE_OPERATION_TIMEDOUT.rawValue }

    /// Whether the response ended before the length its header announced (the connection closed mid-body).
    package var isTruncatedResponse: Bool { UInt32(code) == CURLE_PARTIAL_FILE.rawValue }

    /// Throws when `code` is not `CURLE_OK`.
    @inline(__always)
    static func check(_ code: CURLcode, _ detail: @autoclosure () -> String = "") throws(CurlError) {
        guard code != CURLE_OK else { return }
        let detailText = detail()
        let text = detailText.isEmpty ? String(cString: curl_easy_strerror(code)) : detailText
        throw CurlError(code: Int(code.rawValue), message: text)
    }
}
