import CMainThread
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// A task executor whose jobs run on the one thread that drives it: ``LambdaRuntime/start(environment:_:)``
/// runs the invocation loop, and every nonisolated part of the handler, on the thread that started it.
///
/// A function process then needs no thread pool: nothing to start before the first `/next`, and no hop to
/// another thread and back for each invocation. Work bound elsewhere still runs: an actor's jobs and
/// unstructured tasks run on the global executor as usual, and when the driving thread is the main thread the
/// loop also serves the main dispatch queue, so `@MainActor` code in a handler runs there.
///
/// While a job blocks (the loop waiting in `GET /next`, a request run on this thread), queued jobs wait; work
/// that must not wait belongs in an unstructured task or on an actor.
package final class InvocationThreadExecutor: TaskExecutor, @unchecked Sendable {
    private struct Queue {
        var jobs: [UnownedJob] = []
        /// The driving thread is (about to be) blocked in `poll` and needs a wake-up.
        var sleeping = false
        /// The operation of ``run(_:)`` has returned.
        var finished = false
    }

    private let queue = Mutex(Queue())
    /// Jobs enqueued and not yet started (queued, or waiting in the batch being run).
    private let waiting = Atomic<Int>(0)
    /// A non-blocking eventfd written when a job arrives while the driving thread sleeps.
    private let wakeDescriptor: Int32
    /// libdispatch's eventfd for the main queue, or -1 when this executor does not serve it.
    private let mainQueueDescriptor: Int32

    /// The executor being driven and its thread, if any (one at a time per process).
    private static let driven = Mutex<(executor: InvocationThreadExecutor, thread: pthread_t)?>(nil)

    /// - Parameter servingMainQueue: also run the main dispatch queue's work (only on the main thread).
    /// - Returns: `nil` when the process cannot have the eventfd it sleeps on, or when the main queue is to be
    ///   served but cannot be from here (it is already being drained further up this thread's stack, or
    ///   belongs to another thread since `dispatch_main`): blocking this thread would then starve it.
    package init?(servingMainQueue: Bool) {
        if servingMainQueue {
            mainQueueDescriptor = lambdasockets_main_queue_descriptor()
            guard mainQueueDescriptor >= 0, Self.mainQueueDrainsHere() else { return nil }
        } else {
            mainQueueDescriptor = -1
        }
        wakeDescriptor = lambdasockets_eventfd()
        guard wakeDescriptor >= 0 else { return nil }
    }

    /// Whether draining the main queue from this thread runs its work: queues a block and drains once.
    private static func mainQueueDrainsHere() -> Bool {
        final class Flag: Sendable {
            let raised = Atomic<Bool>(false)
        }
        let flag = Flag()  // the block may run later, elsewhere, if the drain does not run it
        DispatchQueue.main.async { flag.raised.store(true, ordering: .relaxed) }
        lambdasockets_drain_main_queue()
        return flag.raised.load(ordering: .relaxed)
    }

    deinit { close(wakeDescriptor) }

    /// Whether jobs are waiting for the driving thread.
    var hasWaitingJobs: Bool { waiting.load(ordering: .relaxed) > 0 }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        waiting.add(1, ordering: .relaxed)
        wakeIfSleeping { $0.jobs.append(job) }
    }

    /// Runs `operation` in a task that prefers this executor, running the task's jobs (and, when serving it,
    /// the main queue's) on the calling thread until the operation returns.
    package func run<Result>(_ operation: sending @escaping () async -> Result) -> Result {
        let previous = Self.driven.withLock { driven in
            defer { driven = (self, pthread_self()) }
            return driven
        }
        defer { Self.driven.withLock { $0 = previous } }

        let outcome = Outcome<Result>()
        Task(executorPreference: self) {
            outcome.value = await operation()
            self.wakeIfSleeping { $0.finished = true }
        }
        let executor = asUnownedTaskExecutor()
        var batch: [UnownedJob] = []
        while true {
            let finished = queue.withLock { state in
                swap(&batch, &state.jobs)
                state.sleeping = batch.isEmpty && !state.finished
                return state.finished
            }
            if batch.isEmpty {
                if finished { break }
                waitForWork()
                continue
            }
            for job in batch {
                waiting.subtract(1, ordering: .relaxed)
                job.runSynchronously(on: executor)
            }
            batch.removeAll(keepingCapacity: true)
            serveMainQueueIfSignalled()
        }
        return outcome.value!
    }

    /// What the operation returned, handed from its task to the driving thread (read after `finished`).
    private final class Outcome<Value>: @unchecked Sendable {
        var value: Value?
    }

    /// Changes the queue, then wakes the driving thread if it sleeps (or is about to).
    private func wakeIfSleeping(after change: (inout Queue) -> Void) {
        let wake = queue.withLock { state in
            change(&state)
            defer { state.sleeping = false }
            return state.sleeping
        }
        if wake {
            var one: UInt64 = 1
            _ = write(wakeDescriptor, &one, MemoryLayout<UInt64>.size)
        }
    }

    /// Blocks until a job arrives or the main queue has work (which it then runs).
    private func waitForWork() {
        var descriptors = (
            pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: mainQueueDescriptor, events: Int16(POLLIN), revents: 0)
        )
        let count = mainQueueDescriptor >= 0 ? 2 : 1
        let ready = withUnsafeMutableBytes(of: &descriptors) { bytes in
            poll(bytes.baseAddress!.assumingMemoryBound(to: pollfd.self), nfds_t(count), -1)
        }
        guard ready > 0 else { return }  // EINTR: look again
        if descriptors.0.revents != 0 { Self.consume(wakeDescriptor) }
        if count == 2 && descriptors.1.revents != 0 {
            Self.consume(mainQueueDescriptor)
            lambdasockets_drain_main_queue()
        }
    }

    /// Runs main-queue work that arrived while jobs kept the thread busy, so the main actor is not starved.
    private func serveMainQueueIfSignalled() {
        guard mainQueueDescriptor >= 0 else { return }
        var descriptor = pollfd(fd: mainQueueDescriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return }
        Self.consume(mainQueueDescriptor)
        lambdasockets_drain_main_queue()
    }

    /// Resets an eventfd's counter (both descriptors are read only here).
    private static func consume(_ descriptor: Int32) {
        var value: UInt64 = 0
        _ = read(descriptor, &value, MemoryLayout<UInt64>.size)
    }

    /// Whether the caller is on the invocation thread and no jobs wait for that thread: a blocking call made
    /// there (a lone request) then delays nothing. Not while jobs wait, which may be the call's siblings in a
    /// task group (siblings suspended elsewhere, in `Task.sleep` or on an actor, are not counted; they wait at
    /// most for that one call); and never on another thread, such as the concurrency pool's, where blocking
    /// holds up work of the whole process (on two cores, half of the pool).
    package static var onIdleInvocationThread: Bool {
        driven.withLock { driven in
            guard let driven, pthread_equal(driven.thread, pthread_self()) != 0 else { return false }
            return !driven.executor.hasWaitingJobs
        }
    }

    /// Whether the calling thread is the process's main thread.
    static var onMainThread: Bool { lambdasockets_is_main_thread() != 0 }
}
