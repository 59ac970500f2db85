import Foundation

/// The deployment package of a `provided.al2`/`provided.al2023` function, laid out in a staging directory
/// and then zipped:
///
/// ```
/// bootstrap                     the launcher (a 2 KB static executable, see BootstrapLauncher)
/// <product>                     the stripped release binary
/// lib/ld-linux-x86-64.so.2      the dynamic loader the bootstrap execs
/// lib/libc.so.6, lib/libm.so.6, …     every shared library the binary loads
/// ```
struct FunctionArchive {
    /// The staging directory: the zip's root.
    let root: URL
    /// The binary's file name at the root.
    let product: String
    /// The bundled libraries, loader included.
    let linkage: SharedLibraries

    private var libraryDirectory: URL { root.appendingPathComponent("lib") }

    /// Lays out the package in `root` (emptied first): strips `binary`, copies its libraries and writes the bootstrap.
    static func stage(binary: URL, product: String, linkage: SharedLibraries, in root: URL) throws -> FunctionArchive {
        let archive = FunctionArchive(root: root, product: product, linkage: linkage)
        let files = FileManager.default
        if files.fileExists(atPath: root.path) { try files.removeItem(at: root) }
        try files.createDirectory(at: archive.libraryDirectory, withIntermediateDirectories: true)

        try Shell.run("strip", ["-o", root.appendingPathComponent(product).path, binary.path])
        for library in linkage.all {
            // ldd names libraries through their symlinks (`libcurl.so.4`); bundle the file under that name.
            let source = URL(fileURLWithPath: library.path).resolvingSymlinksInPath()
            try files.copyItem(at: source, to: archive.libraryDirectory.appendingPathComponent(library.name))
        }
        try BootstrapLauncher.build(
            binary: product, loader: linkage.loader.name, to: root.appendingPathComponent("bootstrap"))
        try archive.normalizeAttributes()
        return archive
    }

    /// The files of the package, relative to its root, in the order they are zipped.
    var entries: [String] {
        ["bootstrap", product] + linkage.all.map { "lib/\($0.name)" }.sorted()
    }

    /// Writes the zip (maximum compression, no directory entries, no owner ids; modes kept).
    func zip(to destination: URL) throws {
        let files = FileManager.default
        try files.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        if files.fileExists(atPath: destination.path) { try files.removeItem(at: destination) }
        try Shell.run("zip", ["-q", "-X", "-D", "-9", destination.path] + entries, directory: root)
    }

    /// The zip's size, its unzipped size and each file's, largest first:
    ///
    /// ```
    /// zip 9.5 MB, unzipped 24.3 MB, 9 files (compressed / unzipped):
    ///   Handlers                    6.30 MB / 16.40 MB
    ///   lib/libc.so.6               0.86 MB /  1.93 MB
    /// ```
    func report(zip: URL) throws -> String {
        let listing = try ZipListing(contentsOf: zip)
        let zipBytes = try FileManager.default.attributesOfItem(atPath: zip.path)[.size] as? Int ?? 0
        let unzipped = listing.entries.reduce(0) { $0 + $1.size }
        var lines = ["zip \(Self.megabytes(zipBytes)) MB, unzipped \(Self.megabytes(unzipped)) MB, \(listing.entries.count) files (compressed / unzipped):"]
        let width = listing.entries.map(\.name.count).max() ?? 0
        for entry in listing.entries.sorted(by: { $0.compressedSize > $1.compressedSize }) {
            let name = entry.name.padding(toLength: width, withPad: " ", startingAt: 0)
            lines.append("  \(name)  \(Self.megabytes(entry.compressedSize, digits: 2)) MB / \(Self.megabytes(entry.size, digits: 2)) MB")
        }
        return lines.joined(separator: "\n")
    }

    private static func megabytes(_ bytes: Int, digits: Int = 1) -> String {
        String(format: "%5.\(digits)f", Double(bytes) / 1_000_000).trimmingCharacters(in: digits == 1 ? .whitespaces : [])
    }

    /// Lambda runs the function as an unprivileged user: everything must be readable by all, and the bootstrap,
    /// the binary and the loader executable, whatever the umask. Fixed modification times make the zip (and so the
    /// function's CodeSha256) the same for the same binary and libraries.
    private func normalizeAttributes() throws {
        let executables: Set<String> = ["bootstrap", product, "lib/\(linkage.loader.name)"]
        let fixedDate = Date(timeIntervalSince1970: 946_684_800)  // 2000-01-01
        for entry in entries {
            try FileManager.default.setAttributes(
                [.posixPermissions: executables.contains(entry) ? 0o755 : 0o644, .modificationDate: fixedDate],
                ofItemAtPath: root.appendingPathComponent(entry).path)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: libraryDirectory.path)
    }
}
