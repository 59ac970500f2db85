import Foundation
import NIOCore

/// The mock's bookkeeping: events waiting for a poller, pollers waiting for an event, invocations in flight.
///
/// Every method is a transition that returns what the caller must do (fulfil a promise, resume a
/// continuation); the state itself lives behind one lock in ``RuntimeAPIMock``.
struct RuntimeAPIMockState {
    struct Pending {
        var requestID: String
        var event: QueuedEvent
        var deadlineMilliseconds: Int64
        var continuation: CheckedContinuation<InvocationResult, Never>
        /// The poller connection the event went to, once served.
        var servedTo: ObjectIdentifier?
        /// The function's end of that connection.
        var servedToAddress: SocketAddress?
    }

    struct Poller {
        var id: ObjectIdentifier
        var promise: EventLoopPromise<PollAnswer>
        /// The function's end of the poll's connection.
        var address: SocketAddress?
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

    private(set) var queued: [Pending] = []
    private(set) var pollers: [Poller] = []
    private(set) var inFlight: [String: Pending] = [:]
    private(set) var answered: Set<String> = []
    private(set) var initErrors: [(type: String, body: Data)] = []
    /// Status codes the next `/next` polls answer with instead of an event (fault injection).
    var injectedNextFailures: [Int] = []

    /// A new invocation: served at once to a waiting poller, else queued.
    mutating func enqueue(_ pending: Pending) -> (Poller, Served)? {
        if !pollers.isEmpty {
            let poller = pollers.removeFirst()
            var pending = pending
            pending.servedTo = poller.id
            pending.servedToAddress = poller.address
            inFlight[pending.requestID] = pending
            return (poller, Served(requestID: pending.requestID, event: pending.event, deadlineMilliseconds: pending.deadlineMilliseconds))
        }
        queued.append(pending)
        return nil
    }

    /// A poll: an event if one is queued, else the poller waits.
    mutating func poll(_ poller: Poller) -> Served? {
        guard !queued.isEmpty else {
            pollers.append(poller)
            return nil
        }
        var pending = queued.removeFirst()
        pending.servedTo = poller.id
        pending.servedToAddress = poller.address
        inFlight[pending.requestID] = pending
        return Served(requestID: pending.requestID, event: pending.event, deadlineMilliseconds: pending.deadlineMilliseconds)
    }

    /// A function's connection closed: it no longer waits, and what it was serving will never be answered
    /// (the process died), so those invocations fail now rather than at their deadline.
    mutating func connectionClosed(_ id: ObjectIdentifier) -> (pollers: [Poller], abandoned: [Pending]) {
        let gone = pollers.filter { $0.id == id }
        pollers.removeAll { $0.id == id }
        let abandoned = inFlight.values.filter { $0.servedTo == id }
        for pending in abandoned {
            inFlight.removeValue(forKey: pending.requestID)
            answered.insert(pending.requestID)
        }
        return (gone, abandoned)
    }

    enum AnswerOutcome {
        case accepted(CheckedContinuation<InvocationResult, Never>)
        case alreadyAnswered
        case unknown
    }

    /// `/response` or `/error` for `requestID`.
    mutating func answer(_ requestID: String) -> AnswerOutcome {
        if let pending = inFlight.removeValue(forKey: requestID) {
            answered.insert(requestID)
            return .accepted(pending.continuation)
        }
        return answered.contains(requestID) ? .alreadyAnswered : .unknown
    }

    /// The deadline of `requestID` passed: it times out if still unanswered. Returns its continuation and,
    /// when a function was running it, the function's end of that connection.
    mutating func expire(_ requestID: String) -> (CheckedContinuation<InvocationResult, Never>, SocketAddress?)? {
        if let pending = inFlight.removeValue(forKey: requestID) {
            answered.insert(requestID)
            return (pending.continuation, pending.servedToAddress)
        }
        if let index = queued.firstIndex(where: { $0.requestID == requestID }) {
            return (queued.remove(at: index).continuation, nil)
        }
        return nil
    }

    /// `/init/error`: every waiting invocation fails with it rather than timing out, as Lambda fails the
    /// invocation whose cold start failed.
    mutating func recordInitError(type: String, body: Data) -> [CheckedContinuation<InvocationResult, Never>] {
        initErrors.append((type, body))
        let failed = inFlight.values.map(\.continuation) + queued.map(\.continuation)
        for requestID in inFlight.keys { answered.insert(requestID) }
        for pending in queued { answered.insert(pending.requestID) }
        inFlight.removeAll()
        queued.removeAll()
        return failed
    }

    /// Makes `count` polls answer `status`: pollers already waiting first, then the next ones to arrive.
    mutating func injectPollFailures(status: Int, count: Int) -> [Poller] {
        let now = Array(pollers.prefix(count))
        pollers.removeFirst(now.count)
        injectedNextFailures += Array(repeating: status, count: count - now.count)
        return now
    }

    /// Every waiting invocation and poller, for shutdown.
    mutating func drain() -> ([CheckedContinuation<InvocationResult, Never>], [Poller]) {
        let continuations = queued.map(\.continuation) + inFlight.values.map(\.continuation)
        let waiting = pollers
        queued.removeAll()
        inFlight.removeAll()
        pollers.removeAll()
        return (continuations, waiting)
    }
}
