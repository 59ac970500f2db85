import ArgumentParser
import Foundation

/// The release build a deployment package is made from, with the link options that keep it small.
///
/// Packaging builds go to their own SwiftPM scratch directory (`.build/lambda-build`): their flags differ from a
/// plain `swift build -c release`, and sharing `.build` would rebuild everything whenever one alternates.
struct FunctionBuild {
    /// The package that defines the product.
    let packageDirectory: URL
    /// The executable product.
    let product: String

    /// SwiftPM's scratch directory for packaging builds.
    var scratchDirectory: URL { packageDirectory.appendingPathComponent(".build/lambda-build") }

    /// How the binary is linked, besides release mode and the statically linked Swift runtime.
    struct LinkOptions: Equatable {
        /// The toolchain's `lld` instead of the system's `gold`: it packs relative relocations.
        var lld: Bool
        /// `-z pack-relative-relocs` (DT_RELR): the position-independent binary's 1 MB of relative relocations
        /// shrink to a few kilobytes. Needs lld and a glibc of 2.36 or later, whose loader the zip carries.
        var packedRelocations: Bool
        /// A directory holding only `libstdc++.a`, searched first: the C++ runtime (Swift's runtime and BoringSSL
        /// use it) is linked in, and only the parts they use, instead of bundling all of `libstdc++.so.6`.
        var staticLibstdcxxDirectory: URL?

        /// What the options are, for the packager's report.
        var summary: String {
            var parts = ["release", "Swift runtime static", "C sections collected"]
            if staticLibstdcxxDirectory != nil { parts.append("libstdc++ static") }
            parts.append(lld ? "lld" : "default linker")
            if packedRelocations { parts.append("packed relocations") }
            return parts.joined(separator: ", ")
        }
    }

    /// The options this machine supports.
    func linkOptions() throws -> LinkOptions {
        let lld = Toolchain.hasLLD
        let staticLibstdcxx = try Toolchain.staticLibstdcxx().map { archive -> URL in
            let directory = scratchDirectory.appendingPathComponent("static-libstdc++")
            let link = directory.appendingPathComponent("libstdc++.a")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: link.path)) != archive.path {
                try? FileManager.default.removeItem(at: link)
                try FileManager.default.createSymbolicLink(at: link, withDestinationURL: archive)
            }
            return directory
        }
        return LinkOptions(lld: lld, packedRelocations: lld && Toolchain.glibcSupportsPackedRelocations(),
                           staticLibstdcxxDirectory: staticLibstdcxx)
    }

    /// The `swift build` arguments for `options`, product and build command aside.
    func arguments(_ options: LinkOptions) -> [String] {
        // No dynamic symbol table for the binary's own symbols: nothing loads symbols from a function binary, and
        // exporting them keeps the linker from dropping unused code.
        var arguments = ["-c", "release", "--static-swift-stdlib", "--package-path", packageDirectory.path,
                         "--scratch-path", scratchDirectory.path, "-Xlinker", "--no-export-dynamic"]
        // C and C++ targets (BoringSSL in swift-crypto, for one) get a section per function and per datum, so the
        // linker's garbage collection drops what the binary never calls instead of whole object files' worth.
        arguments += ["-Xcc", "-ffunction-sections", "-Xcc", "-fdata-sections"]
        if options.lld { arguments += ["-Xswiftc", "-use-ld=lld"] }
        if options.packedRelocations { arguments += ["-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"] }
        if let directory = options.staticLibstdcxxDirectory { arguments += ["-Xswiftc", "-L\(directory.path)"] }
        return arguments
    }

    /// Builds the product (unless `skip`) and returns its binary.
    func run(_ options: LinkOptions, skip: Bool) throws -> URL {
        if !skip {
            try Shell.run("swift", ["build", "--product", product] + arguments(options))
        }
        let binPath = try Shell.output("swift", ["build", "--show-bin-path"] + arguments(options))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let binary = URL(fileURLWithPath: binPath).appendingPathComponent(product)
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw ValidationError(
                "\(binary.path) is not an executable: is '\(product)' an executable product\(skip ? " built by an earlier `lambda-local package`" : "")?")
        }
        return binary
    }
}

/// What the Swift toolchain and the system offer the packaging build.
enum Toolchain {
    /// The directory of the `swift` driver on `PATH`, symbolic links resolved.
    static var binDirectory: URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("swift")
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate.resolvingSymlinksInPath().deletingLastPathComponent()
            }
        }
        return nil
    }

    /// Whether the toolchain ships `ld.lld` (Swift 5.9 and later do).
    static var hasLLD: Bool {
        guard let directory = binDirectory else { return false }
        return FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("ld.lld").path)
    }

    /// The static C++ runtime of the GCC installation the toolchain's clang links with, if installed.
    static func staticLibstdcxx() throws -> URL? {
        let clang = binDirectory.map { $0.appendingPathComponent("clang").path } ?? "clang"
        guard let answer = try? Shell.output(clang, ["-print-file-name=libstdc++.a"]) else { return nil }
        let path = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        // clang prints the bare name back when it finds no such file.
        guard path.hasPrefix("/"), FileManager.default.fileExists(atPath: path) else { return nil }
        return URL(fileURLWithPath: path).standardizedFileURL
    }

    /// Whether this machine's glibc (the one the zip carries) loads DT_RELR relocations: 2.36 and later.
    static func glibcSupportsPackedRelocations() -> Bool {
        guard let answer = try? Shell.output("getconf", ["GNU_LIBC_VERSION"]),
              let version = answer.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines)
        else { return false }
        let parts = version.split(separator: ".").compactMap { Int($0) }
        guard parts.count >= 2 else { return false }
        return parts[0] > 2 || (parts[0] == 2 && parts[1] >= 36)
    }
}
