internal import Dispatch
internal import Runtime
internal import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An ``HTTPTransport`` over libcurl: a bounded pool of easy handles, each keeping its connection alive
/// between requests, each running its blocking transfers on its own thread so the Swift concurrency pool
/// never blocks.
///
/// At most `maxConnections` requests are in flight; further callers wait for a free handle.
public final class CurlHTTPTransport: HTTPTransport {
    /// One process-wide transport (16 connections, CA bundle discovered), shared so that connections stay
    /// warm across invocations.
    public static let shared = CurlHTTPTransport()

    /// The most requests in flight at once (and connections kept open).
    public let maxConnections: Int
    /// The CA certificates file used for HTTPS, or `nil` for libcurl's default.
    public let caBundlePath: String?
    private let connectTimeoutMilliseconds: Int
    private let pool: Mutex<PoolState>

    private struct PoolState {
        var idle: [CurlWorker] = []
        var created = 0
        var waiters: [CheckedContinuation<CurlWorker, Never>] = []
    }

    /// Creates a transport.
    /// - Parameters:
    ///   - maxConnections: the most concurrent requests (at least 1).
    ///   - connectTimeout: the limit for establishing a connection.
    ///   - caBundlePath: the CA file; by default found with ``CABundle/discover(environment:isReadable:)``.
    public init(
        maxConnections: Int = 16,
        connectTimeout: Duration = .seconds(3),
        caBundlePath: String? = CABundle.discoverFromProcessEnvironment()
    ) {
        self.maxConnections = max(1, maxConnections)
        self.caBundlePath = caBundlePath
        self.connectTimeoutMilliseconds = Int(connectTimeout.components.seconds * 1000)
            + Int(connectTimeout.components.attoseconds / 1_000_000_000_000_000)
        self.pool = Mutex(PoolState())
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let worker = try await acquire()
        defer { release(worker) }
        let timeout = request.timeout.components
        let curlRequest = CurlRequest(
            method: request.method, url: request.url, headers: request.headers,
            body: request.method == "GET" || (request.method == "DELETE" && request.body.isEmpty) ? nil : request.body,
            timeoutMilliseconds: max(1, Int(timeout.seconds * 1000) + Int(timeout.attoseconds / 1_000_000_000_000_000)))
        let result = await worker.perform(curlRequest)
        switch result {
        case .success(let response):
            return HTTPResponse(status: response.status, headers: response.headers, body: response.body)
        case .failure(let error):
            throw HTTPTransportError(
                message: error.message, isConnectionFailure: error.isConnectionFailure || error.isTimeout,
                isTimeout: error.isTimeout)
        }
    }

    /// A free worker, a new one while under the limit, or the next one released.
    private func acquire() async throws(HTTPTransportError) -> CurlWorker {
        enum Next { case ready(CurlWorker), create, wait }
        let next = pool.withLock { state -> Next in
            if let worker = state.idle.popLast() { return .ready(worker) }
            if state.created < maxConnections {
                state.created += 1
                return .create
            }
            return .wait
        }
        switch next {
        case .ready(let worker):
            return worker
        case .create:
            do {
                return try CurlWorker(connectTimeoutMilliseconds: connectTimeoutMilliseconds, caBundlePath: caBundlePath)
            } catch {
                pool.withLock { $0.created -= 1 }
                throw HTTPTransportError(message: error.message, isConnectionFailure: false)
            }
        case .wait:
            return await withCheckedContinuation { continuation in
                pool.withLock { state in
                    // A worker may have come back between the two locks.
                    if let worker = state.idle.popLast() {
                        continuation.resume(returning: worker)
                    } else {
                        state.waiters.append(continuation)
                    }
                }
            }
        }
    }

    private func release(_ worker: CurlWorker) {
        let waiter = pool.withLock { state -> CheckedContinuation<CurlWorker, Never>? in
            if state.waiters.isEmpty {
                state.idle.append(worker)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: worker)
    }
}

/// One easy handle and the serial queue (its own thread) its blocking transfers run on.
///
/// `@unchecked Sendable`: the handle is touched only on `queue`, and the pool hands a worker to one
/// request at a time.
private final class CurlWorker: @unchecked Sendable {
    private let handle: CurlEasyHandle
    private let queue = DispatchQueue(label: "LambdaSockets.CurlHTTPTransport")

    init(connectTimeoutMilliseconds: Int, caBundlePath: String?) throws(CurlError) {
        handle = try CurlEasyHandle(connectTimeoutMilliseconds: connectTimeoutMilliseconds, caBundlePath: caBundlePath)
    }

    func perform(_ request: CurlRequest) async -> Result<CurlResponse, CurlError> {
        await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(CurlError) in try self.handle.perform(request) })
            }
        }
    }
}
