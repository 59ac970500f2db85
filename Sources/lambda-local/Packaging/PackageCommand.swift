import ArgumentParser
import Foundation

/// `lambda-local package`: a self-contained deployment zip for provided.al2 / provided.al2023.
struct PackageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Build an executable product and write a self-contained function.zip for provided.al2/al2023.",
        discussion: """
            Builds the product in release with the Swift runtime and libstdc++ linked statically, strips it, bundles \
            every shared library it loads (libcurl and its dependencies, glibc and the dynamic loader) under lib/, checks \
            that the bundled loader finds and binds all of them there, and writes bootstrap at the zip's root. A binary \
            that links libcurl gets a minimal HTTP(S)-only libcurl built from Debian's curl source (cached in \
            .build/lambda-libcurl) instead of the system's, which needs 29 more libraries. Run it in the package that \
            defines the product; deploy with --runtime provided.al2023 (or provided.al2) --handler bootstrap. \
            Needs swift, strip, ldd and zip (Debian/Ubuntu: apt-get install binutils zip); the minimal libcurl needs \
            apt source access and \(MinimalLibcurl.buildDependencies).
            """
    )

    /// Which libcurl goes into the zip.
    enum LibcurlChoice: String, ExpressibleByArgument, CaseIterable {
        /// An HTTP(S)-only libcurl built from Debian's source of the installed version.
        case minimal
        /// The build machine's libcurl and every library it loads.
        case system
    }

    @Option(name: .long, help: "The executable product to package (default: the package's only executable product).")
    var product: String?

    @Option(name: .long, help: "Where to write the zip (default: .build/lambda/<product>/function.zip).")
    var output: String?

    @Option(name: .customLong("package-path"), help: "The package directory.")
    var packagePath: String = "."

    @Option(name: .long, help: "The libcurl to bundle: minimal (HTTP and HTTPS only, built from Debian's curl source) or system.")
    var libcurl: LibcurlChoice = .minimal

    @Flag(name: .customLong("skip-build"), help: "Package the binary of the last `lambda-local package` build.")
    var skipBuild = false

    func run() throws {
        try Shell.requireTools([("swift", "swiftlang"), ("strip", "binutils"), ("ldd", "libc-bin"), ("zip", "zip")])
        let packageDirectory = URL(fileURLWithPath: packagePath).standardizedFileURL
        let product = try product ?? ExecutableProducts.onlyOne(in: packageDirectory)
        let build = FunctionBuild(packageDirectory: packageDirectory, product: product)
        let options = try build.linkOptions()
        let binary = try build.run(options, skip: skipBuild)

        var linkage = try SharedLibraries.of(binary.path)
        var libcurlNote = "the system's libcurl"
        if libcurl == .minimal, linkage.libraries.contains(where: { $0.name == "libcurl.so.4" }) {
            let minimal = MinimalLibcurl(cacheDirectory: packageDirectory.appendingPathComponent(".build/lambda-libcurl"))
            let (directory, description) = try minimal.library(try MinimalLibcurl.inputs())
            linkage = try SharedLibraries.of(binary.path, preferring: directory)
            libcurlNote = description
        }

        let workDirectory = packageDirectory.appendingPathComponent(".build/lambda/\(product)")
        let archive = try FunctionArchive.stage(
            binary: binary, product: product, linkage: linkage, in: workDirectory.appendingPathComponent("root"))
        try SharedLibraries.verifyClosed(
            binary: archive.root.appendingPathComponent(product),
            libraryDirectory: archive.root.appendingPathComponent("lib"),
            loaderName: linkage.loader.name)

        let zip = output.map { URL(fileURLWithPath: $0).standardizedFileURL } ?? workDirectory.appendingPathComponent("function.zip")
        try archive.zip(to: zip)
        print(zip.path)
        print(try archive.report(zip: zip))
        print("built: \(options.summary); \(linkage.libraries.contains { $0.name == "libcurl.so.4" } ? libcurlNote : "no libcurl")")
    }
}
