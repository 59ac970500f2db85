import Foundation
import NIOCore

/// The mock's bookkeeping: events waiting for a poller, pollers waiting for an event, invocations in flight.
///
/// Every method is a transition that returns what the caller must do (fulfil a promise, report an outcome,
/// cancel a timer); the state itself lives behind one lock in ``RuntimeAPIMock``.
struct RuntimeAPIMockState {
    /// Where an invocation's outcome goes; called once, outside the lock, on the thread that learned it.
    typealias Completion = @Sendable (InvocationResult) -> Void

    struct Pending {
        var requestID: String
        var event: QueuedEvent
        var deadlineMilliseconds: Int64
        var completion: Completion
        /// The poller connection the event went to, once served.
        var servedTo: ObjectIdentifier?
        /// The function's end of the connection it was served on.
        var servedToAddress: SocketAddress?
        /// The process that opened that connection, when known.
        var servedToProcess: Int32?
    }

    struct Poller {
        var id: ObjectIdentifier
        var promise: EventLoopPromise<PollAnswer>
        /// The function's end of the poll's connection.
        var address: SocketAddress?
        /// The process that opened it, when known.
        var process: Int32?
    }

    /// What a waiting `/next` poll is answered with.
    enum PollAnswer {
        case event(Served)
        case failure(status: Int)
    }

    /// What `/next` answers with.
    struct Served {
        var requestID: String
        var event: QueuedEvent
        var deadlineMilliseconds: Int64
    }

    /// An invocation whose outcome is known: give `result` to `completion` and cancel `timer`.
    struct Resolution {
        var completion: Completion
        var timer: Scheduled<Void>?
        var result: InvocationResult
        /// The function's end of the connection the invocation was served on, if it was served.
        var functionAddress: SocketAddress? = nil
        /// The process that opened that connection, when known.
        var functionProcess: Int32? = nil

        func perform() {
            timer?.cancel()
            completion(result)
        }
    }

    /// How many answered request ids are remembered to tell "already answered" from "unknown".
    static let answeredMemory = 4096

    private(set) var queued = CircularBuffer<Pending>()
    private(set) var pollers: [Poller] = []
    private(set) var inFlight: [String: Pending] = [:]
    private var answered: Set<String> = []
    /// Deadline timers of unresolved invocations, by request id (kept apart from ``Pending`` so that
    /// attaching one does not search the queue).
    private var timers: [String: Scheduled<Void>] = [:]
    private var answeredOrder = CircularBuffer<String>()
    private(set) var initErrors: [(type: String, body: Data)] = []
    /// Connections that have polled `/next` and are still open: function processes that finished
    /// initialising.
    private var runtimeConnections: Set<ObjectIdentifier> = []
    /// Why invocations cannot be served right now: the last initialisation failed, or the function exited,
    /// and no runtime has polled since. New invocations fail at once with it instead of waiting for a
    /// deadline.
    private(set) var unavailable: InvocationResult?
    /// Whether the mock has shut down: invocations resolve at once as timed out.
    private var stopped = false
    /// Invocations in flight whose connection closed, with no known owner: any process exit fails them, an
    /// answer on another connection resolves them as usual.
    private var orphaned: Set<String> = []
    /// Status codes the next `/next` polls answer with instead of an event (fault injection).
    private var injectedNextFailures: [Int] = []

    /// A new invocation: served at once to a waiting poller, failed at once when no runtime can serve it,
    /// else queued.
    mutating func enqueue(_ pending: Pending) -> EnqueueOutcome {
        if !pollers.isEmpty {
            let poller = pollers.removeFirst()
            return .deliver(poller, serve(pending, to: poller))
        }
        if stopped {
            return .failed(.timedOut)
        }
        if let unavailable, runtimeConnections.isEmpty {
            remember(pending.requestID)
            return .failed(unavailable)
        }
        queued.append(pending)
        return .queued
    }

    enum EnqueueOutcome {
        case deliver(Poller, Served)
        case failed(InvocationResult)
        case queued
    }

    /// Attaches the deadline timer to an invocation still waiting; `false` when it was already resolved.
    mutating func attach(timer: Scheduled<Void>, to requestID: String) -> Bool {
        guard !answered.contains(requestID) else { return false }
        timers[requestID] = timer
        return true
    }

    /// A poll: an injected failure, an event if one is queued, else the poller waits.
    mutating func poll(_ poller: Poller) -> PollAnswer? {
        if !injectedNextFailures.isEmpty {
            return .failure(status: injectedNextFailures.removeFirst())
        }
        runtimeConnections.insert(poller.id)
        unavailable = nil
        guard let pending = queued.popFirst() else {
            pollers.append(poller)
            return nil
        }
        return .event(serve(pending, to: poller))
    }

    private mutating func serve(_ pending: Pending, to poller: Poller) -> Served {
        var pending = pending
        pending.servedTo = poller.id
        pending.servedToAddress = poller.address
        pending.servedToProcess = poller.process
        inFlight[pending.requestID] = pending
        return Served(requestID: pending.requestID, event: pending.event, deadlineMilliseconds: pending.deadlineMilliseconds)
    }

    /// A function's connection closed: it no longer waits. What it was serving stays in flight: a runtime
    /// may answer on another connection (a shell runtime running one `curl` per request does), and a process
    /// that died is reported by ``processExited(pid:reason:)``.
    mutating func connectionClosed(_ id: ObjectIdentifier) -> [Poller] {
        runtimeConnections.remove(id)
        let gone = pollers.filter { $0.id == id }
        pollers.removeAll { $0.id == id }
        for pending in inFlight.values where pending.servedTo == id {
            // The identifier may name a later connection once this one's handler is gone.
            inFlight[pending.requestID]?.servedTo = nil
            if pending.servedToProcess == nil { orphaned.insert(pending.requestID) }
        }
        return gone
    }

    /// A function process exited (others may still run): the invocations it held fail with
    /// `Runtime.ExitError` and `reason`, whether or not their connection has closed yet. Those whose
    /// connection had no known owner are put down to it once that connection has closed.
    mutating func processExited(pid: Int32?, reason: String) -> [Resolution] {
        let held = inFlight.values.filter { pending in
            if let owner = pending.servedToProcess { return owner == pid }
            return orphaned.contains(pending.requestID)
        }.map(\.requestID)
        return held.compactMap { resolve($0, with: .runtimeExit($0, reason)) }
    }

    enum AnswerOutcome {
        case accepted(Resolution)
        case alreadyAnswered
        case unknown
    }

    /// `/response` or `/error` for `requestID`.
    mutating func answer(_ requestID: String, with result: InvocationResult) -> AnswerOutcome {
        if let resolution = resolve(requestID, with: result) { return .accepted(resolution) }
        return answered.contains(requestID) ? .alreadyAnswered : .unknown
    }

    /// The deadline of `requestID` passed: it times out if still unanswered.
    mutating func expire(_ requestID: String) -> Resolution? {
        if let resolution = resolve(requestID, with: .timedOut) { return resolution }
        guard let index = queued.firstIndex(where: { $0.requestID == requestID }) else { return nil }
        let pending = queued.remove(at: index)
        return Resolution(completion: pending.completion, timer: finish(requestID), result: .timedOut)
    }

    /// `/init/error`: every waiting invocation fails with it rather than timing out, as Lambda fails the
    /// invocation whose cold start failed; later ones too, until a runtime polls again.
    mutating func recordInitError(type: String, body: Data) -> [Resolution] {
        initErrors.append((type, body))
        let result = InvocationResult.initFailed(type: type, body: body)
        unavailable = result
        return resolveAll { _ in result }
    }

    /// No function process is left: every waiting invocation fails with `Runtime.ExitError`, and so do
    /// later ones until a runtime polls again (with the init error instead, when initialisation failed).
    mutating func functionExited(reason: String) -> [Resolution] {
        if case .initFailed = unavailable {} else { unavailable = .runtimeExit(nil, reason) }
        runtimeConnections.removeAll()
        return resolveAll { .runtimeExit($0, reason) }
    }

    /// Makes `count` polls answer `status`: pollers already waiting first, then the next ones to arrive.
    mutating func injectPollFailures(status: Int, count: Int) -> [Poller] {
        let now = Array(pollers.prefix(count))
        pollers.removeFirst(now.count)
        injectedNextFailures += Array(repeating: status, count: count - now.count)
        return now
    }

    /// Every waiting invocation (resolved as timed out) and poller, for shutdown.
    mutating func drain() -> ([Resolution], [Poller]) {
        stopped = true
        let resolutions = resolveAll { _ in .timedOut }
        let waiting = pollers
        pollers.removeAll()
        return (resolutions, waiting)
    }

    private mutating func resolveAll(_ result: (String) -> InvocationResult) -> [Resolution] {
        var resolutions: [Resolution] = []
        for requestID in Array(inFlight.keys) {
            resolutions.append(resolve(requestID, with: result(requestID))!)
        }
        while let pending = queued.popFirst() {
            resolutions.append(Resolution(
                completion: pending.completion, timer: finish(pending.requestID), result: result(pending.requestID)))
        }
        return resolutions
    }

    /// Takes `requestID` out of flight, if it is there.
    private mutating func resolve(_ requestID: String, with result: InvocationResult) -> Resolution? {
        guard let pending = inFlight.removeValue(forKey: requestID) else { return nil }
        orphaned.remove(requestID)
        return Resolution(
            completion: pending.completion, timer: finish(requestID), result: result,
            functionAddress: pending.servedToAddress, functionProcess: pending.servedToProcess)
    }

    /// Remembers that `requestID` is finished, forgetting the oldest beyond ``answeredMemory``.
    /// Marks `requestID` resolved; returns its deadline timer, for cancelling.
    private mutating func finish(_ requestID: String) -> Scheduled<Void>? {
        remember(requestID)
        return timers.removeValue(forKey: requestID)
    }

    private mutating func remember(_ requestID: String) {
        guard answered.insert(requestID).inserted else { return }
        answeredOrder.append(requestID)
        if answeredOrder.count > Self.answeredMemory, let oldest = answeredOrder.popFirst() {
            answered.remove(oldest)
        }
    }
}

extension InvocationResult {
    /// What Lambda reports when the runtime process ends before answering.
    static func runtimeExit(_ requestID: String?, _ reason: String) -> InvocationResult {
        let message = requestID.map { "RequestId: \($0) Error: \(reason)" } ?? "Error: \(reason)"
        let report = ["errorMessage": message, "errorType": "Runtime.ExitError"]
        let body = (try? JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])) ?? Data()
        return .error(type: "Runtime.ExitError", body: body)
    }
}
