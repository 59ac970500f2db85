import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One child process started with `posix_spawn`, the way Lambda starts a runtime: a clean signal state
/// (every signal at its default disposition, none blocked), its own process group, standard input from
/// `/dev/null`, and no descriptor of this process but standard output and error.
///
/// Foundation's `Process` passes on the spawning thread's signal mask and this process's ignored signals;
/// a function started from a Swift concurrency or Dispatch thread (which block `SIGTERM`), or after
/// `lambda-local` began ignoring `SIGINT`/`SIGTERM` to handle them itself, would then ignore the `SIGTERM`
/// that stops it.
final class ChildProcess: Sendable {
    /// How a process ended.
    enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)

        /// The status as shells report it: the exit status, or 128 + the signal number.
        var shellStatus: Int32 {
            switch self {
            case .exited(let status): status
            case .signalled(let signal): 128 + signal
            }
        }
    }

    /// The process id.
    let pid: pid_t
    private let termination = NIOLockedValueBox<Termination?>(nil)

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts `executable`.
    /// - Parameters:
    ///   - outputPath: a file (created if needed, appended to) for standard output and error; `nil` shares
    ///     this process's.
    ///   - onExit: called once, on a thread of its own, when the process has ended and been reaped.
    /// - Throws: ``SupervisorError`` when the process cannot be started.
    static func spawn(
        executable: String, arguments: [String], environment: [String: String], outputPath: String?,
        onExit: @escaping @Sendable (ChildProcess, Termination) -> Void
    ) throws -> ChildProcess {
        var outputDescriptor: Int32 = -1
        if let outputPath {
            outputDescriptor = open(outputPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard outputDescriptor >= 0 else {
                throw SupervisorError(message: "cannot open \(outputPath): \(String(cString: strerror(errno)))")
            }
        }
        defer { if outputDescriptor >= 0 { close(outputDescriptor) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if outputDescriptor >= 0 {
            posix_spawn_file_actions_adddup2(&actions, outputDescriptor, 1)
            posix_spawn_file_actions_adddup2(&actions, outputDescriptor, 2)
        }
        closeInheritedDescriptors(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        var result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        // ETXTBSY: the binary is still open for writing somewhere, typically a build that just wrote it, or
        // another thread of this process that forked while it wrote the file. That passes within moments.
        var busyRetries = 0
        while result == ETXTBSY && busyRetries < 50 {
            busyRetries += 1
            usleep(20_000)
            result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        }
        guard result == 0 else {
            throw SupervisorError(message: "cannot start \(executable): \(String(cString: strerror(result)))")
        }

        let child = ChildProcess(pid: pid)
        Thread {
            let ended = child.reap()
            child.termination.withLockedValue { $0 = ended }
            onExit(child, ended)
        }.start()
        return child
    }

    /// Whether the process has not been reaped yet.
    var isRunning: Bool { termination.withLockedValue { $0 == nil } }

    /// How it ended, once it has.
    var terminated: Termination? { termination.withLockedValue { $0 } }

    /// Sends `signal` to the process, unless it has already been reaped (its pid may belong to another).
    func send(_ signal: Int32) {
        termination.withLockedValue { ended in
            if ended == nil { _ = kill(pid, signal) }
        }
    }

    /// Sends `signal` to the process's group (it leads one: what it started, a shell runtime's `curl` say,
    /// is in it), unless the process has already been reaped.
    func sendToGroup(_ signal: Int32) {
        termination.withLockedValue { ended in
            if ended == nil { _ = kill(-pid, signal) }
        }
    }

    /// Blocks until the process has ended and been reaped.
    func waitUntilExit() {
        while isRunning { usleep(5_000) }
    }

    private func reap() -> Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return .exited(-1) }
        }
        // <sys/wait.h> macros, which Swift does not import.
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
    }

    /// Closes every descriptor above standard error in the child (with glibc's `closefrom` action when
    /// there is one, else one by one from `/proc/self/fd`), so that no socket of this process leaks into it.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let closeFrom = addCloseFrom {
            _ = closeFrom(&actions, 3)
            return
        }
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in descriptors.compactMap({ Int32($0) }) where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+), which Swift's Glibc module does not import.
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            return nil
        }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()
}
