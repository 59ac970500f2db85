internal import Dispatch
internal import Runtime
internal import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An ``HTTPTransport`` over libcurl: a bounded pool of easy handles, each keeping its connection alive
/// between requests.
///
/// A request made on a function's invocation thread, when it is the only one in flight and nothing else waits
/// for that thread, runs there (`inlineWhenAlone`): the usual case in a function, one `postToConnection` per
/// invocation, then costs no thread switches, which on a loaded machine are dearer than the transfer. Every
/// other request runs its blocking transfer on its handle's own thread: a fan-out
/// (``ManagementClient/broadcast(_:to:maxConcurrency:)``) goes out in parallel, and no thread of the Swift
/// concurrency pool is ever blocked by a transfer.
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
        var waiters: [CheckedContinuation<Grant, Never>] = []

        /// Requests between acquire and release: every worker created (or being created) that is not idle.
        var inFlight: Int { created - idle.count }
    }

    /// What a waiting request is given: a released worker, or a free slot to create one in (already counted in
    /// `created`).
    private enum Grant {
        case worker(CurlWorker)
        case slot
    }

    /// Whether a request that is the only one in flight, made on a function's idle invocation thread, runs there.
    public let inlineWhenAlone: Bool

    /// Creates a transport.
    /// - Parameters:
    ///   - maxConnections: the most concurrent requests (at least 1).
    ///   - connectTimeout: the limit for establishing a connection.
    ///   - caBundlePath: the CA file; by default found with ``CABundle/discover(environment:isReadable:)``.
    ///   - inlineWhenAlone: run a request that is the only one in flight on the function's invocation thread
    ///     when it is made there and no other job waits for that thread, which it then blocks for the transfer
    ///     (up to the request's timeout); `false` sends every request from a thread of its handle's, for
    ///     handlers that must keep the invocation thread free (a `@MainActor` timer, say). Requests made on
    ///     any other thread never block it.
    public init(
        maxConnections: Int = 16,
        connectTimeout: Duration = .seconds(3),
        caBundlePath: String? = CABundle.discoverFromProcessEnvironment(),
        inlineWhenAlone: Bool = true
    ) {
        self.maxConnections = max(1, maxConnections)
        self.caBundlePath = caBundlePath
        self.connectTimeoutMilliseconds = Int(connectTimeout.components.seconds * 1000)
            + Int(connectTimeout.components.attoseconds / 1_000_000_000_000_000)
        self.pool = Mutex(PoolState())
        self.inlineWhenAlone = inlineWhenAlone
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (worker, inline) = try await acquire()
        defer { release(worker) }
        let timeout = request.timeout.components
        let curlRequest = CurlRequest(
            method: request.method, url: request.url, headers: request.headers,
            body: request.method == "GET" || (request.method == "DELETE" && request.body.isEmpty) ? nil : request.body,
            timeoutMilliseconds: max(1, Int(timeout.seconds * 1000) + Int(timeout.attoseconds / 1_000_000_000_000_000)))
        let result = inline ? worker.performHere(curlRequest) : await worker.perform(curlRequest)
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
    private func acquire() async throws(HTTPTransportError) -> (CurlWorker, inline: Bool) {
        enum Next { case ready(CurlWorker, inline: Bool), create(inline: Bool), wait }
        // Only on the function's invocation thread, and not while jobs wait for it (a task group's other
        // children, say): blocking it then would run the group's requests one after another. Blocking a thread
        // of the concurrency pool could hold up the very tasks that would join this request (with the pool's
        // other threads busy elsewhere, each would then find itself alone and run inline in turn).
        let inlineWhenAlone = self.inlineWhenAlone && InvocationThreadExecutor.onIdleInvocationThread
        let next = pool.withLock { state -> Next in
            // While the request alone runs here, it counts as in flight: no other one joins it on a caller's thread.
            let inline = inlineWhenAlone && state.inFlight == 0
            if let worker = state.idle.popLast() {
                return .ready(worker, inline: inline)
            }
            if state.created < maxConnections {
                state.created += 1
                return .create(inline: inline)
            }
            return .wait
        }
        switch next {
        case .ready(let worker, let inline):
            return (worker, inline)
        case .create(let inline):
            return (try makeWorker(), inline)
        case .wait:
            let maxConnections = self.maxConnections
            let grant = await withCheckedContinuation { (continuation: CheckedContinuation<Grant, Never>) in
                pool.withLock { state in
                    // A worker may have come back, or a slot come free, between the two locks.
                    if let worker = state.idle.popLast() {
                        continuation.resume(returning: .worker(worker))
                    } else if state.created < maxConnections {
                        state.created += 1
                        continuation.resume(returning: .slot)
                    } else {
                        state.waiters.append(continuation)
                    }
                }
            }
            switch grant {
            case .worker(let worker): return (worker, false)
            case .slot: return (try makeWorker(), false)
            }
        }
    }

    /// A new worker in a slot already counted; when it cannot be made, the slot goes to the next waiter (which
    /// then tries itself) or is given back.
    private func makeWorker() throws(HTTPTransportError) -> CurlWorker {
        do {
            return try CurlWorker(connectTimeoutMilliseconds: connectTimeoutMilliseconds, caBundlePath: caBundlePath)
        } catch {
            let waiter = pool.withLock { state -> CheckedContinuation<Grant, Never>? in
                if state.waiters.isEmpty {
                    state.created -= 1
                    return nil
                }
                return state.waiters.removeFirst()
            }
            waiter?.resume(returning: .slot)
            throw HTTPTransportError(message: error.message, isConnectionFailure: false)
        }
    }

    private func release(_ worker: CurlWorker) {
        let waiter = pool.withLock { state -> CheckedContinuation<Grant, Never>? in
            if state.waiters.isEmpty {
                state.idle.append(worker)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: .worker(worker))
    }
}

/// One easy handle and the serial queue its blocking transfers run on: on the queue's own thread, or on the
/// caller's (`queue.sync` on an idle serial queue runs there).
///
/// `@unchecked Sendable`: the handle is touched only on `queue`, and the pool hands a worker to one
/// request at a time.
private final class CurlWorker: @unchecked Sendable {
    private let handle: CurlEasyHandle
    private let queue = DispatchQueue(label: "LambdaSockets.CurlHTTPTransport")

    init(connectTimeoutMilliseconds: Int, caBundlePath: String?) throws(CurlError) {
        handle = try CurlEasyHandle(connectTimeoutMilliseconds: connectTimeoutMilliseconds, caBundlePath: caBundlePath)
    }

    /// Performs `request` on the calling thread.
    func performHere(_ request: CurlRequest) -> Result<CurlResponse, CurlError> {
        queue.sync { Result { () throws(CurlError) in try self.handle.perform(request) } }
    }

    func perform(_ request: CurlRequest) async -> Result<CurlResponse, CurlError> {
        await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(CurlError) in try self.handle.perform(request) })
            }
        }
    }
}
