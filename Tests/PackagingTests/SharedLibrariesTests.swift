import Foundation
import Testing

@testable import lambda_local

/// Reading `ldd` and `ld.so --list` output, and the build flags chosen from what the machine offers.
struct SharedLibrariesTests {
    @Test func lddOutputGivesTheLoaderAndEveryLibraryOnce() throws {
        let output = """
            \tlinux-vdso.so.1 (0x00007ffd5d1f2000)
            \tlibcurl.so.4 => /work/.build/lambda-libcurl/key/libcurl.so.4 (0x00007f0a1c000000)
            \tlibm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f0a1c520000)
            \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0a1be1e000)
            \t/lib64/ld-linux-x86-64.so.2 (0x00007f0a1d5b6000)
            \tld-linux-x86-64.so.2 => /lib64/ld-linux-x86-64.so.2 (0x00007f0a1d5b6000)
            """
        let linkage = try SharedLibraries.parse(lddOutput: output, binary: "Handlers")
        #expect(linkage.loader == .init(name: "ld-linux-x86-64.so.2", path: "/lib64/ld-linux-x86-64.so.2"))
        #expect(linkage.libraries.map(\.name) == ["libcurl.so.4", "libm.so.6", "libc.so.6"])
        #expect(linkage.libraries[0].path == "/work/.build/lambda-libcurl/key/libcurl.so.4")
    }

    @Test func aMissingLibraryOrAStaticBinaryIsAClearError() {
        #expect(throws: (any Error).self) {
            try SharedLibraries.parse(lddOutput: "\tlibcurl.so.4 => not found\n\t/lib64/ld-linux-x86-64.so.2 (0x1)", binary: "f")
        }
        #expect(throws: (any Error).self) { try SharedLibraries.parse(lddOutput: "\tnot a dynamic executable", binary: "f") }
    }

    @Test func buildArgumentsFollowTheLinkOptions() throws {
        let build = FunctionBuild(packageDirectory: .init(fileURLWithPath: "/p"), product: "Handlers")
        let pie = build.arguments(.init(
            lld: true, packedRelocations: true, staticLibstdcxxDirectory: .init(fileURLWithPath: "/p/cxx"),
            positionIndependent: true))
        #expect(pie.contains("--static-swift-stdlib") && pie.contains("/p/.build/lambda-build"))
        #expect(pie.contains("-use-ld=lld") && pie.contains("pack-relative-relocs") && pie.contains("-L/p/cxx"))
        #expect(pie.contains("-ffunction-sections") && pie.contains("--no-export-dynamic") && !pie.contains("-no-pie"))
        #expect(pie.contains("-disable-concrete-type-metadata-mangled-name-accessors") && pie.contains("-function-sections"))
        let ordering = "--symbol-ordering-file=/p/.build/lambda-build/startup-order-\(FunctionBuild.fingerprint(of: StartupOrder.symbols)).txt"
        #expect(pie.contains(ordering))
        // Linked for a fixed address, there are no relative relocations to pack.
        let fixed = build.arguments(.init(lld: true, packedRelocations: true, staticLibstdcxxDirectory: nil))
        #expect(fixed.contains("-no-pie") && !fixed.contains("pack-relative-relocs"))
        let none = build.arguments(.init(lld: false, packedRelocations: false, staticLibstdcxxDirectory: nil))
        #expect(!none.contains("-use-ld=lld") && !none.contains("pack-relative-relocs") && !none.contains { $0.hasPrefix("-L") })
        // gold has no symbol ordering file.
        #expect(!none.contains { $0.hasPrefix("--symbol-ordering-file") })
    }

    @Test func theOrderingFileIsNamedForItsContent() {
        // FNV-1a test vectors, and a name that changes with the list (so that SwiftPM links again).
        #expect(FunctionBuild.fingerprint(of: "") == "cbf29ce484222325")
        #expect(FunctionBuild.fingerprint(of: "a") == "af63dc4c8601ec8c")
        #expect(FunctionBuild.fingerprint(of: "foobar") == "85944171f73967e8")
        #expect(FunctionBuild.fingerprint(of: "main\nswift_once") != FunctionBuild.fingerprint(of: "main\nswift_once\n_start"))
        let build = FunctionBuild(packageDirectory: .init(fileURLWithPath: "/p"), product: "Handlers")
        #expect(build.startupOrderFile.lastPathComponent.hasPrefix("startup-order-"))
        #expect(build.startupOrderFile.lastPathComponent.count == "startup-order-".count + 16 + ".txt".count)
    }

    @Test func aStaticLibcurlComesThroughPkgConfig() throws {
        let package = FileManager.default.temporaryDirectory.appendingPathComponent("pkgconfig-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: package) }
        let build = FunctionBuild(packageDirectory: package, product: "Handlers")
        let options = FunctionBuild.LinkOptions(
            lld: true, packedRelocations: false, staticLibstdcxxDirectory: nil,
            staticLibcurlDirectory: .init(fileURLWithPath: "/cache/curl"))
        #expect(try build.environment(.init(lld: true, packedRelocations: false, staticLibstdcxxDirectory: nil)).isEmpty)
        let environment = try build.environment(options)
        let directory = try #require(environment["PKG_CONFIG_PATH"]?.split(separator: ":").first.map(String.init))
        // What SwiftPM reads for the CCurl module: libcurl.a's directory first, then the static libraries it needs.
        let description = try String(contentsOfFile: directory + "/libcurl.pc", encoding: .utf8)
        #expect(description.contains("Libs: -L/cache/curl -lcurl -lnghttp2 -lssl -lcrypto -lz\n"))
        #expect(description.contains("Cflags: -I"))
        #expect(!build.arguments(options).contains { $0.hasPrefix("-L/cache") })
    }
}
