import NIOConcurrencyHelpers
public import NIOCore

/// Ties a Runtime API mock to the supervisor of the processes that poll it, which is made after the mock (it
/// needs the mock's address): each connection is attributed to the process that opened it, and a process
/// whose invocation runs past its deadline is stopped, as Lambda stops that execution environment.
public final class SupervisorLink: Sendable {
    private let supervisor = NIOLockedValueBox<FunctionSupervisor?>(nil)

    public init() {}

    /// Links `supervisor`; until then connections have no known owner and time-outs stop nothing.
    public func attach(_ supervisor: FunctionSupervisor) {
        self.supervisor.withLockedValue { $0 = supervisor }
    }

    /// For ``RuntimeAPIMock/Configuration/connectionOwner``.
    public func owner(of address: SocketAddress) -> Int32? {
        guard let port = address.port else { return nil }
        return supervisor.withLockedValue { $0 }?.process(owningLocalPort: port)
    }

    /// Stops the process a timed-out invocation was served to (else whichever holds its connection now);
    /// returns its pid, or `nil` when none could be told.
    public func stopTimedOut(address: SocketAddress, process: Int32?) -> Int32? {
        guard let supervisor = supervisor.withLockedValue({ $0 }) else { return nil }
        if let process, supervisor.terminate(process: process) { return process }
        return address.port.flatMap { supervisor.terminateProcess(usingLocalPort: $0) }
    }
}
