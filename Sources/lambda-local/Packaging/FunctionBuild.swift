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

    /// The linker's symbol ordering file: ``StartupOrder``'s functions and variables, written before each build.
    /// Its name carries a fingerprint of the list: SwiftPM links again only when the link command changes, not
    /// when a file it names does, so a new list (a new `lambda-local`) must change the command to reach an
    /// existing build.
    var startupOrderFile: URL { scratchDirectory.appendingPathComponent(Self.startupOrderFileName) }

    /// `startup-order-<fingerprint>.txt`, computed once.
    private static let startupOrderFileName = "startup-order-\(fingerprint(of: StartupOrder.symbols)).txt"

    /// FNV-1a (64-bit) of `text`'s UTF-8, in hexadecimal: stable from one process to the next, unlike `Hasher`.
    static func fingerprint(of text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

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
        /// The minimal libcurl's directory (``MinimalLibcurl``): its `libcurl.a` is linked in with the static
        /// libraries it needs, instead of a `libcurl.so.4` to bundle.
        var staticLibcurlDirectory: URL?
        /// A position-independent executable (PIE), loaded at a random address. Otherwise the binary is linked
        /// for a fixed address, as Go links Lambda functions: the loader has none of its relative relocations
        /// to apply at each cold start (about 40k, 0.3 ms: every page of metadata they touch is copied and
        /// written), at the cost of address-space randomisation for the binary's own code and data.
        var positionIndependent: Bool = false

        /// What the options are, for the packager's report.
        var summary: String {
            var parts = ["release", "Swift runtime static", "sections collected", "metadata by accessors"]
            if lld { parts.append("start-up code first") }
            if staticLibstdcxxDirectory != nil { parts.append("libstdc++ static") }
            if staticLibcurlDirectory != nil { parts.append("libcurl static") }
            parts.append(lld ? "lld" : "default linker")
            parts.append(positionIndependent ? "position-independent" : "fixed address (no PIE)")
            if positionIndependent && packedRelocations { parts.append("packed relocations") }
            return parts.joined(separator: ", ")
        }
    }

    /// The options this machine supports; `staticLibcurlDirectory` and `positionIndependent` are the caller's.
    func linkOptions(staticLibcurlDirectory: URL? = nil, positionIndependent: Bool = false) throws -> LinkOptions {
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
                           staticLibstdcxxDirectory: staticLibstdcxx, staticLibcurlDirectory: staticLibcurlDirectory,
                           positionIndependent: positionIndependent)
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
        // Generic types' metadata (a `[String: String]`'s storage, say) comes from their accessor functions, which
        // are handed the protocol conformances they need, instead of being demangled from a type name at first
        // use, which finds each conformance by scanning every conformance record in the binary (about 4,000 in a
        // router function): 0.27M instructions fewer before the first `/next`, the warm loop unchanged, 16 KB
        // more code.
        arguments += ["-Xswiftc", "-Xfrontend", "-Xswiftc", "-disable-concrete-type-metadata-mangled-name-accessors"]
        // Swift code gets a section per function too (swiftc otherwise puts most of a file's functions in one
        // `.text`), so that the linker can drop the unused ones and place the start-up path's together.
        arguments += ["-Xswiftc", "-Xfrontend", "-Xswiftc", "-function-sections"]
        if options.lld {
            arguments += ["-Xswiftc", "-use-ld=lld"]
            // The functions of a cold start first, in a few pages instead of spread over the text segment, and the
            // variables it touches first in `.data` and `.bss` (see ``StartupOrder``): 173 -> 130 page faults from
            // exec to the first `/next` of the no-op router function.
            arguments += ["-Xlinker", "--symbol-ordering-file=\(startupOrderFile.path)", "-Xlinker", "--no-warn-symbol-ordering"]
        }
        if options.positionIndependent {
            if options.packedRelocations { arguments += ["-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"] }
        } else {
            // The objects stay position-independent code; only the executable is linked for its fixed address.
            arguments += ["-Xswiftc", "-Xclang-linker", "-Xswiftc", "-no-pie"]
        }
        if let directory = options.staticLibstdcxxDirectory { arguments += ["-Xswiftc", "-L\(directory.path)"] }
        return arguments
    }

    /// The environment of the build for `options`: with a static libcurl, `PKG_CONFIG_PATH` leads to a
    /// `libcurl.pc` that links it (the `CCurl` module takes its flags from pkg-config, whose system library
    /// directory, where Debian's `libcurl.so` is, would otherwise come first).
    func environment(_ options: LinkOptions) throws -> [String: String] {
        guard let directory = options.staticLibcurlDirectory else { return [:] }
        let pkgConfigDirectory = scratchDirectory.appendingPathComponent("static-libcurl-pkgconfig")
        try FileManager.default.createDirectory(at: pkgConfigDirectory, withIntermediateDirectories: true)
        func pkgConfig(_ query: String) throws -> String {
            try Shell.output("pkg-config", [query, "libcurl"]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let libraries = (["curl"] + MinimalLibcurl.staticDependencies).map { "-l\($0)" }.joined(separator: " ")
        let description = """
            Name: libcurl
            Description: the minimal libcurl of lambda-local package, linked statically
            Version: \(try pkgConfig("--modversion"))
            Libs: -L\(directory.path) \(libraries)
            Cflags: \(try pkgConfig("--cflags"))

            """
        try description.write(to: pkgConfigDirectory.appendingPathComponent("libcurl.pc"), atomically: true, encoding: .utf8)
        let inherited = ProcessInfo.processInfo.environment["PKG_CONFIG_PATH"].map { ":" + $0 } ?? ""
        return ["PKG_CONFIG_PATH": pkgConfigDirectory.path + inherited]
    }

    /// Builds the product (unless `skip`) and returns its binary.
    func run(_ options: LinkOptions, skip: Bool) throws -> URL {
        let environment = try environment(options)
        if options.lld {
            try FileManager.default.createDirectory(at: scratchDirectory, withIntermediateDirectories: true)
            let file = startupOrderFile
            // Lists of earlier lambda-local versions go.
            for name in (try? FileManager.default.contentsOfDirectory(atPath: scratchDirectory.path)) ?? []
            where name.hasPrefix("startup-order") && name.hasSuffix(".txt") && name != file.lastPathComponent {
                try? FileManager.default.removeItem(at: scratchDirectory.appendingPathComponent(name))
            }
            try StartupOrder.symbols.write(to: file, atomically: true, encoding: .utf8)
        }
        if !skip {
            try Shell.run("swift", ["build", "--product", product] + arguments(options), environment: environment)
        }
        let binPath = try Shell.output("swift", ["build", "--show-bin-path"] + arguments(options), environment: environment)
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
