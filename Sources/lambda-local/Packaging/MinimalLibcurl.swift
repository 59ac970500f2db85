import ArgumentParser
import Foundation

/// A libcurl for the deployment package that speaks HTTP and HTTPS only, built from the Debian source of the
/// installed libcurl (same version, same API, Debian's security patches) and cached.
///
/// Debian's libcurl is built with every protocol and TLS library it supports, so bundling it brings 29 more
/// libraries (GnuTLS through librtmp, Kerberos, OpenLDAP, libssh2, libidn2 with libunistring, brotli, zstd …):
/// about 4.5 MB of the zip that an HTTP(S) client never loads. This build keeps HTTP/1.1 and HTTP/2 (nghttp2),
/// TLS (OpenSSL, from Debian's `libssl-dev`), gzip/deflate (zlib), proxies, cookies and the threaded resolver.
///
/// The function links the static library (`libcurl.a`, with OpenSSL's, nghttp2's and zlib's static libraries
/// beside it): the linker keeps only the parts the function reaches, and the loader has no library to map,
/// relocate and bind at every cold start. The same build also makes the shared `libcurl.so.4` (same symbols,
/// version `CURL_OPENSSL_4` and SONAME as Debian's, OpenSSL linked in), for `--libcurl minimal-shared` and for
/// binaries that link libcurl other than through its pkg-config module.
/// Its default CA file is Amazon Linux's `/etc/pki/tls/certs/ca-bundle.crt`, where Lambda has it. It sets OpenSSL up
/// at the first TLS connection rather than in `curl_global_init` (``DeferredTLSSetup``), which keeps 2.3 million
/// instructions out of the cold start.
struct MinimalLibcurl {
    /// Changes whenever the recipe does, so builds of an earlier recipe are not reused.
    static let recipeRevision = 4

    /// The static libraries libcurl.a needs, in link order; the library directory holds each of them.
    static let staticDependencies = ["nghttp2", "ssl", "crypto", "z"]

    /// `configure` arguments: what the library keeps and what it leaves out.
    static let configureArguments = [
        "--disable-dependency-tracking", "--enable-shared", "--enable-static",
        "--enable-versioned-symbols", "--enable-symbol-hiding", "--enable-threaded-resolver",
        // HTTP and HTTPS only.
        "--disable-ftp", "--disable-file", "--disable-ldap", "--disable-ldaps", "--disable-rtsp", "--disable-dict",
        "--disable-telnet", "--disable-tftp", "--disable-pop3", "--disable-imap", "--disable-smb", "--disable-smtp",
        "--disable-gopher", "--disable-mqtt",
        // Features a function does not use: the curl tool's manual, NTLM, caches kept in files, DNS over HTTPS.
        "--disable-manual", "--disable-ntlm", "--disable-ntlm-wb", "--disable-alt-svc", "--disable-hsts",
        "--disable-netrc", "--disable-doh",
        "--with-openssl", "--with-zlib", "--with-nghttp2",
        "--without-brotli", "--without-zstd", "--without-libidn2", "--without-libpsl", "--without-librtmp",
        "--without-libssh2", "--without-libssh", "--without-gssapi", "--without-nghttp3", "--without-ngtcp2",
        "--without-quiche", "--without-msh3", "--without-hyper", "--without-libgsasl",
        "--with-ca-bundle=/etc/pki/tls/certs/ca-bundle.crt", "--without-ca-path",
    ]

    /// The Debian packages the build needs, besides apt, the source package and a C toolchain.
    static let buildDependencies = "dpkg-dev build-essential libcurl4-openssl-dev libssl-dev zlib1g-dev libnghttp2-dev pkg-config"

    /// Where builds are cached: one directory per recipe and input versions.
    let cacheDirectory: URL

    /// The versions a build depends on.
    struct Inputs {
        /// The Debian source version of the installed libcurl (`7.88.1-10+deb12u15`).
        var curl: String
        /// The installed `libssl-dev` (its static libraries are linked in).
        var openssl: String
        /// Whether the library's relative relocations are packed (glibc 2.36 and later load them).
        var packedRelocations: Bool

        /// The cache directory's name.
        var key: String {
            let name = "curl-\(DebianSource.withoutEpoch(curl))-openssl-\(DebianSource.withoutEpoch(openssl))-r\(MinimalLibcurl.recipeRevision)"
                + (packedRelocations ? "-relr" : "")
            return String(name.map { $0.isLetter || $0.isNumber || "._+-~".contains($0) ? $0 : "_" })
        }
    }

    /// The installed versions, or an error naming what to install.
    static func inputs() throws -> Inputs {
        func installed(_ format: String, _ package: String) throws -> String {
            do {
                let version = try Shell.output("dpkg-query", ["-W", "-f=\(format)", package])
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                guard !version.isEmpty else { throw ValidationError("\(package) is not installed") }
                return version
            } catch {
                throw ValidationError(
                    "the minimal libcurl is built from Debian's curl source and needs \(package) (apt-get install \(buildDependencies)); "
                        + "on other systems, package with --libcurl system (\(error))")
            }
        }
        return Inputs(curl: try installed("${source:Version}", "libcurl4-openssl-dev"),
                      openssl: try installed("${Version}", "libssl-dev"),
                      packedRelocations: Toolchain.glibcSupportsPackedRelocations())
    }

    /// The directory holding the built `libcurl.a` (with the static libraries it needs: ``staticDependencies``)
    /// and `libcurl.so.4`, built first when the cache has none for these inputs.
    func library(_ inputs: Inputs) throws -> (directory: URL, description: String) {
        if let cached = cachedLibrary(inputs) { return cached }
        let directory = cacheDirectory.appendingPathComponent(inputs.key)
        let archive = directory.appendingPathComponent("libcurl.a")
        try requireBuildTools()

        let work = cacheDirectory.appendingPathComponent("\(inputs.key).work-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: work)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let log = work.appendingPathComponent("build.log")
        FileHandle.standardError.write(Data(
            "building a minimal libcurl (HTTP, HTTPS) from Debian's curl \(inputs.curl) source, once (a minute or two); log: \(log.path)\n".utf8))

        let (tree, sourceVersion) = try DebianSource(workDirectory: work).fetch(package: "curl", version: inputs.curl, log: log)
        try DeferredTLSSetup.apply(to: tree, work: work, log: log)
        let built = try compile(tree, inputs: inputs, work: work, log: log)

        // Staged whole next to the cache entry, then renamed into place, so a concurrent packager sees either no
        // library or a whole one; one that finished first wins.
        let staging = cacheDirectory.appendingPathComponent("\(inputs.key).partial-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: staging)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        try Shell.run("strip", ["--strip-unneeded", "-o", staging.appendingPathComponent("libcurl.so.4").path, built.shared.path])
        try Shell.run("strip", ["--strip-debug", "-o", staging.appendingPathComponent("libcurl.a").path, built.archive.path])
        for name in Self.staticDependencies {
            try FileManager.default.createSymbolicLink(
                at: staging.appendingPathComponent("lib\(name).a"), withDestinationURL: try Self.staticLibrary(name))
        }
        let description = "minimal libcurl (HTTP, HTTPS) from Debian's curl \(sourceVersion), OpenSSL \(inputs.openssl), "
            + "TLS set up at first use"
        try (description + "\n\nconfigure " + Self.configureArguments.joined(separator: " ") + "\n" + built.flags + "\n")
            .write(to: staging.appendingPathComponent("BUILD-INFO"), atomically: true, encoding: .utf8)
        if let cached = cachedLibrary(inputs) {
            // Another packager finished first: its entry stays.
            try? FileManager.default.removeItem(at: staging)
            try? FileManager.default.removeItem(at: work)
            return cached
        }
        if FileManager.default.fileExists(atPath: directory.path) {
            // An incomplete entry (a file missing): moved aside first, so no link ever sees it half deleted.
            let aside = cacheDirectory.appendingPathComponent("\(inputs.key).stale-\(ProcessInfo.processInfo.processIdentifier)")
            if (try? FileManager.default.moveItem(at: directory, to: aside)) != nil {
                try? FileManager.default.removeItem(at: aside)
            }
        }
        do {
            try FileManager.default.moveItem(at: staging, to: directory)
        } catch {
            guard FileManager.default.fileExists(atPath: archive.path) else { throw error }
            try? FileManager.default.removeItem(at: staging)
        }
        try? FileManager.default.removeItem(at: work)
        return (directory, description)
    }

    /// The cache's build for `inputs`, if it has a whole one.
    func cachedLibrary(_ inputs: Inputs) -> (directory: URL, description: String)? {
        let directory = cacheDirectory.appendingPathComponent(inputs.key)
        let files = FileManager.default
        // fileExists follows the links to the system's static libraries: one that went away makes the entry stale.
        let required = ["libcurl.so.4", "libcurl.a"] + Self.staticDependencies.map { "lib\($0).a" }
        guard required.allSatisfy({ files.fileExists(atPath: directory.appendingPathComponent($0).path) }),
              let info = try? String(contentsOf: directory.appendingPathComponent("BUILD-INFO"), encoding: .utf8)
        else { return nil }
        return (directory, info.split(separator: "\n").first.map(String.init) ?? "minimal libcurl")
    }

    /// The system's static `lib<name>.a`, as the C compiler finds it.
    static func staticLibrary(_ name: String) throws -> URL {
        let path = try Shell.output("cc", ["-print-file-name=lib\(name).a"]).trimmingCharacters(in: .whitespacesAndNewlines)
        guard path.hasPrefix("/"), FileManager.default.fileExists(atPath: path) else {
            throw ValidationError(
                "the static library lib\(name).a is missing (apt-get install \(buildDependencies))")
        }
        return URL(fileURLWithPath: path).standardizedFileURL
    }

    /// Configures and builds libcurl in `tree` with Debian's hardening flags and the recipe's; returns the shared
    /// and static libraries and the flags used.
    private func compile(_ tree: URL, inputs: Inputs, work: URL, log: URL) throws -> (shared: URL, archive: URL, flags: String) {
        let staticOpenSSL = try linkDirectoryForStaticOpenSSL(in: work)
        let environment = ["DEB_BUILD_MAINT_OPTIONS": "hardening=+all"]
        func buildFlags(_ name: String) throws -> String {
            try Shell.output("dpkg-buildflags", ["--get", name], environment: environment)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let cflags = try buildFlags("CFLAGS") + " -ffunction-sections -fdata-sections"
        let cppflags = try buildFlags("CPPFLAGS")
        let ldflags = "-L\(staticOpenSSL.path) " + (try buildFlags("LDFLAGS")) + " -Wl,--gc-sections"
            + (inputs.packedRelocations ? " -Wl,-z,pack-relative-relocs" : "")
        try Shell.run(
            "./configure", Self.configureArguments + ["CFLAGS=\(cflags)", "CPPFLAGS=\(cppflags)", "LDFLAGS=\(ldflags)"],
            directory: tree, log: log, environment: environment)
        try Shell.run("make", ["-C", "lib", "-j\(ProcessInfo.processInfo.activeProcessorCount)"],
                      directory: tree, log: log, environment: environment)

        let built = tree.appendingPathComponent("lib/.libs/libcurl.so.4").resolvingSymlinksInPath()
        let dynamicSection = try Shell.output("readelf", ["-d", built.path])
        guard dynamicSection.contains("Library soname: [libcurl.so.4]"), !dynamicSection.contains("[libssl.so") else {
            throw ValidationError(
                "the libcurl built in \(tree.path) is not an OpenSSL libcurl.so.4 with OpenSSL linked in:\n\(dynamicSection)")
        }
        let archive = tree.appendingPathComponent("lib/.libs/libcurl.a")
        guard FileManager.default.fileExists(atPath: archive.path) else {
            throw ValidationError("the build in \(tree.path) made no static libcurl.a")
        }
        return (built, archive, "CFLAGS=\(cflags)\nCPPFLAGS=\(cppflags)\nLDFLAGS=\(ldflags)")
    }

    /// A directory holding only OpenSSL's static libraries: given first to the linker, it makes `-lssl -lcrypto`
    /// link them in.
    private func linkDirectoryForStaticOpenSSL(in work: URL) throws -> URL {
        let directory = work.appendingPathComponent("static-openssl")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["ssl", "crypto"] {
            try FileManager.default.createSymbolicLink(
                at: directory.appendingPathComponent("lib\(name).a"), withDestinationURL: try Self.staticLibrary(name))
        }
        return directory
    }

    private func requireBuildTools() throws {
        let tools = ["apt-get", "apt-cache", "dpkg-source", "dpkg-buildflags", "patch", "make", "cc", "pkg-config", "strip", "readelf"]
        let missing = tools.filter { !Shell.isOnPath($0) }
        guard missing.isEmpty else {
            throw ValidationError(
                "building the minimal libcurl needs \(missing.joined(separator: ", ")) (apt-get install \(Self.buildDependencies)), "
                    + "or package with --libcurl system")
        }
        for module in ["libnghttp2", "zlib", "openssl"] where (try? Shell.output("pkg-config", ["--exists", module])) == nil {
            throw ValidationError(
                "building the minimal libcurl needs the development files of \(module) (apt-get install \(Self.buildDependencies))")
        }
    }
}
