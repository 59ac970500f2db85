import Foundation
import Testing

@testable import lambda_local

/// The compiled `bootstrap`, run with a stand-in loader (a script that prints how it was called), from
/// several directories and with and without `LAMBDA_TASK_ROOT`.
@Suite("Bootstrap launcher")
struct BootstrapLauncherTests {
    /// A package root with the launcher for `Handlers` and a `lib/ld-stand-in.so.2` that prints its arguments.
    struct Root {
        let directory: URL
        var bootstrap: String { directory.appendingPathComponent("bootstrap").path }

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("launcher-\(UUID().uuidString)")
            let lib = directory.appendingPathComponent("lib")
            try FileManager.default.createDirectory(at: lib, withIntermediateDirectories: true)
            let loader = lib.appendingPathComponent("ld-stand-in.so.2")
            try "#!/bin/sh\nfor argument in \"$@\"; do echo \"[$argument]\"; done\n".write(
                to: loader, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: loader.path)
            try BootstrapLauncher.build(
                binary: "Handlers", loader: "ld-stand-in.so.2", to: directory.appendingPathComponent("bootstrap"))
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    /// Executes `executable` (a path, as given to `execve`, or a name found on `PATH`) from `directory`, by
    /// `env` (argv[0] is then the path) or, given `argv0`, by bash's `exec -a`; returns the exit status,
    /// standard output and error. `environment` lines are passed as they are, so a name may come twice.
    private func run(_ executable: String, argv0: String? = nil, in directory: URL, arguments: [String] = [],
                     environment: [String] = [], path: String = "/usr/bin:/bin") throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let command = argv0.map { ["/bin/bash", "-c", "exec -a \"$0\" \"$@\"", $0, executable] } ?? [executable]
        process.arguments = ["-i", "PATH=\(path)"] + environment + command + arguments
        process.currentDirectoryURL = directory
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    private func expectedCall(root: String, arguments: [String]) -> String {
        (["--library-path", "\(root)/lib", "\(root)/Handlers"] + arguments).map { "[\($0)]\n" }.joined()
    }

    @Test("LAMBDA_TASK_ROOT names the root, from any directory; every argument is passed on as it was")
    func taskRoot() throws {
        let root = try Root()
        defer { root.remove() }
        let arguments = ["one", "two words", "", "--library-path", "ünïcode"]
        let (status, output, errors) = try run(
            root.bootstrap, argv0: root.bootstrap, in: URL(fileURLWithPath: "/"), arguments: arguments,
            environment: ["LAMBDA_TASK_ROOT=\(root.directory.path)"])
        #expect(status == 0, "\(errors)")
        #expect(output == expectedCall(root: root.directory.path, arguments: arguments))
    }

    @Test("of several LAMBDA_TASK_ROOTs the last counts, as in a shell; an empty last one means unset")
    func lastTaskRoot() throws {
        let root = try Root()
        defer { root.remove() }
        let (status, output, _) = try run(
            root.bootstrap, argv0: "bootstrap", in: URL(fileURLWithPath: "/"),
            environment: ["LAMBDA_TASK_ROOT=/elsewhere", "LAMBDA_TASK_ROOT=\(root.directory.path)"])
        #expect(status == 0)
        #expect(output == expectedCall(root: root.directory.path, arguments: []))
        let (emptyStatus, emptyOutput, _) = try run(
            root.bootstrap, argv0: "bootstrap", in: URL(fileURLWithPath: "/"),
            environment: ["LAMBDA_TASK_ROOT=/elsewhere", "LAMBDA_TASK_ROOT="])
        #expect(emptyStatus == 0)
        #expect(emptyOutput == expectedCall(root: root.directory.path, arguments: []))
    }

    @Test("without LAMBDA_TASK_ROOT the root is the directory of the path the bootstrap was executed by (a script's $0), whatever argv[0] says",
          arguments: [("./bootstrap", ".", false), ("lib/../bootstrap", "lib/..", false), ("bootstrap", "", true)])
    func ownDirectory(executed: String, expectedRoot: String, onPath: Bool) throws {
        let root = try Root()
        defer { root.remove() }
        let expected = expectedRoot.isEmpty ? root.directory.path : expectedRoot
        let path = onPath ? "\(root.directory.path):/usr/bin:/bin" : "/usr/bin:/bin"
        for environment in [[], ["LAMBDA_TASK_ROOT="]] {
            let (status, output, errors) = try run(
                executed, argv0: onPath ? "some-name" : nil, in: root.directory, environment: environment, path: path)
            #expect(status == 0, "\(errors)")
            #expect(output == expectedCall(root: expected, arguments: []))
        }
    }

    @Test("a missing loader is a clear error naming the path, exit status 127; one that cannot be executed, 126")
    func missingLoader() throws {
        let root = try Root()
        defer { root.remove() }
        let (status, output, errors) = try run(
            root.bootstrap, argv0: root.bootstrap, in: root.directory, environment: ["LAMBDA_TASK_ROOT=/nonexistent"])
        #expect(status == 127)
        #expect(output.isEmpty)
        #expect(errors == "bootstrap: cannot execute /nonexistent/lib/ld-stand-in.so.2 (errno 2)\n")
        let loader = root.directory.appendingPathComponent("lib/ld-stand-in.so.2").path
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: loader)
        let (deniedStatus, _, deniedErrors) = try run(root.bootstrap, argv0: "bootstrap", in: root.directory)
        #expect(deniedStatus == 126)
        #expect(deniedErrors == "bootstrap: cannot execute \(loader) (errno 13)\n")
    }

    @Test("a root too long for a path is refused, not overrun")
    func longRoot() throws {
        let root = try Root()
        defer { root.remove() }
        let long = "/" + String(repeating: "r", count: 4_080)
        let (status, _, errors) = try run(root.bootstrap, argv0: "bootstrap", in: root.directory, environment: ["LAMBDA_TASK_ROOT=\(long)"])
        #expect(status == 127)
        #expect(errors.hasPrefix("bootstrap: cannot use a path that long: "))
    }

    @Test("many arguments (10,000) all reach the loader")
    func manyArguments() throws {
        let root = try Root()
        defer { root.remove() }
        let arguments = (0..<10_000).map(String.init)
        let (status, output, _) = try run(root.bootstrap, argv0: "bootstrap", in: root.directory, arguments: arguments)
        #expect(status == 0)
        #expect(output == expectedCall(root: root.directory.path, arguments: arguments))
    }

    @Test("it is a small static executable: no interpreter, no dynamic section, no shell")
    func staticExecutable() throws {
        let root = try Root()
        defer { root.remove() }
        let size = try FileManager.default.attributesOfItem(atPath: root.bootstrap)[.size] as? Int ?? 0
        #expect(size > 0 && size < 16_384)
        let headers = try Shell.output("readelf", ["-lW", root.bootstrap])
        #expect(!headers.contains("INTERP") && !headers.contains("DYNAMIC"), "\(headers)")
        #expect(try !Data(contentsOf: URL(fileURLWithPath: root.bootstrap)).contains(Data("/bin/sh".utf8)))
    }

    @Test("names that are not plain file names are refused", arguments: ["", "..", "lib", "bootstrap", "a/b", "a\"b", "a b"])
    func unsafeNames(name: String) {
        #expect(throws: (any Error).self) { try BootstrapLauncher.source(binary: name, loader: "ld-linux-x86-64.so.2") }
        #expect(throws: (any Error).self) { try BootstrapLauncher.source(binary: "Handlers", loader: name) }
    }
}
