import ArgumentParser
import Foundation

/// `lambda-local package`: a self-contained deployment zip for provided.al2 / provided.al2023.
struct PackageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Build an executable product and write a self-contained function.zip for provided.al2/al2023.",
        discussion: """
            Builds in release with the Swift runtime linked statically, strips the binary, bundles every shared
            library it loads (libcurl and its dependencies, glibc and the dynamic loader) under lib/, and writes
            bootstrap at the zip's root. Run it in the package that defines the product.
            """
    )

    @Option(name: .long, help: "The executable product to package.")
    var product: String = "Handlers"

    @Option(name: .long, help: "Where to write the zip (default: .build/lambda/<product>/function.zip).")
    var output: String?

    @Option(name: .customLong("package-path"), help: "The package directory.")
    var packagePath: String = "."

    @Flag(name: .customLong("skip-build"), help: "Package the existing release build.")
    var skipBuild = false

    func run() throws {
        let packageDirectory = URL(fileURLWithPath: packagePath).standardizedFileURL
        let buildFlags = ["-c", "release", "--static-swift-stdlib", "--package-path", packageDirectory.path]
        if !skipBuild {
            try Shell.run("swift", ["build", "--product", product] + buildFlags)
        }
        let binPath = try Shell.output("swift", ["build", "--show-bin-path"] + buildFlags)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let binary = URL(fileURLWithPath: binPath).appendingPathComponent(product)
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw ValidationError("\(binary.path) is not an executable: is '\(product)' an executable product?")
        }

        let staging = packageDirectory.appendingPathComponent(".build/lambda/\(product)/root")
        try? FileManager.default.removeItem(at: staging)
        let lib = staging.appendingPathComponent("lib")
        try FileManager.default.createDirectory(at: lib, withIntermediateDirectories: true)
        let packagedBinary = staging.appendingPathComponent(product)
        try Shell.run("strip", ["-o", packagedBinary.path, binary.path])

        for library in try SharedLibraries.needed(by: binary.path) {
            let destination = lib.appendingPathComponent(library.name)
            try? FileManager.default.removeItem(at: destination)
            try FileManager.default.copyItem(at: URL(fileURLWithPath: library.path).resolvingSymlinksInPath(), to: destination)
        }
        guard FileManager.default.fileExists(atPath: lib.appendingPathComponent("ld-linux-x86-64.so.2").path) else {
            throw ValidationError("the dynamic loader ld-linux-x86-64.so.2 was not found among the binary's dependencies")
        }

        let bootstrap = staging.appendingPathComponent("bootstrap")
        try BootstrapScript.text(binary: product).write(to: bootstrap, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bootstrap.path)

        let zip = output.map { URL(fileURLWithPath: $0).standardizedFileURL }
            ?? packageDirectory.appendingPathComponent(".build/lambda/\(product)/function.zip")
        try? FileManager.default.removeItem(at: zip)
        try Shell.run("zip", ["-q", "-r", "-X", zip.path, "bootstrap", product, "lib"], directory: staging)

        let zipped = try FileManager.default.attributesOfItem(atPath: zip.path)[.size] as? Int ?? 0
        let unzipped = try Shell.output("du", ["-sb", staging.path]).split(separator: "\t").first.flatMap { Int($0) } ?? 0
        print("\(zip.path)")
        print("zip \(Self.megabytes(zipped)), unzipped \(Self.megabytes(unzipped)) (\(product) + lib/ + bootstrap)")
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }
}

/// The `bootstrap` written into the zip.
enum BootstrapScript {
    static func text(binary: String) -> String {
        """
        #!/bin/sh
        # Lambda custom runtime entry point (provided.al2 / provided.al2023), written by lambda-local package.
        # Runs the function through the bundled dynamic loader and libraries, independent of the host's glibc.
        set -e
        root="${LAMBDA_TASK_ROOT:-$(cd "$(dirname "$0")" && pwd)}"
        exec "$root/lib/ld-linux-x86-64.so.2" --library-path "$root/lib" "$root/\(binary)" "$@"

        """
    }
}

/// The shared libraries a binary loads, from `ldd`.
enum SharedLibraries {
    struct Library { var name: String; var path: String }

    static func needed(by binary: String) throws -> [Library] {
        let listing = try Shell.output("ldd", [binary])
        var libraries: [Library] = []
        for line in listing.split(separator: "\n") {
            let parts = line.trimmingCharacters(in: .whitespaces).split(separator: " ")
            if let arrow = parts.firstIndex(of: "=>"), arrow + 1 < parts.count, parts[arrow + 1].hasPrefix("/") {
                libraries.append(Library(name: String(parts[0]), path: String(parts[arrow + 1])))
            } else if let first = parts.first, first.hasPrefix("/") {
                // The loader: `/lib64/ld-linux-x86-64.so.2 (0x…)`.
                libraries.append(Library(name: URL(fileURLWithPath: String(first)).lastPathComponent, path: String(first)))
            } else if line.contains("not found") {
                throw ValidationError("ldd: \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        return libraries
    }
}

/// Runs commands, failing loudly.
enum Shell {
    /// Runs `tool`; its output goes to standard error, keeping standard output for the command's result.
    static func run(_ tool: String, _ arguments: [String], directory: URL? = nil) throws {
        let process = try start(tool, arguments, directory: directory, stdout: FileHandle.standardError)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(tool) \(arguments.joined(separator: " ")) failed with status \(process.terminationStatus)")
        }
    }

    static func output(_ tool: String, _ arguments: [String]) throws -> String {
        let pipe = Pipe()
        let process = try start(tool, arguments, stdout: pipe)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(tool) \(arguments.joined(separator: " ")) failed with status \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func start(_ tool: String, _ arguments: [String], directory: URL? = nil, stdout: Any? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        if let directory { process.currentDirectoryURL = directory }
        if let stdout { process.standardOutput = stdout }
        try process.run()
        return process
    }
}
