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

    @Test func buildArgumentsFollowTheLinkOptions() {
        let build = FunctionBuild(packageDirectory: .init(fileURLWithPath: "/p"), product: "Handlers")
        let all = build.arguments(.init(lld: true, packedRelocations: true, staticLibstdcxxDirectory: .init(fileURLWithPath: "/p/cxx")))
        #expect(all.contains("--static-swift-stdlib") && all.contains("/p/.build/lambda-build"))
        #expect(all.contains("-use-ld=lld") && all.contains("pack-relative-relocs") && all.contains("-L/p/cxx"))
        #expect(all.contains("-ffunction-sections") && all.contains("--no-export-dynamic"))
        let none = build.arguments(.init(lld: false, packedRelocations: false, staticLibstdcxxDirectory: nil))
        #expect(!none.contains("-use-ld=lld") && !none.contains("pack-relative-relocs") && !none.contains { $0.hasPrefix("-L") })
    }
}
