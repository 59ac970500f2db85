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

    /// Runs `executable` as `argv0` from `directory`; returns the exit status, standard output and error.
    private func run(_ executable: String, argv0: String, in directory: URL, arguments: [String] = [],
                     environment: [String: String] = [:]) throws -> (Int32, String, String) {
        // `exec -a` sets argv[0] as a shell running a relative path would.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "exec -a \"$0\" \"$@\"", argv0, executable] + arguments
        process.currentDirectoryURL = directory
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
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
            environment: ["LAMBDA_TASK_ROOT": root.directory.path])
        #expect(status == 0, "\(errors)")
        #expect(output == expectedCall(root: root.directory.path, arguments: arguments))
    }

    @Test("without LAMBDA_TASK_ROOT (or with it empty) the root is the bootstrap's directory, as argv[0] names it",
          arguments: [("bootstrap", "."), ("./bootstrap", "."), ("lib/../bootstrap", "lib/..")])
    func ownDirectory(argv0: String, expectedRoot: String) throws {
        let root = try Root()
        defer { root.remove() }
        for environment in [[:], ["LAMBDA_TASK_ROOT": ""]] {
            let (status, output, errors) = try run(root.bootstrap, argv0: argv0, in: root.directory, environment: environment)
            #expect(status == 0, "\(errors)")
            #expect(output == expectedCall(root: expectedRoot, arguments: []))
        }
    }

    @Test("a missing loader is a clear error with errno, exit status 127")
    func missingLoader() throws {
        let root = try Root()
        defer { root.remove() }
        let (status, output, errors) = try run(
            root.bootstrap, argv0: root.bootstrap, in: root.directory, environment: ["LAMBDA_TASK_ROOT": "/nonexistent"])
        #expect(status == 127)
        #expect(output.isEmpty)
        #expect(errors == "bootstrap: cannot execute lib/ld-stand-in.so.2 (errno 2)\n")
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
