import ArgumentParser
import Foundation

/// `lambda-local package`: a self-contained deployment zip for provided.al2 / provided.al2023.
struct PackageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Build an executable product and write a self-contained function.zip for provided.al2/al2023.",
        discussion: """
            Builds the product in release with the Swift runtime, libstdc++ and a minimal HTTP(S)-only libcurl \
            (built from Debian's curl source, cached in .build/lambda-libcurl) linked statically, for a fixed \
            address unless --pie, strips it, bundles every shared library it still loads (glibc and the dynamic \
            loader) under lib/, checks that the bundled loader finds and binds all of them there, and writes \
            bootstrap at the zip's root. Run it in the package that defines the product; deploy with --runtime \
            provided.al2023 (or provided.al2) --handler bootstrap. Needs swift, strip, ldd and zip (Debian/Ubuntu: \
            apt-get install binutils zip); the minimal libcurl needs apt source access and \(MinimalLibcurl.buildDependencies).
            """
    )

    /// Which libcurl the function gets.
    enum LibcurlChoice: String, ExpressibleByArgument, CaseIterable {
        /// An HTTP(S)-only libcurl built from Debian's source of the installed version, linked in.
        case minimal
        /// The same libcurl as a shared library bundled in lib/.
        case minimalShared = "minimal-shared"
        /// The build machine's libcurl and every library it loads, bundled in lib/.
        case system
    }

    @Option(name: .long, help: "The executable product to package (default: the package's only executable product).")
    var product: String?

    @Option(name: .long, help: "Where to write the zip (default: .build/lambda/<product>/function.zip).")
    var output: String?

    @Option(name: .customLong("package-path"), help: "The package directory.")
    var packagePath: String = "."

    @Option(
        name: .long,
        help: "The libcurl: minimal (HTTP and HTTPS only, built from Debian's curl source, linked in), minimal-shared (the same, bundled as lib/libcurl.so.4) or system (the machine's, bundled with its libraries).")
    var libcurl: LibcurlChoice = .minimal

    @Flag(name: .long, help: "Link a position-independent executable (loaded at a random address; about 0.3 ms more cold start).")
    var pie = false

    @Flag(name: .customLong("skip-build"), help: "Package the binary of the last `lambda-local package` build.")
    var skipBuild = false

    func run() throws {
        try Shell.requireTools([("swift", "swiftlang"), ("strip", "binutils"), ("ldd", "libc-bin"), ("zip", "zip")])
        let packageDirectory = URL(fileURLWithPath: packagePath).standardizedFileURL
        let product = try product ?? ExecutableProducts.onlyOne(in: packageDirectory)
        let build = FunctionBuild(packageDirectory: packageDirectory, product: product)

        let built = try LibcurlLinking.build(
            build, libcurl: libcurl, positionIndependent: pie, skipBuild: skipBuild,
            cacheDirectory: packageDirectory.appendingPathComponent(".build/lambda-libcurl"))
        let (binary, linkage) = (built.binary, built.linkage)

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
        print("built: \(built.options.summary); \(built.note)")
    }
}
