import ArgumentParser
import Foundation

/// The release build of a product with the libcurl `--libcurl` asks for, and what the zip must then carry.
///
/// The minimal libcurl is built only for a product that links libcurl: when it is not cached yet, a first build
/// without it tells. A product that links libcurl other than through its pkg-config module (FoundationNetworking's
/// `URLSession`, a `linkedLibrary("curl")`) cannot have the static one and gets the shared build of it in `lib/`.
struct LibcurlLinking {
    /// The built binary.
    let binary: URL
    /// The options it was linked with.
    let options: FunctionBuild.LinkOptions
    /// The shared libraries to bundle.
    let linkage: SharedLibraries
    /// How libcurl came into the function, for the packager's report.
    let note: String

    static func build(
        _ build: FunctionBuild, libcurl choice: PackageCommand.LibcurlChoice, positionIndependent: Bool,
        skipBuild: Bool, cacheDirectory: URL
    ) throws -> LibcurlLinking {
        let builder = MinimalLibcurl(cacheDirectory: cacheDirectory)
        var minimal = choice == .system ? nil : (try? MinimalLibcurl.inputs()).flatMap(builder.cachedLibrary)
        var options = try build.linkOptions(
            staticLibcurlDirectory: choice == .minimal ? minimal?.directory : nil, positionIndependent: positionIndependent)
        var binary = try build.run(options, skip: skipBuild)
        var linkage = try SharedLibraries.of(binary.path)
        var loadsLibcurl = linkage.libraries.contains { $0.name == "libcurl.so.4" }
        if loadsLibcurl, choice != .system, minimal == nil {
            if skipBuild {
                throw ValidationError(
                    "the last build loads libcurl.so.4 and no minimal libcurl is built yet: package once without --skip-build")
            }
            minimal = try builder.library(try MinimalLibcurl.inputs())
            if choice == .minimal {
                options.staticLibcurlDirectory = minimal?.directory
                binary = try build.run(options, skip: false)
                linkage = try SharedLibraries.of(binary.path)
                loadsLibcurl = linkage.libraries.contains { $0.name == "libcurl.so.4" }
            }
        }
        var bundledBecause = ""
        if loadsLibcurl, let minimal {
            if options.staticLibcurlDirectory != nil {
                // libcurl reached the link other than through the libcurl pkg-config module (FoundationNetworking's
                // URLSession, a `linkedLibrary("curl")`): the shared build of the same libcurl goes into lib/.
                options.staticLibcurlDirectory = nil
                bundledBecause = " (the binary links libcurl other than through pkg-config)"
            }
            linkage = try SharedLibraries.of(binary.path, preferring: minimal.directory)
        }
        let libcurlNote: String
        switch (loadsLibcurl, minimal) {
        case (true, nil): libcurlNote = "the system's libcurl"
        case (true, let minimal?): libcurlNote = "\(minimal.description), bundled, OpenSSL linked into it\(bundledBecause)"
        case (false, let minimal?) where try Self.containsLibcurl(binary):
            libcurlNote = "\(minimal.description), linked in"
        case (false, _):
            libcurlNote = "no libcurl"
            options.staticLibcurlDirectory = nil  // nothing was linked from it: the summary does not claim it
        }
        return LibcurlLinking(binary: binary, options: options, linkage: linkage, note: libcurlNote)
    }

    /// Whether `binary`'s symbol table defines libcurl's entry points (linked in, not loaded).
    static func containsLibcurl(_ binary: URL) throws -> Bool {
        let symbols = try Shell.output("nm", ["--defined-only", binary.path])
        return symbols.contains(" T curl_easy_perform\n") || symbols.contains(" t curl_easy_perform\n")
    }
}
