import ArgumentParser
import Foundation

/// `lambda-local package`: a self-contained deployment zip for provided.al2 / provided.al2023.
struct PackageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Build an executable product and write a self-contained function.zip for provided.al2/al2023.",
        discussion: """
            Builds the product in release with the Swift runtime linked statically, strips it, bundles every shared
            library it loads (libcurl and its dependencies, glibc and the dynamic loader) under lib/, checks that the
            bundled loader finds all of them there, and writes bootstrap at the zip's root. Run it in the package that
            defines the product; deploy with --runtime provided.al2023 (or provided.al2) --handler bootstrap.
            Needs swift, strip, ldd and zip (Debian/Ubuntu: apt-get install binutils zip).
            """
    )

    @Option(name: .long, help: "The executable product to package (default: the package's only executable product).")
    var product: String?

    @Option(name: .long, help: "Where to write the zip (default: .build/lambda/<product>/function.zip).")
    var output: String?

    @Option(name: .customLong("package-path"), help: "The package directory.")
    var packagePath: String = "."

    @Flag(name: .customLong("skip-build"), help: "Package the existing release build.")
    var skipBuild = false

    /// Release, Swift runtime linked statically, and no dynamic symbol table for the binary's own symbols: nothing
    /// loads symbols from a function binary, and exporting them keeps the linker from dropping unused code.
    static let buildFlags = ["-c", "release", "--static-swift-stdlib", "-Xlinker", "--no-export-dynamic"]

    func run() throws {
        try Shell.requireTools([("swift", "swiftlang"), ("strip", "binutils"), ("ldd", "libc-bin"), ("zip", "zip")])
        let packageDirectory = URL(fileURLWithPath: packagePath).standardizedFileURL
        let product = try product ?? ExecutableProducts.onlyOne(in: packageDirectory)
        let flags = Self.buildFlags + ["--package-path", packageDirectory.path]
        if !skipBuild {
            try Shell.run("swift", ["build", "--product", product] + flags)
        }
        let binPath = try Shell.output("swift", ["build", "--show-bin-path"] + flags)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let binary = URL(fileURLWithPath: binPath).appendingPathComponent(product)
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw ValidationError("\(binary.path) is not an executable: is '\(product)' an executable product\(skipBuild ? " built in release" : "")?")
        }

        let linkage = try SharedLibraries.of(binary.path)
        let workDirectory = packageDirectory.appendingPathComponent(".build/lambda/\(product)")
        let archive = try FunctionArchive.stage(
            binary: binary, product: product, linkage: linkage, in: workDirectory.appendingPathComponent("root"))
        try SharedLibraries.verifyClosed(
            binary: archive.root.appendingPathComponent(product),
            libraryDirectory: archive.root.appendingPathComponent("lib"),
            loaderName: linkage.loader.name)

        let zip = output.map { URL(fileURLWithPath: $0).standardizedFileURL } ?? workDirectory.appendingPathComponent("function.zip")
        let zipped = try archive.zip(to: zip)
        let unzipped = try archive.unzippedBytes()
        let binaryBytes = try archive.bytes(of: product)
        let libraryBytes = unzipped - binaryBytes - (try archive.bytes(of: "bootstrap"))
        print(zip.path)
        print("zip \(Self.megabytes(zipped)), unzipped \(Self.megabytes(unzipped)): \(product) \(Self.megabytes(binaryBytes)), "
              + "lib/ \(Self.megabytes(libraryBytes)) (\(linkage.all.count) files: libcurl and its dependencies, glibc, \(linkage.loader.name))")
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }
}
