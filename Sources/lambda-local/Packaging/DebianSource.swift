import ArgumentParser
import Foundation

/// A Debian source package fetched with `apt-get source` and unpacked with Debian's patches.
///
/// The machine's apt configuration lists only binary repositories (`deb`); this adds their source twins
/// (`deb-src`) in a private apt directory, so neither `/etc/apt` nor the system's package lists change and no
/// root is needed.
struct DebianSource {
    /// The directory for the private apt state and the downloads.
    let workDirectory: URL

    private var aptDirectory: URL { workDirectory.appendingPathComponent("apt") }
    private var sourcesDirectory: URL { aptDirectory.appendingPathComponent("sources.list.d") }

    /// apt options that point every list, cache and source file at the private directory.
    private var aptOptions: [String] {
        [
            "-o", "Dir::Etc::SourceList=/dev/null",
            "-o", "Dir::Etc::SourceParts=\(sourcesDirectory.path)",
            "-o", "Dir::State::Lists=\(aptDirectory.appendingPathComponent("lists").path)",
            "-o", "Dir::Cache=\(aptDirectory.appendingPathComponent("cache").path)",
            "-o", "Debug::NoLocking=1",
        ]
    }

    /// Downloads the source of `package`, preferring `version`, else the newest one with the same upstream version
    /// (a newer Debian revision: more security fixes, the same API). Returns the directory of the unpacked tree, and
    /// the Debian version it holds.
    func fetch(package: String, version: String, log: URL) throws -> (tree: URL, version: String) {
        try prepareSources()
        // A repository without sources (third-party ones often have none) fails the update; what matters is whether
        // the package's source can be downloaded next.
        try? Shell.run("apt-get", aptOptions + ["-q", "update"], directory: workDirectory, log: log)
        let downloads = workDirectory.appendingPathComponent("downloads")
        try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
        var fetched = version
        do {
            try Shell.run("apt-get", aptOptions + ["-q", "source", "--download-only", "\(package)=\(version)"],
                          directory: downloads, log: log)
        } catch {
            let upstream = Self.upstreamVersion(version)
            let candidates = try Shell.output("apt-cache", aptOptions + ["showsrc", "--only-source", package])
                .split(separator: "\n").filter { $0.hasPrefix("Version: ") }.map { String($0.dropFirst(9)) }
                .filter { $0 != version && Self.upstreamVersion($0) == upstream }
                .sorted(by: Self.isOlder)
            var found: String?
            for candidate in candidates.reversed() {
                let arguments = aptOptions + ["-q", "source", "--download-only", "\(package)=\(candidate)"]
                if (try? Shell.run("apt-get", arguments, directory: downloads, log: log)) != nil {
                    found = candidate
                    break
                }
            }
            guard let found else {
                throw ValidationError(
                    "cannot download the Debian source of \(package) \(version) (nor of another \(upstream) revision) with "
                        + "apt-get source: are the Debian mirrors reachable? (\(error))")
            }
            fetched = found
        }
        let dsc = try FileManager.default.contentsOfDirectory(atPath: downloads.path)
            .filter { $0.hasPrefix("\(package)_") && $0.hasSuffix(".dsc") && $0.contains(Self.withoutEpoch(fetched)) }
        guard let descriptor = dsc.first else {
            throw ValidationError("apt-get source left no \(package) .dsc file in \(downloads.path)")
        }
        let tree = workDirectory.appendingPathComponent(package)
        try Shell.run("dpkg-source", ["--skip-patches", "-x", descriptor, tree.path], directory: downloads, log: log)
        try applyPatches(in: tree, log: log)
        return (tree, fetched)
    }

    /// Applies `debian/patches/series` in order, stopping where Debian's series marks the patches that make its other
    /// flavours (curl's `# Do not add patches below`: GnuTLS and NSS builds).
    private func applyPatches(in tree: URL, log: URL) throws {
        let series = tree.appendingPathComponent("debian/patches/series")
        guard let text = try? String(contentsOf: series, encoding: .utf8) else { return }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.lowercased().contains("do not add patches below") { break }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let words = trimmed.split(separator: " ").map(String.init)
            if Self.otherFlavourPatches.contains(words[0]) { continue }
            let strip = words.dropFirst().first(where: { $0.hasPrefix("-p") }) ?? "-p1"
            try Shell.run("patch", [strip, "-s", "-N", "--no-backup-if-mismatch", "-i", "debian/patches/\(words[0])"],
                          directory: tree, log: log)
        }
    }

    /// Patches that turn Debian's curl source into its GnuTLS and NSS flavours, skipped wherever a series lists them.
    static let otherFlavourPatches: Set<String> = ["90_gnutls.patch", "99_nss.patch"]

    /// Writes a `deb-src` twin of every `deb` source the machine's apt configuration lists.
    private func prepareSources() throws {
        let files = FileManager.default
        try? files.removeItem(at: aptDirectory)
        for directory in ["lists/partial", "cache/archives/partial", "sources.list.d"] {
            try files.createDirectory(at: aptDirectory.appendingPathComponent(directory), withIntermediateDirectories: true)
        }
        var sources: [URL] = [URL(fileURLWithPath: "/etc/apt/sources.list")]
        let partsDirectory = URL(fileURLWithPath: "/etc/apt/sources.list.d")
        for name in (try? files.contentsOfDirectory(atPath: partsDirectory.path))?.sorted() ?? [] {
            sources.append(partsDirectory.appendingPathComponent(name))
        }
        var written = 0
        for source in sources {
            guard let text = try? String(contentsOf: source, encoding: .utf8) else { continue }
            let twin: String?
            switch source.pathExtension {
            case "sources": twin = Self.sourceTwin(deb822: text)
            case "list": twin = Self.sourceTwin(oneLine: text)
            default: twin = nil  // apt ignores other names (.disabled, .save …) too
            }
            guard let twin, !twin.isEmpty else { continue }
            try twin.write(to: sourcesDirectory.appendingPathComponent(source.lastPathComponent), atomically: true, encoding: .utf8)
            written += 1
        }
        guard written > 0 else {
            throw ValidationError("no apt sources found in /etc/apt: building the minimal libcurl needs Debian's (or Ubuntu's) source packages")
        }
    }

    /// `deb …` lines of a one-line-style `.list` file as `deb-src …` lines.
    static func sourceTwin(oneLine text: String) -> String {
        text.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("deb ") || trimmed.hasPrefix("deb\t") else { return nil }
            return "deb-src" + trimmed.dropFirst(3)
        }.joined(separator: "\n") + "\n"
    }

    /// The stanzas of a deb822 `.sources` file that list `deb`, with `Types: deb-src`.
    static func sourceTwin(deb822 text: String) -> String {
        let stanzas = text.components(separatedBy: "\n\n")
        return stanzas.compactMap { stanza -> String? in
            var hasBinary = false
            let lines = stanza.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                guard line.lowercased().hasPrefix("types:") else { return String(line) }
                hasBinary = line.dropFirst(6).split(whereSeparator: { $0 == " " || $0 == "\t" }).contains("deb")
                return "Types: deb-src"
            }
            return hasBinary ? lines.joined(separator: "\n") : nil
        }.joined(separator: "\n\n") + "\n"
    }

    /// `7.88.1` of `7.88.1-10+deb12u15` (and of `1:7.88.1-10`).
    static func upstreamVersion(_ version: String) -> String {
        let noEpoch = withoutEpoch(version)
        guard let dash = noEpoch.lastIndex(of: "-") else { return noEpoch }
        return String(noEpoch[..<dash])
    }

    /// The version without its `epoch:` prefix, as source file names spell it.
    static func withoutEpoch(_ version: String) -> String {
        guard let colon = version.firstIndex(of: ":") else { return version }
        return String(version[version.index(after: colon)...])
    }

    /// Debian version order, as `dpkg --compare-versions` decides it.
    static func isOlder(_ left: String, _ right: String) -> Bool {
        (try? Shell.output("dpkg", ["--compare-versions", left, "lt", right])) != nil
    }
}
