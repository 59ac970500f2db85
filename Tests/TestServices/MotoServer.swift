import Foundation

/// A real DynamoDB-compatible server for tests: Python `moto`'s server, run as a child process on an
/// ephemeral loopback port.
///
/// The child runs `moto.server.ThreadedMotoServer` (the server behind `moto_server`) on port 0, prints the
/// port it got, and exits when its standard input closes: when ``stop()`` is called, or when the test
/// process dies, so no server outlives its tests.
public final class MotoServer: @unchecked Sendable {
    /// `http://127.0.0.1:<port>`.
    public let endpoint: String
    /// The port the server listens on.
    public let port: Int
    // Written once in `start`, then only read; `stop` is guarded by `lock`.
    private let process: Process
    private let stdinPipe: Pipe
    private let lock = NSLock()
    private var stopped = false

    private init(process: Process, stdinPipe: Pipe, port: Int) {
        self.process = process
        self.stdinPipe = stdinPipe
        self.port = port
        self.endpoint = "http://127.0.0.1:\(port)"
    }

    /// Why moto cannot run here, or `nil` when it can. Tests use it to skip with a clear message.
    public static let unavailableReason: String? = {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import moto.server, flask"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        do {
            try check.run()
            check.waitUntilExit()
        } catch {
            return "python3 cannot be started (\(error)); install Python 3 and `pip install 'moto[server]'`"
        }
        return check.terminationStatus == 0
            ? nil : "Python moto is not installed: run scripts/ensure-deps.sh or `pip install 'moto[server]'`"
    }()

    /// Whether moto can run here.
    public static var isAvailable: Bool { unavailableReason == nil }

    private static let script = """
        import sys
        from moto.server import ThreadedMotoServer
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        print("PORT", server.get_host_and_port()[1], flush=True)
        sys.stdin.read()
        server.stop()
        """

    /// Starts a server; it accepts requests once this returns.
    /// - Throws: ``MotoServerError`` when moto is missing or exits before listening.
    public static func start() async throws -> MotoServer {
        if let unavailableReason { throw MotoServerError(message: unavailableReason) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        process.environment = environment
        let stdinPipe = Pipe()
        let stdoutPipe = Pipe()
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = FileHandle.nullDevice
        try process.run()

        // Read the "PORT <n>" line on a thread of its own: the read blocks.
        let port: Int? = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: readPort(from: stdoutPipe.fileHandleForReading))
            }
        }
        guard let port else {
            try? stdinPipe.fileHandleForWriting.close()
            process.waitUntilExit()
            throw MotoServerError(message: "moto exited (status \(process.terminationStatus)) before printing its port")
        }
        // The child prints the port once its socket listens: the server is ready.
        return MotoServer(process: process, stdinPipe: stdinPipe, port: port)
    }

    /// Stops the server and waits for the child to exit. Safe to call more than once.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        try? stdinPipe.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit { stop() }

    /// Reads the child's output until the `PORT <n>` line; `nil` at end of file. Reads the descriptor
    /// directly so that an interrupted read (`EINTR`) is retried instead of looking like the end.
    private static func readPort(from handle: FileHandle) -> Int? {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            buffer += chunk[..<count]
            let text = String(decoding: buffer, as: UTF8.self)
            for line in text.split(separator: "\n") where line.hasPrefix("PORT ") && text.hasSuffix("\n") {
                return Int(line.dropFirst(5).trimmingCharacters(in: .whitespaces))
            }
        }
    }
}

/// moto could not be started.
public struct MotoServerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
