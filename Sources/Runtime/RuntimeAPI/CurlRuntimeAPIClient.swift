#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The Runtime API over one reused libcurl handle (one keep-alive connection).
///
/// Connection failures are retried briefly (the API may still be starting); after that, or on any 5xx, the
/// call throws a fatal ``RuntimeAPIError``.
public final class CurlRuntimeAPIClient: RuntimeAPIClient {
    /// The largest synchronous response Lambda accepts: 6 MiB and 100 bytes, the figure its own error names
    /// ("exceeded maximum allowed payload size (6291556 bytes)").
    public static let maxResponseBytes = 6_291_556

    private let endpoint: RuntimeAPIEndpoint
    private let curl: CurlEasyHandle
    private let retryDelaysMilliseconds: [Int]
    /// `GET /next`, made once: it is the same request every time.
    private let nextRequest: CurlRequest
    /// `/next`'s URL as libcurl parsed it, and the directory of its path (`…/runtime/invocation/`), where
    /// response paths start; responses go to it with their own path, so that no URL is parsed in the warm
    /// loop. `nil` for a URL libcurl cannot keep parsed (see ``CurlURL``): requests then give URLs as text.
    private let parsedNext: (url: CurlURL, invocationDirectory: CurlURL.Path)?
    private static let responseSuffix = try! CurlURL.Path("/response")

    /// - Parameters:
    ///   - endpoint: where the Runtime API is.
    ///   - retryDelaysMilliseconds: pauses between attempts when the connection fails; their count is the
    ///     number of retries.
    public init(endpoint: RuntimeAPIEndpoint, retryDelaysMilliseconds: [Int] = [50, 200, 750]) throws {
        self.endpoint = endpoint
        self.curl = try CurlEasyHandle(connectTimeoutMilliseconds: 2_000, bypassProxy: true)
        self.retryDelaysMilliseconds = retryDelaysMilliseconds
        if let url = try? CurlURL(endpoint.nextInvocationURL), case let path = url.path, path.hasSuffix("/next"),
            let directory = try? CurlURL.Path(String(path.dropLast("next".count)))
        {
            parsedNext = (url, directory)
            nextRequest = CurlRequest(method: "GET", url: url)
        } else {
            parsedNext = nil
            nextRequest = CurlRequest(method: "GET", url: endpoint.nextInvocationURL)
        }
    }

    public func nextInvocation() throws -> Invocation {
        let response: CurlResponse
        do {
            response = try perform(nextRequest)
        } catch let error as RuntimeAPIError where error.isIncompleteAnswer {
            throw incompleteEvent(error)
        }
        guard response.status == 200 else {
            throw Self.failure(response, call: "next")
        }
        return Invocation(
            requestID: response.header(Invocation.Header.requestID) ?? "",
            deadlineHeader: response.header(Invocation.Header.deadline),
            invokedFunctionARN: response.header(Invocation.Header.invokedFunctionARN),
            traceID: response.header(Invocation.Header.traceID),
            clientContextHeader: response.header(Invocation.Header.clientContext),
            cognitoIdentityHeader: response.header(Invocation.Header.cognitoIdentity),
            event: response.body
        )
    }

    public func sendResponse(_ body: Data, for requestID: String) throws {
        guard body.count <= Self.maxResponseBytes else {
            throw RuntimeAPIError.payloadTooLarge(
                detail: "response of \(body.count) bytes exceeds the \(Self.maxResponseBytes)-byte limit")
        }
        let request =
            if let parsedNext {
                CurlRequest(
                    method: "POST", url: parsedNext.url,
                    path: CurlURL.Path(
                        directory: parsedNext.invocationDirectory, segment: requestID, suffix: Self.responseSuffix),
                    body: body, keepsResponseHeaders: false)
            } else {
                CurlRequest(
                    method: "POST", url: endpoint.responseURL(for: requestID), body: body, keepsResponseHeaders: false)
            }
        let response = try perform(request)
        guard (200..<300).contains(response.status) else { throw Self.failure(response, call: "response") }
    }

    public func sendError(_ report: ErrorReport, for requestID: String) throws {
        try postError(report, url: endpoint.errorURL(for: requestID), call: "error")
    }

    public func sendInitError(_ report: ErrorReport) throws {
        try postError(report, url: endpoint.initErrorURL, call: "init/error")
    }

    private func postError(_ report: ErrorReport, url: String, call: String) throws {
        // An encoder made here rather than with the client: initialisation, on every cold start, is the dearer path.
        let body = try JSONEncoder().encode(report)
        let request = CurlRequest(
            method: "POST",
            url: url,
            headers: [
                (Invocation.Header.functionErrorType, report.errorType.headerSafe()),
                ("Content-Type", "application/json"),
            ],
            body: body
        )
        let response = try perform(request)
        guard (200..<300).contains(response.status) else { throw Self.failure(response, call: call) }
    }

    /// What a `/next` whose body was cut short becomes: an error for its invocation when its headers name
    /// one, else the incomplete answer itself (the loop counts it as a `/next` that could not be answered).
    private func incompleteEvent(_ failure: RuntimeAPIError) -> RuntimeAPIError {
        let partial = curl.partialResponse()
        guard partial.status == 200, let requestID = partial.header(Invocation.Header.requestID), !requestID.isEmpty
        else { return failure }
        let announced = partial.header("Content-Length").map { " of \($0)" } ?? ""
        return .incompleteEvent(
            requestID: requestID, detail: "the event ended after \(partial.bodyBytes.count)\(announced) bytes")
    }

    /// Performs `request`, retrying connection failures after the configured pauses.
    private func perform(_ request: CurlRequest) throws -> CurlResponse {
        var attempt = 0
        while true {
            do {
                return try curl.perform(request)
            } catch where error.isTruncatedResponse {
                throw RuntimeAPIError.incompleteAnswer("\(request.method) \(request.url): \(error.message)")
            } catch {
                // No Runtime API request has a transfer timeout: a timeout is the connection's, retried too.
                guard error.isConnectionFailure || error.isTimeout, attempt < retryDelaysMilliseconds.count else {
                    throw RuntimeAPIError.unreachable("\(request.method) \(request.url): \(error.message)")
                }
                usleep(UInt32(retryDelaysMilliseconds[attempt]) * 1000)
                attempt += 1
            }
        }
    }

    private static func failure(_ response: CurlResponse, call: String) -> RuntimeAPIError {
        let body = String(decoding: response.bodyBytes.prefix(512), as: UTF8.self)
        switch response.status {
        case 413: return .payloadTooLarge(detail: body)
        case 500...: return .environmentBroken(status: response.status, detail: "\(call): \(body)")
        default: return .rejected(status: response.status, detail: "\(call): \(body)")
        }
    }
}

extension String {
    /// The value with control characters (which would break the header block) replaced by spaces.
    fileprivate func headerSafe() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }
}
